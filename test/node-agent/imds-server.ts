import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for OCI's instance metadata service on 127.0.0.1 (random port): serves `/opc/v2/vnics/` with the
 * body the test sets, only to requests that carry `Authorization: Bearer Oracle` (as IMDS v2 requires), and
 * records the headers it saw.
 */
export class FakeImds {
  vnics: unknown = [];
  status = 200;
  rawBody: string | undefined;
  delayMs = 0;
  readonly seen: IncomingHttpHeaders[] = [];
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.seen.push(req.headers);
      if (req.headers.authorization !== "Bearer Oracle") {
        res.writeHead(401).end();
        return;
      }
      if (req.url !== "/opc/v2/vnics/") {
        res.writeHead(404).end();
        return;
      }
      setTimeout(() => {
        res.writeHead(this.status, { "content-type": "application/json" });
        res.end(this.rawBody ?? JSON.stringify(this.vnics));
      }, this.delayMs);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/opc/v2/vnics/`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
