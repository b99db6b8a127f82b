{{/*
The one CORS setting for pages on other sites (thebe, Jupyter Book, MyST; see
docs/binder-buttons.md): global.cors.allowOrigin. Give the same values file to this
release and to the zero-to-jupyterhub one: here it becomes BinderHub.cors_allow_origin,
there (chart/files/jupyterhub-values.yaml) the notebook servers' allow_origin.
config.BinderHub.cors_allow_origin alone still works (api only); both set and different
is an error, since the two halves must agree.
*/}}
{{- define "binderhub-ts.corsAllowOrigin" -}}
{{- $global := dig "cors" "allowOrigin" "" (.Values.global | default dict) -}}
{{- $config := dig "BinderHub" "cors_allow_origin" "" (.Values.config | default dict) -}}
{{- if and $global $config (ne $global $config) -}}
{{- fail (printf "global.cors.allowOrigin (%q) and config.BinderHub.cors_allow_origin (%q) differ: set only global.cors.allowOrigin, which the hub's values read too" $global $config) -}}
{{- end -}}
{{- $global | default $config -}}
{{- end -}}
