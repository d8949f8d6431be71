# syntax=docker/dockerfile:1
#
# One image for all of Plafond: the three services and their one-shot jobs share the same build,
# so compose and Kubernetes pull one artefact and the command picks the process.
#   node dist/apps/allocation/src/main.js   (the default command)
#   node dist/apps/ingestion/src/main.js
#   node dist/apps/billing/src/main.js
#   node dist/scripts/migrate.js            (TypeORM migrations, one schema per service)
#   node dist/scripts/provision-topics.js   (idempotent Kafka topic provisioning)
# The web console is its own, smaller image: `docker build --target console -t plafond-console .`
# (the SPA built by Vite and dist/apps/console/server/main.js, which serves it and proxies the APIs).
# Because the entrypoint is `tini -- node`, a command is just the script path, e.g.
#   docker run --rm plafond:local dist/scripts/migrate.js
#
# Pinned to an exact Node 24 LTS patch release; bump it on purpose (--build-arg NODE_VERSION=...).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# Every dependency, dev tools included: the compiler and tsc-alias run in the build stage.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM deps AS build
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
COPY scripts ./scripts
# `npm run build` ends with the console's Vite build (apps/console/vite.config.mts → dist/console).
RUN npm run build

# Production dependencies only, resolved from the same lockfile. Install scripts are skipped:
# no runtime dependency needs one, and it keeps the runtime layer free of build tooling.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts

# The web console: the built SPA and its server, which needs no database, Kafka or key of its own.
# Before `runtime` so that a plain `docker build .` still gives the services' image.
FROM base AS console
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    CONSOLE_PORT=3000
COPY --chown=root:root package.json ./
COPY --chown=root:root --from=prod-deps /app/node_modules ./node_modules
COPY --chown=root:root --from=build /app/dist/libs ./dist/libs
COPY --chown=root:root --from=build /app/dist/apps/console ./dist/apps/console
COPY --chown=root:root --from=build /app/dist/console ./dist/console
COPY --chown=root:root deploy/docker/healthcheck.js ./healthcheck.js
USER 1000:1000
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["node", "healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
CMD ["dist/apps/console/server/main.js"]

FROM base AS runtime
# tini as PID 1 forwards SIGTERM to node and reaps zombies the same way under docker, compose and
# Kubernetes (which has no `--init`); node itself as PID 1 gets no default signal dispositions.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0
COPY --chown=root:root package.json ./
COPY --chown=root:root --from=prod-deps /app/node_modules ./node_modules
COPY --chown=root:root --from=build /app/dist ./dist
COPY --chown=root:root deploy/docker/healthcheck.js ./healthcheck.js
# Numeric uid:gid of the image's `node` user, so Kubernetes can verify runAsNonRoot. The app
# files stay owned by root: the process can read but never rewrite its own code.
USER 1000:1000
EXPOSE 3001 3002 3003
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
CMD ["dist/apps/allocation/src/main.js"]
