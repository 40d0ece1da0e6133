import type { Plugin } from "esbuild";
import { join } from "node:path";

/**
 * pino's lib/transport.js requires `thread-stream` when pino loads, though only transports use it (pino.transport()
 * or the `transport` option: log processing in a worker thread). The function gives pino a destination stream
 * (lib/log.ts) and configures no transport, so in the bundle `thread-stream` resolves, when pino asks for it, to
 * shims/thread-stream.cjs, whose constructor throws a clear error if a transport were ever configured.
 */
export function pinoWithoutTransportsPlugin(): Plugin {
  return {
    name: "pino-without-transports",
    setup(build) {
      const shim = join(__dirname, "shims", "thread-stream.cjs");
      build.onResolve({ filter: /^thread-stream$/ }, (args) =>
        /[\\/]node_modules[\\/]pino[\\/]lib[\\/]transport\.js$/.test(args.importer) ? { path: shim } : undefined,
      );
    },
  };
}
