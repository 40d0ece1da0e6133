import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** A probe verdict with the facts behind it (served as JSON, for humans reading `kubectl describe`). */
export interface ProbeResult {
  ok: boolean;
  [fact: string]: unknown;
}

export interface WatcherHttpServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** /healthz: the process is alive and its loops are turning. */
  live(): ProbeResult;
  /** /readyz: the cache is synced and, for the leader, publishing works. */
  ready(): ProbeResult;
}

export interface WatcherHttpServer {
  port: number;
  close(): Promise<void>;
}

/**
 * One port for the kubelet probes and Prometheus: `GET /healthz`, `GET /readyz` (200 or 503 with a JSON body) and
 * `GET /metrics` (Prometheus text format from the watcher's own Registry). Anything else is 404.
 */
export async function startWatcherHttpServer(options: WatcherHttpServerOptions): Promise<WatcherHttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz" || path === "/readyz") {
      let result: ProbeResult;
      try {
        result = path === "/healthz" ? options.live() : options.ready();
      } catch (err) {
        result = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      res.writeHead(result.ok ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify(result));
      return;
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": options.registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`metrics collection failed: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
