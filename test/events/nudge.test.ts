import { expect } from "chai";
import {
  buildNudge,
  decodeInvocationBody,
  decodeNudge,
  encodeNudgeForStream,
  EventContractError,
  NUDGE_MAX_BYTES,
  type Nudge,
} from "../../events/contracts";

const fixedClock = () => new Date("2026-11-28T10:00:00.000Z");

describe("buildNudge and encodeNudgeForStream", () => {
  it(
    "builds a needs-addresses nudge with the injected clock and id, " +
      "subject = node, source = /ocipam/watcher/<cluster>",
    () => {
      const nudge = buildNudge(
        {
          type: "io.ocipam.node.needs-addresses",
          cluster: "prod",
          node: "worker-1",
          uid: "3f1c1a55-0d5e-4b7e-9a55-1f2e3d4c5b6a",
          resourceVersion: "48213",
          observed: { available: 2, used: 2, needed: 8, excess: 0 },
        },
        { now: fixedClock, idFactory: () => "01JDQ2V6Z8K4N0ZP3X9W7Y5T1R" },
      );
      expect(nudge).to.deep.equal({
        specversion: "1.0",
        id: "01JDQ2V6Z8K4N0ZP3X9W7Y5T1R",
        source: "/ocipam/watcher/prod",
        type: "io.ocipam.node.needs-addresses",
        subject: "worker-1",
        time: "2026-11-28T10:00:00.000Z",
        datacontenttype: "application/json",
        data: {
          node: "worker-1",
          uid: "3f1c1a55-0d5e-4b7e-9a55-1f2e3d4c5b6a",
          resourceVersion: "48213",
          reason: "needs-addresses",
          observed: { available: 2, used: 2, needed: 8, excess: 0 },
        },
      });
    },
  );

  it("derives data.reason from the type for every node type", () => {
    const reasons = (
      ["io.ocipam.node.needs-addresses", "io.ocipam.node.excess-addresses", "io.ocipam.node.resync"] as const
    ).map((type) => buildNudge({ type, cluster: "prod", node: "worker-1" }, { now: fixedClock }));
    expect(reasons.map((n) => (n.type === "io.ocipam.cluster.collect-leaks" ? "" : n.data.reason))).to.deep.equal([
      "needs-addresses",
      "excess-addresses",
      "resync",
    ]);
  });

  it("builds a collect-leaks nudge whose subject and data name the cluster", () => {
    const nudge = buildNudge(
      { type: "io.ocipam.cluster.collect-leaks", cluster: "prod" },
      { now: fixedClock, idFactory: () => "c-1" },
    );
    expect(nudge).to.include({ subject: "prod", type: "io.ocipam.cluster.collect-leaks" });
    expect(nudge.data).to.deep.equal({ cluster: "prod", reason: "collect-leaks" });
  });

  it("gives every nudge a distinct random UUID when no id factory is passed", () => {
    const ids = new Set(
      Array.from({ length: 50 }, () => buildNudge({ type: "io.ocipam.node.resync", cluster: "c", node: "n" }).id),
    );
    expect(ids.size).to.equal(50);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  const badInputs: { name: string; node?: string; field: string; extra?: object }[] = [
    { name: "an upper-case node name", node: "Worker-1", field: "/subject" },
    { name: "a node name with a space and a semicolon", node: "worker-1; reboot", field: "/subject" },
    { name: "a missing node name", node: undefined, field: "/subject" },
    {
      name: "a negative observed count",
      node: "worker-1",
      field: "/data/observed/used",
      extra: { observed: { available: 1, used: -1, needed: 0, excess: 0 } },
    },
    {
      name: "a fractional observed count",
      node: "worker-1",
      field: "/data/observed/needed",
      extra: { observed: { available: 1, used: 0, needed: 0.5, excess: 0 } },
    },
    {
      name: "a resourceVersion with whitespace",
      node: "worker-1",
      field: "/data/resourceVersion",
      extra: { resourceVersion: "12 34" },
    },
  ];
  for (const bad of badInputs) {
    it(`throws a SchemaViolation naming ${bad.field} for ${bad.name}`, () => {
      const build = () =>
        buildNudge({ type: "io.ocipam.node.needs-addresses", cluster: "prod", node: bad.node, ...bad.extra });
      expect(build).to.throw(EventContractError).with.property("field", bad.field);
      expect(build).to.throw(EventContractError).with.property("reason", "SchemaViolation");
    });
  }

  it("throws a SchemaViolation naming /source when the source override is not a URI reference", () => {
    const build = () => buildNudge({ type: "io.ocipam.node.resync", cluster: "prod", node: "w", source: "not a uri" });
    expect(build).to.throw(EventContractError).with.property("field", "/source");
  });

  it("encodes key = base64(subject) and value = base64(JSON), the form Streaming PutMessages expects", () => {
    const nudge = buildNudge(
      { type: "io.ocipam.node.needs-addresses", cluster: "prod", node: "worker-1" },
      { now: fixedClock },
    );
    const entry = encodeNudgeForStream(nudge);
    expect(Buffer.from(entry.key, "base64").toString("utf8")).to.equal("worker-1");
    expect(JSON.parse(Buffer.from(entry.value, "base64").toString("utf8"))).to.deep.equal(nudge);
    expect(Buffer.from(entry.value, "base64").length).to.be.at.most(NUDGE_MAX_BYTES);
  });

  it("keys a collect-leaks nudge by the cluster name", () => {
    const entry = encodeNudgeForStream(buildNudge({ type: "io.ocipam.cluster.collect-leaks", cluster: "prod" }));
    expect(Buffer.from(entry.key, "base64").toString("utf8")).to.equal("prod");
  });

  it("refuses to encode a nudge over the size cap with a typed Oversize error", () => {
    const nudge = buildNudge({ type: "io.ocipam.node.resync", cluster: "prod", node: "worker-1" });
    const bloated = { ...nudge, x: "y".repeat(NUDGE_MAX_BYTES) } as unknown as Nudge;
    expect(() => encodeNudgeForStream(bloated))
      .to.throw(EventContractError)
      .with.property("reason", "Oversize");
  });

  it("round-trips through a Connector Hub batch: what the watcher encodes, the function decodes unchanged", () => {
    const nudges = ["worker-1", "worker-2", "ip-10-0-1-23.eu-frankfurt-1.compute.internal"].map((node, i) =>
      buildNudge(
        {
          type: "io.ocipam.node.needs-addresses",
          cluster: "prod",
          node,
          observed: { available: i, used: i, needed: 8, excess: 0 },
        },
        { now: fixedClock },
      ),
    );
    const batch = nudges.map((nudge, offset) => ({
      stream: "ocipam",
      partition: "0",
      offset,
      timestamp: "2026-11-28T10:00:00Z",
      ...encodeNudgeForStream(nudge),
    }));
    const { records, rejected } = decodeInvocationBody(batch);
    expect(rejected).to.deep.equal([]);
    expect(records.map((r) => (r.kind === "nudge" ? r.nudge : undefined))).to.deep.equal(nudges);
  });

  it("decodes a nudge without data hints and reports the size cap before the schema", () => {
    const nudge = buildNudge({ type: "io.ocipam.node.resync", cluster: "prod", node: "worker-1" });
    expect(decodeNudge(nudge).ok).to.equal(true);
    const decoded = decodeNudge(nudge, { encodedBytes: NUDGE_MAX_BYTES + 1 });
    expect(decoded.ok).to.equal(false);
    if (!decoded.ok) expect(decoded.error).to.include({ reason: "Oversize", field: "" });
  });
});
