import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A loopback TCP proxy that can misbehave like a network: `pass` forwards, `refuse` resets every connection
 * (old and new), `blackhole` keeps connections open but forwards nothing (a half-open connection no error
 * ever reports).
 */
export interface TcpProxy {
  readonly port: number;
  /** Switches behaviour at once; `refuse` also resets the connections already open. */
  mode(mode: "pass" | "refuse" | "blackhole"): void;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let current: "pass" | "refuse" | "blackhole" = "pass";
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const server: Server = createServer((client) => {
    if (current === "refuse") {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    // In blackhole mode bytes are read and discarded in both directions.
    client.on("data", (d) => current === "pass" && upstream.write(d));
    upstream.on("data", (d) => current === "pass" && client.write(d));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    mode(mode) {
      current = mode;
      if (mode === "refuse") for (const p of [...pairs]) p.client.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of [...pairs]) {
          p.client.destroy();
          p.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
