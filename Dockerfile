# Two stages: the build stage has every dependency, generates the Prisma client and bundles the gateway
# (scripts/build.mjs); the image itself gets the bundle, the migrations and the production dependencies only.

FROM node:24-slim AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1
# Dependencies first, so the layer is reused while only sources change.
# postinstall runs `prisma generate`, which needs the schema and its script.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# Regenerate in case a host copy of src/generated came along with src/, then bundle: the generated client is
# compiled into dist/, so the image needs neither the Prisma CLI nor src/.
RUN npm run generate && npm run build

FROM node:24-slim
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 NODE_ENV=production
# No devDependencies. postinstall (scripts/prisma-generate.mjs) finds no schema and generates nothing: the bundle
# carries the client. The embedded PostgreSQL's own install script still runs.
# npm keeps what the lockfile marks devOptional (the Prisma CLI and TypeScript, optional peers of @prisma/client,
# and what they need, some 230 MB): the gateway never loads them, so they are removed.
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && node -e "const { packages } = require('./package-lock.json'); for (const [path, entry] of Object.entries(packages)) if (entry.devOptional) require('node:fs').rmSync(path, { recursive: true, force: true })"
# The migrations are read at start (src/db/migrate.ts, two folders above the bundle).
COPY prisma/migrations ./prisma/migrations
COPY --from=build /app/dist ./dist

# DATA_DIR keeps only the demo client's credentials when DATABASE_URL is set.
RUN mkdir -p /app/.data && chown node:node /app/.data
# Not root: the image's own `node` user.
USER node

# MALLOC_ARENA_MAX and the flags are `npm start`'s: why, in scripts/build.mjs (issue #5).
ENV HOST=0.0.0.0 PORT=4000 DATA_DIR=/app/.data MALLOC_ARENA_MAX=2
EXPOSE 4000
# Ready means PostgreSQL answers and every migration is applied (README "Health and shutdown"); the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not npm, so SIGTERM reaches the gateway and it shuts down cleanly.
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=16", "dist/server/main.js"]
