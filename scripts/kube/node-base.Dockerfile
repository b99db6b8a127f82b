# A stand-in for node:20-bookworm-slim on a machine that cannot pull it: this machine's
# Node.js on the local stack's Debian bookworm base image (built by scripts/kube.sh).
ARG BASE_IMAGE=binderhub-ts/jupyter-base:1
FROM ${BASE_IMAGE}
USER root
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY host-ca.crt /usr/local/share/ca-certificates/host-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-ca.crt \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
ENTRYPOINT []
CMD ["node"]
