# lossband trainer image: `docker compose up` builds it; see docker-compose.yml.
# Pinned base image; bump deliberately together with the engines field in package.json.
FROM node:20.19.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` runs the `prepare` script, which compiles src/ to dist/.
RUN npm ci && npm prune --omit=dev

FROM node:20.19.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY data ./data
COPY docker ./docker
RUN mkdir -p /app/runs && chown node:node /app/runs
USER node
EXPOSE 9464
# Starts the long run, or resumes it from its checkpoint after a restart.
ENTRYPOINT ["/bin/sh", "docker/run-or-resume.sh"]
CMD ["--band", "0.3:0.4"]
