# syntax=docker/dockerfile:1
# orgscim's image. Build stage: dependencies from the lockfile with no lifecycle scripts (npm ci
# would otherwise run this package's `prepare`, a full build, before any source is here), then
# better-sqlite3 compiled from source against this Node's own headers, then the sources and the
# build. Runtime stage: the same Node and Debian, production dependencies only, non-root.
# No container engine runs in CI: scripts/dockerfile-replay.ts replays these steps on a clean copy
# holding only what each COPY brings (README, "Deployment"). Keep every instruction to the forms it
# knows (it stops on anything else).
ARG NODE_IMAGE=node:26-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# node-gyp builds against the headers the Node image ships (/usr/local/include/node): no download.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# The one native module, compiled from source (not a prebuilt download), then loaded once.
RUN (cd node_modules/better-sqlite3 && npm run build-release) && node -e "new (require('better-sqlite3'))(':memory:').close()"
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build compiles scripts/ (to dist-scripts/, not copied to the runtime stage) and writes the
# Admin Center's API types from the built /v1 document with one of them (package.json build:admin).
COPY scripts ./scripts
# Building the /v1 document loads the SCIM schemas (schemas/*.json) through the modules it imports.
COPY schemas ./schemas
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=8080 DATABASE_URL=sqlite:/data/orgscim.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "bin/healthcheck.js"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
