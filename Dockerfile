FROM node:20-slim

WORKDIR /app
ENV CHECKPOINT_DISABLE=1

# Dependencies first, so the layer is reused while only sources change.
# postinstall runs `prisma generate`, which needs the schema and its script.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src
# Regenerate in case a host copy of src/generated came along with src/, then bundle (scripts/build.mjs).
RUN npm run generate && npm run build

# DATA_DIR keeps only the demo client's credentials when DATABASE_URL is set.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

# MALLOC_ARENA_MAX and the flags are `npm start`'s: why, in scripts/build.mjs (issue #5).
ENV HOST=0.0.0.0 PORT=4000 DATA_DIR=/app/.data MALLOC_ARENA_MAX=2
EXPOSE 4000
# Ready means PostgreSQL answers and every migration is applied (README "Health and shutdown"); the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not npm, so SIGTERM reaches the gateway and it shuts down cleanly.
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=16", "dist/server/main.js"]
