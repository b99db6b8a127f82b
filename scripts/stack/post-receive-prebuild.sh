#!/bin/sh
# A git `post-receive` hook that asks binderhub-ts to pre-build every branch pushed to
# this repository, through `POST /api/prebuilds` (docs/webhooks.md). Any git server that
# runs server-side hooks can use it (a bare repository, Gitea, GitLab's server hooks).
# Settings, in the repository's git config:
#
#   git config binderhub.url       http://127.0.0.1:8585/      # the Binder, with its base URL
#   git config binderhub.repourl   git://127.0.0.1:9418/demo.git  # the URL the Binder clones
#   git config binderhub.tokenfile /path/to/prebuild-token     # PrebuildApi.token (or the admin token)
#
# Needs curl and python3 (to write the JSON body). Never makes a push fail: it only reports.
url=$(git config binderhub.url) || { echo "binderhub: binderhub.url is not set; no pre-build"; exit 0; }
repo=$(git config binderhub.repourl) || { echo "binderhub: binderhub.repourl is not set; no pre-build"; exit 0; }
tokenfile=$(git config binderhub.tokenfile) || { echo "binderhub: binderhub.tokenfile is not set; no pre-build"; exit 0; }
token=$(cat "$tokenfile" 2>/dev/null) || { echo "binderhub: cannot read $tokenfile; no pre-build"; exit 0; }

while read -r _old new ref; do
  case "$ref" in
    refs/heads/*) branch=${ref#refs/heads/} ;;
    *) continue ;;
  esac
  [ "$new" = 0000000000000000000000000000000000000000 ] && continue # a deleted branch
  body=$(python3 -c 'import json, sys, urllib.parse as p
q = lambda s: p.quote(s, safe="")
print(json.dumps({"provider": "git", "spec": q(sys.argv[1]) + "/" + q(sys.argv[2])}))' "$repo" "$branch")
  echo "binderhub: pre-build of $branch ($new):"
  curl -sS --max-time 120 -X POST -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data-binary "$body" "${url%/}/api/prebuilds" ||
    echo "binderhub: the request failed (curl exit $?)"
  echo
done
exit 0
