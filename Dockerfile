# Finch server image: `docker build -t finch .`
# The same image runs the HTTP server (default command) and the background worker
# (`node dist/src/worker.js`); docker-compose.yml runs both.

ARG NODE_VERSION=24

# ---------------------------------------------------------------------------
# Build: install every dependency, compile, then drop the development ones.
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app

# Dependencies first, so editing the source does not reinstall them. `npm install` with the
# committed lockfile installs the locked versions; `npm ci` refuses this lockfile because
# it lacks entries for other platforms' optional native binaries (@swc/core-*, jest's
# resolver), which the registry Finch is developed against does not serve. Which
# dependencies may run install scripts is decided by "allowScripts" in package.json.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund

# Sources (.dockerignore keeps out node_modules, dist, data, tests, secrets).
COPY . .
RUN npm run build

# The admin UI (admin-ui/, its own package.json and Vite build) is built here once it
# exists, e.g. `RUN npm ci --prefix admin-ui && npm run build --prefix admin-ui`, and its
# output copied into the runtime stage below next to dist/.

RUN npm prune --omit=dev

# ---------------------------------------------------------------------------
# Runtime: compiled code and production dependencies only, run as the `node` user.
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data

WORKDIR /app

# Code and dependencies stay owned by root: the server cannot rewrite itself.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Email templates are read at run time from the source tree (the same files serve dist/ and tests).
COPY --from=build /app/src/mail/templates ./src/mail/templates
# The example site's schema file, for `finch seed --example`.
COPY --from=build /app/examples ./examples
# The built admin UI will be copied here, e.g.
# COPY --from=build /app/admin-ui/dist ./admin-ui/dist

# The only writable place: media and, when DATABASE_URL is unset, the embedded database.
# Created here so a fresh named volume mounted on it is owned by `node`.
RUN mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 3000

# Liveness only (the process answers HTTP); readiness, which also checks PostgreSQL,
# Redis and migrations, is /readyz. Node's own fetch, so the image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]

# Node directly, not `npm start` (its prestart would compile, and npm would sit between
# the process and SIGTERM).
CMD ["node", "dist/src/main.js"]
