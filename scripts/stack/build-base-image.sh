#!/usr/bin/env bash
# Build the Jupyter-ready base image (binderhub-ts/jupyter-base:1) offline:
# no public container registry is used. A Debian bookworm root file system is
# made with mmdebstrap from the host's apt mirror, Python packages come from
# the host's pip index (PyPI or whatever pip is configured to use), and the
# result is loaded with `docker import`.
#
# Usage: build-base-image.sh <image tag> <work dir>
# The image has jupyterhub-singleuser (the hub's own version, from requirements.txt), as
# repo2docker's images do: with hub login (stack.sh up --auth) servers run it.
# Environment: BASE_NOTEBOOK_SPEC (default 'notebook>=7,<8'), BASE_MIRROR
# (default: the first Debian mirror in the host's apt sources).
set -euo pipefail

TAG="${1:?usage: build-base-image.sh <tag> <work dir>}"
WORK="${2:?usage: build-base-image.sh <tag> <work dir>}"
NOTEBOOK_SPEC="${BASE_NOTEBOOK_SPEC:-notebook>=7,<8}"
HUB_SPEC="$(grep -E '^jupyterhub==' "$(dirname "${BASH_SOURCE[0]}")/requirements.txt")"
SUITE=bookworm

say() { printf '[stack]   base image: %s\n' "$*"; }

# The first Debian mirror URL named in the host's apt sources (one-line or
# deb822 format), skipping the security archive.
host_mirror() {
  local f line
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    while IFS= read -r line; do
      case "$line" in
        URIs:*) set -- ${line#URIs:} ;;
        deb\ *) set -- $(printf '%s\n' "$line" | sed -E 's/^deb +(\[[^]]*\] +)?//') ;;
        *) continue ;;
      esac
      for u in "$@"; do
        case "$u" in
          *security*) ;;
          http*://*/debian | http*://*/debian/) printf '%s\n' "${u%/}"; return 0 ;;
        esac
      done
    done <"$f"
  done
  echo "no Debian mirror found in /etc/apt/sources.list(.d); set BASE_MIRROR to one" >&2
  return 1
}

MIRROR="${BASE_MIRROR:-$(host_mirror)}" || exit 1
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
ROOTFS_TAR="$WORK/rootfs.tar"
rm -f "$ROOTFS_TAR"

# Host pip configuration, handed to pip inside the chroot (index URL, the CA
# bundle of a TLS-intercepting egress proxy, ...).
PIP_ENV=()
for v in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_DEFAULT_TIMEOUT; do
  if [ -n "${!v:-}" ]; then PIP_ENV+=("$v=${!v}"); fi
done
PIP_CONF=""
for f in /etc/pip.conf "${HOME:-/root}/.config/pip/pip.conf" "${HOME:-/root}/.pip/pip.conf"; do
  if [ -r "$f" ]; then PIP_CONF="$f"; break; fi
done
HOST_CA=/etc/ssl/certs/ca-certificates.crt
[ -r "$HOST_CA" ] || HOST_CA=""

HOOK_DIR="$WORK/hook"
rm -rf "$HOOK_DIR" && mkdir -p "$HOOK_DIR"
[ -n "$PIP_CONF" ] && cp "$PIP_CONF" "$HOOK_DIR/pip.conf"
[ -n "$HOST_CA" ] && cp "$HOST_CA" "$HOOK_DIR/host-ca.crt"
{
  echo '#!/bin/sh'
  echo 'set -eu'
  echo 'root="$1"'
  echo 'echo "[stack]   base image: creating user jovyan (uid 1000)"'
  echo 'chroot "$root" useradd --create-home --uid 1000 --user-group --shell /bin/bash jovyan'
  echo 'mkdir -p "$root/tmp/stack-hook"'
  echo "cp -r '$HOOK_DIR/.' \"\$root/tmp/stack-hook/\""
  echo 'echo "[stack]   base image: creating /opt/venv and installing '"$NOTEBOOK_SPEC"' from the pip index"'
  echo 'chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin python3 -m venv /opt/venv'
  # env -i: the host's REQUESTS_CA_BUNDLE, PIP_FIND_LINKS, ... name host paths
  printf 'chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_PROGRESS_BAR=off'
  [ -n "$PIP_CONF" ] && printf ' PIP_CONFIG_FILE=/tmp/stack-hook/pip.conf'
  [ -n "$HOST_CA" ] && printf ' PIP_CERT=/tmp/stack-hook/host-ca.crt REQUESTS_CA_BUNDLE=/tmp/stack-hook/host-ca.crt SSL_CERT_FILE=/tmp/stack-hook/host-ca.crt'
  for e in "${PIP_ENV[@]}"; do printf " %q" "$e"; done
  printf " /opt/venv/bin/pip install --quiet %q 'jupyter-server>=2,<3' %q\n" "$NOTEBOOK_SPEC" "$HUB_SPEC"
  echo 'rm -rf "$root/tmp/stack-hook"'
  # keep (and complete) the bytecode: without it every container start
  # compiles jupyter-server/jupyterlab from source, seconds of CPU each
  echo 'chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /opt/venv/bin/python -m compileall -q -j 0 /opt/venv >/dev/null || true'
  echo 'chroot "$root" chown -R 1000:1000 /opt/venv /home/jovyan'
  echo 'rm -rf "$root/var/cache/apt/"* "$root/var/lib/apt/lists/"* "$root/root/.cache"'
} >"$HOOK_DIR/customize.sh"
chmod +x "$HOOK_DIR/customize.sh"

say "debootstrapping $SUITE (minbase) from $MIRROR"
mmdebstrap \
  --quiet \
  --variant=minbase \
  --mode=root \
  --format=tar \
  --include=python3,python3-venv,ca-certificates,tini \
  --aptopt='APT::Install-Recommends "false"' \
  --aptopt='APT::Install-Suggests "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --customize-hook="$HOOK_DIR/customize.sh \"\$1\"" \
  "$SUITE" "$ROOTFS_TAR" "$MIRROR"

say "importing $(du -h "$ROOTFS_TAR" | cut -f1) root file system into Docker as $TAG"
docker import \
  --change 'USER jovyan' \
  --change 'WORKDIR /home/jovyan' \
  --change 'ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV LC_ALL=C.UTF-8' \
  --change 'ENV HOME=/home/jovyan' \
  --change 'ENV SHELL=/bin/bash' \
  --change 'ENV NB_USER=jovyan' \
  --change 'ENV NB_UID=1000' \
  --change 'ENV VIRTUAL_ENV=/opt/venv' \
  --change 'EXPOSE 8888' \
  --change 'ENTRYPOINT ["/usr/bin/tini", "-g", "--"]' \
  --change 'CMD ["jupyter", "notebook", "--ip=0.0.0.0", "--port=8888", "--no-browser"]' \
  --change 'LABEL org.opencontainers.image.title=binderhub-ts-jupyter-base' \
  --change "LABEL org.binderhub-ts.builder-rev=${BASE_BUILDER_REV:-unknown}" \
  --message "binderhub-ts local base image ($SUITE minbase + $NOTEBOOK_SPEC)" \
  "$ROOTFS_TAR" "$TAG" >/dev/null
rm -f "$ROOTFS_TAR"
rm -rf "$HOOK_DIR"
say "done: $(docker image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')"
