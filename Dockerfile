# One image for both roles: the ingress by default; docker-compose.yml runs the worker from the same image with
# `node apps/worker/dist/main.js`.

# Build stage: every dependency, then the bundles (apps/*/dist), the console (apps/console/dist), the protocol
# package, the SDK and the CLI.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
COPY scripts ./scripts
COPY workflows ./workflows
RUN npm ci --no-audit --no-fund && npm run build

# Runtime stage: production dependencies only, the built files, tini as PID 1, a non-root user.
FROM node:20-bookworm-slim
# tini as PID 1 passes SIGTERM/SIGINT on to node and reaps orphaned processes, which node as PID 1 would not do.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
# The manifests of every workspace, for `npm ci` to install what each one needs at run time; the CLI's launcher too,
# so npm links the `hookflow` command (`docker compose exec ingress npx hookflow …`).
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/shared/package.json packages/shared/
COPY packages/sdk/package.json packages/sdk/
COPY packages/cli/package.json packages/cli/
COPY packages/cli/bin packages/cli/bin
COPY apps/ingress/package.json apps/ingress/
COPY apps/worker/package.json apps/worker/
COPY apps/console/package.json apps/console/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/apps/ingress/dist apps/ingress/dist
COPY --from=build /app/apps/worker/dist apps/worker/dist
COPY --from=build /app/apps/console/dist apps/console/dist
COPY --from=build /app/packages/protocol/dist packages/protocol/dist
COPY --from=build /app/packages/sdk/dist packages/sdk/dist
COPY --from=build /app/packages/cli/dist packages/cli/dist
COPY workflows ./workflows
USER node
EXPOSE 8080 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
# node itself, not npm: the signal from `docker stop` reaches the process that drains.
CMD ["node", "apps/ingress/dist/main.js"]
