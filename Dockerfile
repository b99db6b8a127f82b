# binderhub-ts image: the api and the runners (the Helm chart runs both from it).
#   docker build -t binderhub-ts/binderhub-ts:0.1.0 .
# NODE_IMAGE: any Node.js 20 image on Debian (scripts/kube.sh passes a local one).
ARG NODE_IMAGE=node:20-bookworm-slim
# Build stage: compile TypeScript and bundle the UI.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

# Runtime: production dependencies and the compiled output only.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# git: the api resolves refs of git repositories (git ls-remote)
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# uid/gid 1000 (the chart's securityContext; `node` in the official image)
USER 1000:1000
EXPOSE 8585 8586
CMD ["node", "bin/binderhub-ts.js", "api"]
