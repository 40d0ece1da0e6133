import { expect } from "chai";
import * as common from "oci-common";
import { StreamClient } from "oci-streaming";
import { join } from "node:path";
import { LocalConnector, type ConnectorMessage } from "../../lib/testbed/local/connector";
import { invokeOverSocket } from "../../lib/testbed/local/fdk-client";
import { startFunctionProcess, type FunctionProcess } from "../../lib/testbed/local/function-process";
import { silentLogger } from "../../lib/log";
import { startOciEmulator, type OciEmulator } from "../../lib/testbed/oci-emulator";
import { pollUntil } from "../support/poll";

const STREAM = "ocid1.stream.oc1.iad.emustream000001";

describe("local Connector Hub stand-in", function () {
  this.timeout(30_000);
  let oci: OciEmulator;
  let auth: common.AuthenticationDetailsProvider;

  before(async () => {
    oci = await startOciEmulator({ latency: "zero" });
    const c = oci.credentials;
    auth = new common.SimpleAuthenticationDetailsProvider(
      c.tenancyId,
      c.userId,
      c.fingerprint,
      c.privateKeyPem,
      null,
      common.Region.US_ASHBURN_1,
    );
  });
  after(async () => oci.close());

  const put = async (keys: string[]) => {
    const client = new StreamClient(
      { authenticationDetailsProvider: auth },
      { circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }) },
    );
    client.endpoint = oci.endpoint;
    await client.putMessages({
      streamId: STREAM,
      putMessagesDetails: {
        messages: keys.map((k, i) => ({
          key: Buffer.from(k).toString("base64"),
          value: Buffer.from(JSON.stringify({ k, i })).toString("base64"),
        })),
      },
    });
  };

  const connector = (
    invoke: ConstructorParameters<typeof LocalConnector>[0]["invoke"],
    overrides: Partial<ConstructorParameters<typeof LocalConnector>[0]> = {},
  ) =>
    new LocalConnector({
      auth,
      messagesEndpoint: oci.endpoint,
      streamId: STREAM,
      partitions: 3,
      invoke,
      batchSizeInNum: 5,
      batchSizeInKbs: 1024,
      batchTimeMs: 100,
      functionTimeoutMs: 10_000,
      pollIntervalMs: 20,
      retryBackoffMs: 20,
      log: silentLogger(),
      ...overrides,
    });

  const until = (cond: () => boolean, ms = 10_000) => pollUntil(cond, { timeoutMs: ms, intervalMs: 20 });

  it(
    "delivers every message once, in batches no larger than " + "batchSizeInNum, as Connector Hub's JSON array",
    async () => {
      const batches: ConnectorMessage[][] = [];
      const c = connector(async (payload) => {
        batches.push(JSON.parse(payload) as ConnectorMessage[]);
        return { statusCode: 200, headers: {}, body: "{}", durationMs: 1 };
      });
      await put(Array.from({ length: 12 }, (_, i) => `node-${i}`));
      c.start();
      await until(() => batches.flat().length === 12);
      await c.stop();
      expect(batches.every((b) => b.length <= 5)).to.equal(true);
      const first = batches[0]![0]!;
      expect(Object.keys(first).sort()).to.deep.equal(["key", "offset", "partition", "stream", "timestamp", "value"]);
      expect(Buffer.from(first.key!, "base64").toString()).to.match(/^node-\d+$/);
      const seen = batches
        .flat()
        .map((m) => Buffer.from(m.key!, "base64").toString())
        .sort();
      expect(seen).to.deep.equal(Array.from({ length: 12 }, (_, i) => `node-${i}`).sort());
      // one key → one partition, and offsets rise within a partition
      for (const p of ["0", "1", "2"]) {
        const offsets = batches
          .flat()
          .filter((m) => m.partition === p)
          .map((m) => m.offset);
        expect(offsets).to.deep.equal([...offsets].sort((a, b) => a - b));
      }
    },
  );

  it("sends a partial batch once batchTimeInSec has passed since its first message", async () => {
    const sizes: number[] = [];
    const c = connector(
      async (payload) => {
        sizes.push((JSON.parse(payload) as unknown[]).length);
        return { statusCode: 200, headers: {}, body: "{}", durationMs: 1 };
      },
      { batchSizeInNum: 100, batchTimeMs: 150 },
    );
    c.start();
    await until(() => c.idle); // what the stream already held is delivered first (the cursor starts at TRIM_HORIZON)
    sizes.length = 0;
    await put(["late-1", "late-2"]);
    await until(() => sizes.reduce((a, b) => a + b, 0) >= 2);
    await c.stop();
    expect(sizes).to.deep.equal([2]);
  });

  describe("with a real function over the FDK socket", () => {
    let fn: FunctionProcess;
    before(async () => {
      fn = await startFunctionProcess({
        entry: join(__dirname, "..", "fixtures", "functions", "flaky-function.ts"),
        config: { FLAKY_FAILURES: "2" },
      });
    });
    after(async () => fn.stop());

    it("re-delivers a failed batch whole until the function succeeds (at least once)", async () => {
      const answers: number[] = [];
      const c = connector(
        async (payload, callId, deadline) => {
          const res = await invokeOverSocket(fn.socketPath, payload, { callId, deadline });
          answers.push(res.statusCode);
          return res;
        },
        { batchSizeInNum: 100, batchTimeMs: 50 },
      );
      await put(["retry-a", "retry-b", "retry-c"]);
      c.start();
      await until(() => c.stats.batches >= 1);
      await c.stop();
      expect(answers.slice(0, 3)).to.deep.equal([502, 502, 200]);
      expect(c.stats.redeliveries).to.equal(2);
      expect(c.stats.failedInvocations).to.equal(2);
    });
  });
});
