import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Just enough of the Kubernetes API for CiliumNode list + watch with a field selector, and Cilium's ConfigMap. */
export class FakeKubeApi {
  nodes = new Map<string, Record<string, any>>();
  /** data of kube-system/cilium-config; undefined answers 404. Default: Cilium does not masquerade. */
  ciliumConfig: Record<string, string> | undefined = { "enable-ipv4-masquerade": "false" };
  rv = 100;
  listFailures = 0;
  readonly requests: URL[] = [];
  private readonly watches = new Set<{ res: ServerResponse; name: string }>();
  private server: Server | undefined;
  url = "";

  put(name: string, pool: Record<string, string>, extra: Record<string, any> = {}): void {
    this.rv += 1;
    const obj = {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNode",
      metadata: { name, resourceVersion: String(this.rv), ...extra },
      spec: { ipam: { pool: Object.fromEntries(Object.entries(pool).map(([ip, resource]) => [ip, { resource }])) } },
    };
    const type = this.nodes.has(name) ? "MODIFIED" : "ADDED";
    this.nodes.set(name, obj);
    this.emit(name, type, obj);
  }

  remove(name: string): void {
    const obj = this.nodes.get(name);
    this.nodes.delete(name);
    this.rv += 1;
    if (obj) this.emit(name, "DELETED", { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } });
  }

  endWatches(): void {
    for (const w of this.watches) w.res.end();
    this.watches.clear();
  }

  openWatches(): number {
    return this.watches.size;
  }

  private emit(name: string, type: string, object: unknown): void {
    for (const w of this.watches) if (w.name === name) w.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      this.requests.push(url);
      if (url.pathname === "/api/v1/namespaces/kube-system/configmaps/cilium-config") {
        const json = { "content-type": "application/json" };
        if (!this.ciliumConfig)
          return void res.writeHead(404, json).end('{"kind":"Status","code":404,"reason":"NotFound"}');
        const metadata = { name: "cilium-config", namespace: "kube-system" };
        const cm = { apiVersion: "v1", kind: "ConfigMap", metadata, data: this.ciliumConfig };
        return void res.writeHead(200, json).end(JSON.stringify(cm));
      }
      if (url.pathname !== "/apis/cilium.io/v2/ciliumnodes") return void res.writeHead(404).end();
      const name = /^metadata\.name=(.+)$/.exec(url.searchParams.get("fieldSelector") ?? "")?.[1];
      if (url.searchParams.get("watch") === "true") {
        res.writeHead(200, { "content-type": "application/json" });
        res.flushHeaders();
        const w = { res, name: name ?? "" };
        this.watches.add(w);
        res.on("close", () => this.watches.delete(w));
        return;
      }
      if (this.listFailures > 0) {
        this.listFailures -= 1;
        return void res.writeHead(500, { "content-type": "application/json" }).end('{"kind":"Status","code":500}');
      }
      const items = [...this.nodes.values()].filter((n) => name === undefined || n.metadata.name === name);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          apiVersion: "cilium.io/v2",
          kind: "CiliumNodeList",
          metadata: { resourceVersion: String(this.rv) },
          items,
        }),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.endWatches();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
