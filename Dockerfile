# syntax=docker/dockerfile:1
#
# Image of the allocator function for OCI Functions. func.yaml says `runtime: docker`, so `fn build` and
# `fn deploy` build this file; `docker build --platform linux/amd64 -t <image> .` works the same (see infra/README.md).
#
# Stage 1 compiles the function into ONE CommonJS file with esbuild (`npm run bundle`, functions/build/): no
# TypeScript runtime and no node_modules reach the image, and the bundle loads in a fraction of the time of the
# unbundled tree (functions/build/measure-load.ts measures both).
FROM node:22 AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY lib ./lib
COPY events ./events
COPY functions ./functions
# --no-measure: load-time numbers taken inside an image build are noise; the build alone is what the image needs.
RUN npm run bundle -- --no-measure

# Stage 2: the Fn project's Node 22 runtime image, the run image the fn CLI uses for `runtime: node22`
# (fnproject/cli langs/node.go: fnproject/node:<version>; Node 22 is the OCI Functions Node runtime).
FROM fnproject/node:22
WORKDIR /function
# Only the bundle. It stays owned by root and read-only for the function's user.
COPY --from=build /build/dist/func.cjs /function/func.cjs
# OCI Functions always starts the container as user "fn", UID 1000 / GID 1000, without capabilities
# (docs.oracle.com/iaas/Content/Functions/Tasks/functionsrunningasunprivileged.htm). Declaring the same numeric
# user makes a local `docker run` or `fn run` behave like the service; no passwd entry is needed for a numeric USER.
USER 1000:1000
ENTRYPOINT ["node", "/function/func.cjs"]
