import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as common from "oci-common";
import { OciStreamPublisher, type RequestOutcome } from "../../events/watcher/adapters/oci-stream-publisher";
import { startOciEmulator, type OciEmulator } from "../../lib/testbed/oci-emulator";
import { OciApiError } from "../../lib/ports/oci-errors";

function entry(node: string) {
  return { key: Buffer.from(node).toString("base64"), value: Buffer.from(JSON.stringify({ node })).toString("base64") };
}

describe("oci-streaming publisher", function () {
  this.timeout(15_000);
  let oci: OciEmulator;
  let dir: string;
  let auth: common.AuthenticationDetailsProvider;
  let streamId: string;
  const outcomes: RequestOutcome[] = [];
  const publishers: OciStreamPublisher[] = [];

  const publisher = (options: Partial<ConstructorParameters<typeof OciStreamPublisher>[0]> = {}) => {
    const p = new OciStreamPublisher({
      streamId,
      endpoint: oci.endpoint,
      authenticationDetailsProvider: auth,
      attempts: 4,
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      onRequest: (_s, outcome) => outcomes.push(outcome),
      ...options,
    });
    publishers.push(p);
    return p;
  };

  before(async () => {
    oci = await startOciEmulator({ latency: "zero" });
    dir = mkdtempSync(join(tmpdir(), "ocipam-pub-"));
    const written = oci.writeOciConfig(dir);
    auth = new common.ConfigFileAuthenticationDetailsProvider(written.configPath, written.profile);
    streamId = String(oci.admin.snapshot().streams[0]!.id);
  });
  after(async () => {
    await oci.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    outcomes.length = 0;
    oci.admin.clearFaults();
    oci.admin.resetCounters();
  });
  afterEach(async () => {
    for (const p of publishers.splice(0)) await p.close();
  });

  it("appends entries as given (already base64) and reports partition and offset for each", async () => {
    const results = await publisher().publish([entry("worker-1"), entry("worker-2")], new AbortController().signal);
    expect(results).to.have.length(2);
    for (const r of results) expect(r).to.include({ ok: true }).and.to.have.keys("ok", "partition", "offset");
    expect(oci.admin.countersByStatus().PutMessages).to.deep.equal({ "200": 1 });
    expect(outcomes).to.deep.equal(["ok"]);
  });

  it("retries 429 TooManyRequests and 5xx, then succeeds", async () => {
    oci.admin.injectFault({ operation: "PutMessages", status: 429, code: "TooManyRequests", count: 1 });
    oci.admin.injectFault({ operation: "PutMessages", status: 503, code: "ServiceUnavailable", count: 1 });
    const results = await publisher().publish([entry("worker-1")], new AbortController().signal);
    expect(results[0]).to.include({ ok: true });
    expect(oci.admin.countersByStatus().PutMessages).to.deep.equal({ "429": 1, "503": 1, "200": 1 });
    expect(outcomes).to.deep.equal(["error", "error", "ok"]);
  });

  it("does not retry 404 NotAuthorizedOrNotFound and rejects with the typed error", async () => {
    oci.admin.injectFault({ operation: "PutMessages", status: 404, code: "NotAuthorizedOrNotFound", count: 1 });
    const err = await publisher()
      .publish([entry("worker-1")], new AbortController().signal)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(OciApiError);
    expect(err).to.include({
      statusCode: 404,
      serviceCode: "NotAuthorizedOrNotFound",
      reason: "OciNotAuthorizedOrNotFound",
    });
    expect(oci.admin.countersByStatus().PutMessages).to.deep.equal({ "404": 1 });
  });

  it("gives up after the configured attempts", async () => {
    oci.admin.injectFault({ operation: "PutMessages", status: 500, code: "InternalServerError" });
    const err = await publisher({ attempts: 3 })
      .publish([entry("worker-1")], new AbortController().signal)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(OciApiError);
    expect(oci.admin.countersByStatus().PutMessages).to.deep.equal({ "500": 3 });
  });

  it("keeps retrying past the SDK circuit breaker's threshold of 10 failures (the breaker is off)", async () => {
    oci.admin.injectFault({ operation: "PutMessages", status: 500, code: "InternalServerError", count: 12 });
    const p = publisher({ attempts: 13, backoffBaseMs: 1, backoffMaxMs: 2 });
    const results = await p.publish([entry("worker-1")], new AbortController().signal);
    expect(results[0]).to.include({ ok: true });
    expect(oci.admin.countersByStatus().PutMessages).to.deep.equal({ "500": 12, "200": 1 });
  });

  it("stops retrying as soon as the signal aborts (leadership lost)", async () => {
    oci.admin.injectFault({ operation: "PutMessages", status: 500, code: "InternalServerError" });
    const abort = new AbortController();
    const p = publisher({ attempts: 100, backoffBaseMs: 50, backoffMaxMs: 50 });
    const pending = p.publish([entry("worker-1")], abort.signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 30));
    abort.abort();
    const err = await pending;
    expect(err).to.be.instanceOf(OciApiError);
    expect(oci.admin.counters().PutMessages).to.be.at.most(2);
  });

  it("aborts the request in flight when the signal aborts, instead of waiting for its answer", async () => {
    oci.admin.injectFault({ operation: "PutMessages", delayMs: 3000, count: 1 });
    const abort = new AbortController();
    const started = Date.now();
    const pending = publisher({ requestTimeoutMs: 60_000 })
      .publish([entry("worker-1")], abort.signal)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    const err = await pending;
    expect(err).to.be.instanceOf(OciApiError);
    expect(Date.now() - started).to.be.below(2000, "the 3 s answer was not awaited");
  });

  it("counts a request without an answer within the timeout as a retryable failure", async () => {
    oci.admin.injectFault({ operation: "PutMessages", delayMs: 400, count: 1 });
    const results = await publisher({ requestTimeoutMs: 100 }).publish(
      [entry("worker-1")],
      new AbortController().signal,
    );
    expect(results[0]).to.include({ ok: true });
    expect(outcomes).to.deep.equal(["error", "ok"]);
  });

  describe("against a stream that rejects some entries inside a 200 answer", () => {
    let server: Server;
    let bodies: Array<{ messages: Array<{ key: string }> }>;

    before(async () => {
      bodies = [];
      // Streaming reports per-partition throttling per entry ("429" inside "200 OK": oracle/oci-go-sdk issue 479).
      server = createServer((req, res) => {
        let raw = "";
        req.on("data", (c) => (raw += c));
        req.on("end", () => {
          const body = JSON.parse(raw) as { messages: Array<{ key: string }> };
          bodies.push(body);
          const first = bodies.length === 1;
          const entries = body.messages.map((m, i) =>
            first && i % 2 === 1
              ? { error: "429", errorMessage: "Request was throttled because bytes limit exhausted" }
              : { partition: "0", offset: bodies.length * 10 + i },
          );
          res.writeHead(200, { "content-type": "application/json", "opc-request-id": "fake" });
          res.end(JSON.stringify({ failures: entries.filter((e) => "error" in e).length, entries }));
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    it("retries only the rejected entries and reports a partial outcome", async () => {
      const port = (server.address() as AddressInfo).port;
      const input = ["n0", "n1", "n2", "n3"].map(entry);
      const results = await publisher({ endpoint: `http://127.0.0.1:${port}` }).publish(
        input,
        new AbortController().signal,
      );
      expect(results.every((r) => r.ok)).to.equal(true);
      expect(bodies.map((b) => b.messages.map((m) => Buffer.from(m.key, "base64").toString()))).to.deep.equal([
        ["n0", "n1", "n2", "n3"],
        ["n1", "n3"],
      ]);
      expect(outcomes).to.deep.equal(["partial", "ok"]);
    });
  });
});
