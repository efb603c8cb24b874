# Build: compile the AssemblyScript kernels and the TypeScript (dev dependencies needed), then
# keep only production dependencies in the runtime image.
# NODE_IMAGE: any Node 20 image on Debian; without a registry, scripts/compose-base-images.sh builds
# one (lrf-node:20) and `NODE_IMAGE=lrf-node:20 docker compose build` uses it.
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY assembly ./assembly
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
COPY bench ./bench
# native/: npm ci builds the AVX-512/AVX2 addon when a compiler is present (not in this slim image:
# the build warns and the service runs on WebAssembly SIMD)
COPY native ./native
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/native ./native
COPY package.json ./
USER node
EXPOSE 3000
# API by default (WORKERS=0: workers run as their own service); `npm run worker` for a worker.
CMD ["node", "dist/src/server.js"]
