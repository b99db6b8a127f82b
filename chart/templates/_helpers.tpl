{{- define "binderhub-ts.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "binderhub-ts.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "binderhub-ts.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "binderhub-ts.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "api"). */}}
{{- define "binderhub-ts.selectorLabels" -}}
app.kubernetes.io/name: {{ include "binderhub-ts.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "binderhub-ts.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "binderhub-ts.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (printf "%s-runner" (include "binderhub-ts.fullname" .)) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Account of build pods: never the runners' (build pods run untrusted code; their token
is not mounted either). '' = the build namespace's `default`.
*/}}
{{- define "binderhub-ts.buildServiceAccountName" -}}
{{- $k := .Values.config.KubernetesBuildExecutor | default dict -}}
{{- $name := "" -}}
{{- if .Values.buildServiceAccount.create -}}
{{- $name = default (printf "%s-build" (include "binderhub-ts.fullname" .)) .Values.buildServiceAccount.name -}}
{{- else -}}
{{- $name = .Values.buildServiceAccount.name -}}
{{- end -}}
{{- $name = default $name $k.service_account -}}
{{- if and (eq (include "binderhub-ts.buildNamespace" .) .Release.Namespace) (eq (default "default" $name) (include "binderhub-ts.serviceAccountName" .)) -}}
{{- fail (printf "build pods would run as the runners' ServiceAccount %q: give them their own (buildServiceAccount.create / buildServiceAccount.name)" (default "default" $name)) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{/* Namespace of build pods: KubernetesBuildExecutor.namespace, else the release's. */}}
{{- define "binderhub-ts.buildNamespace" -}}
{{- $k := .Values.config.KubernetesBuildExecutor | default dict -}}
{{- default .Release.Namespace $k.namespace -}}
{{- end -}}

{{/* Secret with config.json mounted into build pods for pushing. */}}
{{- define "binderhub-ts.pushSecretName" -}}
{{- default (printf "%s-push" (include "binderhub-ts.fullname" .)) .Values.registry.existingPushSecret -}}
{{- end -}}

{{/* ConfigMap with repo2docker's configuration, mounted into build pods. */}}
{{- define "binderhub-ts.repo2dockerConfigMapName" -}}
{{- printf "%s-repo2docker-config" (include "binderhub-ts.fullname" .) -}}
{{- end -}}

{{- define "binderhub-ts.redisHost" -}}
{{- printf "%s-redis" (include "binderhub-ts.fullname" .) -}}
{{- end -}}

{{/*
The configuration file: .Values.config in upstream's shape, plus what the chart
decides (listen address, ports, backend, build namespace, push secret, registry,
repo2docker's ConfigMap).
*/}}
{{- define "binderhub-ts.config" -}}
{{- $c := deepCopy (.Values.config | default dict) -}}
{{- $bh := mergeOverwrite (get $c "BinderHub" | default dict) (dict "bind_host" "0.0.0.0" "port" (int .Values.api.port)) -}}
{{- with include "binderhub-ts.corsAllowOrigin" . }}{{ $_ := set $bh "cors_allow_origin" . }}{{ end -}}
{{- $_ := set $c "BinderHub" $bh -}}
{{- $runner := mergeOverwrite (get $c "Runner" | default dict) (dict "backend" "kubernetes" "metrics_port" (int .Values.runner.metricsPort)) -}}
{{- $_ := set $c "Runner" $runner -}}
{{- $pushSecret := ternary (include "binderhub-ts.pushSecretName" .) "" (or (not (empty .Values.registry.url)) (not (empty .Values.registry.existingPushSecret))) -}}
{{- $k := mergeOverwrite (dict "namespace" (include "binderhub-ts.buildNamespace" .) "push_secret" $pushSecret "service_account" (include "binderhub-ts.buildServiceAccountName" .) "repo2docker_config_map" (include "binderhub-ts.repo2dockerConfigMapName" .)) (get $c "KubernetesBuildExecutor" | default dict) -}}
{{- $_ := set $c "KubernetesBuildExecutor" $k -}}
{{- if .Values.registry.url -}}
{{- $reg := mergeOverwrite (dict "url" (.Values.registry.url | replace "https://index.docker.io/v1/" "https://registry-1.docker.io") "username" .Values.registry.username "password" .Values.registry.password) (get $c "DockerRegistry" | default dict) -}}
{{- $_ := set $c "DockerRegistry" $reg -}}
{{- end -}}
{{- toYaml $c -}}
{{- end -}}

{{/* Environment shared by api and runners: Redis URL and hub token. */}}
{{- define "binderhub-ts.commonEnv" -}}
{{- if or .Values.redis.enabled (and .Values.redis.externalUrl (not .Values.redis.externalUrlSecret.name)) }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "binderhub-ts.fullname" . }}-secrets
      key: redis-url
{{- else if .Values.redis.externalUrlSecret.name }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.externalUrlSecret.name }}
      key: {{ .Values.redis.externalUrlSecret.key }}
{{- end }}
{{- if or .Values.hub.apiToken .Values.hub.existingSecret.name }}
- name: JUPYTERHUB_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ default (printf "%s-secrets" (include "binderhub-ts.fullname" .)) .Values.hub.existingSecret.name }}
      key: {{ ternary .Values.hub.existingSecret.key "hub-api-token" (not (empty .Values.hub.existingSecret.name)) }}
{{- end }}
- name: BUILD_NAMESPACE
  value: {{ include "binderhub-ts.buildNamespace" . | quote }}
{{- end -}}

{{/* Probe path under BinderHub.base_url. */}}
{{- define "binderhub-ts.probePath" -}}
{{- $base := (.root.Values.config.BinderHub | default dict).base_url | default "/" -}}
{{- printf "/%s/%s" (trimAll "/" $base) .path | replace "//" "/" -}}
{{- end -}}
