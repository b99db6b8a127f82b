# binderhub-ts image: the api and the runners (the Helm chart runs both from it).
#   docker build -t binderhub-ts/binderhub-ts:0.1.0 .
# Build stage: compile TypeScript and bundle the UI.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

# Runtime: production dependencies and the compiled output only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# uid/gid 1000 (the chart's securityContext)
USER node
EXPOSE 8585 8586
CMD ["node", "bin/binderhub-ts.js", "api"]
