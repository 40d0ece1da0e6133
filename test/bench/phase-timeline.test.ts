import { expect } from "chai";
import { marksFromLogs, type NodeMarks, phasesOf, phaseTable, PHASES } from "./phase-timeline";
import { callRates } from "./throttle-bench";

const node = (over: Partial<NodeMarks> = {}): NodeMarks => ({
  node: "n1",
  createdMs: 0,
  putMs: 150,
  batchSentMs: 1600,
  invocationStartMs: 1610,
  reconcileStartMs: 1630,
  readyMs: 2800,
  calls: [
    { operation: "GetInstance", startMs: 1800, endMs: 1900 },
    { operation: "ListVnicAttachments", startMs: 1900, endMs: 2000 },
    { operation: "GetVnic", startMs: 2000, endMs: 2090 },
    { operation: "ListPrivateIps", startMs: 2000, endMs: 2100 },
    { operation: "CreatePrivateIp", startMs: 2200, endMs: 2600 },
    { operation: "CreatePrivateIp", startMs: 2210, endMs: 2700 },
    // After the pool was ready: another reconcile's, not this one's.
    { operation: "CreatePrivateIp", startMs: 2900, endMs: 3300 },
  ],
  ...over,
});

describe("bench: join → ready phase timeline", () => {
  const cases: Array<{ name: string; marks: NodeMarks; expected: Partial<Record<string, number>> }> = [
    {
      name: "cuts a node's path at each marker, the batch read estimated as batch sent − window",
      marks: node(),
      expected: {
        put: 150,
        poll: 450,
        window: 1000,
        fdk: 10,
        decode: 20,
        kubeReads: 170,
        getInstance: 100,
        attachments: 100,
        privateIps: 100,
        inventory: 100,
        creates: 500,
        poolWrite: 100,
      },
    },
    {
      name: "merges a missing marker into the next phase (no stream message seen: all in the batch window)",
      marks: node({ putMs: undefined }),
      expected: { put: 0, poll: 0, window: 1600 },
    },
    {
      name: "never estimates the read before the message was in the stream",
      marks: node({ putMs: 900 }),
      expected: { put: 900, poll: 0, window: 700 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const phases = phasesOf(c.marks, 1000);
      expect(phases).to.include(c.expected);
      const sum = Object.values(phases).reduce((a, b) => a + b, 0);
      expect(sum).to.equal(c.marks.readyMs - c.marks.createdMs);
    });
  }

  it("tabulates p50 and mean per phase with the critical-path step as the bound", () => {
    const rows = phaseTable([node(), node({ node: "n2", readyMs: 3800 })], 1000, [
      { step: "PutMessages (watcher → stream)", ms: 30 },
      { step: "one round of parallel CreatePrivateIp", ms: 400 },
    ]);
    expect(rows.map((r) => r.key)).to.deep.equal(PHASES.map((p) => p.key));
    expect(rows.find((r) => r.key === "put")).to.include({ boundMs: 30, p50Ms: 150 });
    expect(rows.find((r) => r.key === "creates")).to.include({ boundMs: 400, p50Ms: 500 });
    // n2 was ready later, so the create of 2900–3300 ms counts as its own: its pool write took 500 ms.
    expect(rows.find((r) => r.key === "poolWrite")).to.include({ p50Ms: 100, meanMs: 300 });
  });

  it("takes the function's markers from its log lines, calls tied to the node by instance or VNIC", () => {
    const marks = new Map([["n1", node({ invocationStartMs: undefined, reconcileStartMs: undefined, calls: [] })]]);
    marksFromLogs(
      marks,
      [
        { msg: "invocation done", callId: "c1", time: 2900, durationMs: 1300 },
        { action: "reconcile", node: "n1", callId: "c1", time: 2850, durationMs: 1200 },
        {
          msg: "oci call",
          operation: "GetInstance",
          instance: "i1",
          time: "1970-01-01T00:00:01.900Z",
          durationMs: 100,
        },
        { msg: "oci call", operation: "CreatePrivateIp", vnic: "v1", time: 2600, durationMs: 400 },
        { msg: "oci call", operation: "CreatePrivateIp", vnic: "other", time: 2600, durationMs: 400 },
        { msg: "oci call", operation: "GetInstance", instance: "i1", time: 1000, durationMs: 100 },
      ],
      () => "i1",
      () => new Set(["v1"]),
    );
    const m = marks.get("n1")!;
    expect(m).to.include({ invocationStartMs: 1600, reconcileStartMs: 1650 });
    expect(m.calls).to.deep.equal([
      { operation: "GetInstance", startMs: 1800, endMs: 1900 },
      { operation: "CreatePrivateIp", startMs: 2200, endMs: 2600 },
    ]);
  });

  it("finds the busiest second and the mean rate in cumulative call samples", () => {
    const samples = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 2000].map((ms) => ({
      ms,
      calls: ms <= 1100 ? ms / 50 : 30,
    }));
    const r = callRates(samples);
    expect(r.peakCallsPerSecond).to.equal(20);
    expect(r.meanCallsPerSecond).to.equal(15);
  });
});
