# The build pods' image for the local cluster: repo2docker (and git) on the local
# stack's base image, built by scripts/kube.sh (no public container registry here).
ARG BASE_IMAGE=binderhub-ts/jupyter-base:1
FROM ${BASE_IMAGE}
ARG REPO2DOCKER_SPEC
ARG DOCKER_PY_SPEC
USER root
COPY host-ca.crt /tmp/host-ca.crt
RUN apt-get update -q && apt-get install -y -q --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/repo2docker \
    && PIP_CERT=/tmp/host-ca.crt PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
       /opt/repo2docker/bin/pip install -q "${REPO2DOCKER_SPEC}" "${DOCKER_PY_SPEC}" \
    && rm /tmp/host-ca.crt
ENV PATH=/opt/repo2docker/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    VIRTUAL_ENV=/opt/repo2docker HOME=/root
WORKDIR /tmp
CMD ["jupyter-repo2docker", "--help"]
