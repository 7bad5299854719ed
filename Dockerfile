# The API / dispatcher / migrations image: `reactorcide serve`, `reactorcide dispatcher`,
# `reactorcide migrate`. Multi-stage: the build stage compiles dist/ and prunes dev dependencies;
# the final stage holds only what the npm package ships (bin, dist, migrations, protos) and the
# production node_modules, and runs as a non-root user under tini (signals forwarded, zombies reaped).
# Build: docker build -t reactorcide:0.1.0 .
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/migrations ./migrations
COPY --from=build /src/adapters/corndogs/*.proto ./adapters/corndogs/
RUN ln -s /app/bin/reactorcide.js /usr/local/bin/reactorcide
# The chart mounts an emptyDir at /tmp and keeps the root filesystem read-only.
ENV NODE_ENV=production REACTORCIDE_HOST=0.0.0.0 REACTORCIDE_PORT=7007 HOME=/tmp
USER 10001:10001
EXPOSE 7007
ENTRYPOINT ["tini", "--", "reactorcide"]
CMD ["serve"]
