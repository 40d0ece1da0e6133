import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AgentHealth } from "./agent";

export interface HealthServerOptions {
  /** Where the agent's state comes from (NodeAgent.health). */
  health: () => AgentHealth;
  host: string;
  port: number;
  /** A live agent attempts a pass at least this often (resync period plus slack); older means stuck. */
  maxSilenceMs: number;
  now?: () => number;
}

/**
 * Probe endpoints for the DaemonSet: `/healthz` answers 200 while the loop keeps attempting passes, `/readyz`
 * answers 200 once a pass has reached the kernel. With hostNetwork the kubelet probes 127.0.0.1 on the node, so the
 * server binds loopback only and exposes nothing on the node's addresses.
 */
export async function startHealthServer(
  options: HealthServerOptions,
): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const now = options.now ?? Date.now;
  const server = createServer((req, res) => {
    const state = options.health();
    let ok: boolean;
    if (req.url === "/healthz") {
      const last = state.lastAttemptAt?.getTime();
      ok = last === undefined || now() - last <= options.maxSilenceMs;
    } else if (req.url === "/readyz") {
      ok = state.ready;
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok, ...state }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
