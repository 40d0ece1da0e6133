import { expect } from "chai";
import { atShapeCapacity, judgeRun, type NodeAtEnd } from "../../lib/testbed/local/report-verdict";
import type { SafetyCheck } from "../../lib/testbed/local/safety";

const node = (over: Partial<NodeAtEnd> = {}): NodeAtEnd => ({
  node: "worker-000",
  podsWaiting: 0,
  state: "Ready",
  reason: "PoolSatisfied",
  vnics: 2,
  vnicSlots: 2,
  pool: 50,
  used: 42,
  joinToReadyS: 3,
  ...over,
});
/** Every VNIC slot used, nothing free in the pool, the record says the shape is the limit; 12 pods wait. */
const full = (over: Partial<NodeAtEnd> = {}) =>
  node({
    state: "AtCapacity",
    reason: "VnicSlotsExhausted",
    vnics: 1,
    vnicSlots: 1,
    pool: 30,
    used: 30,
    podsWaiting: 12,
    ...over,
  });
const passing: SafetyCheck = { property: "2. nothing leaks", ok: true, detail: "" };
const failing: SafetyCheck = { property: "3. never release an IP in use", ok: false, detail: "" };

interface Row {
  name: string;
  quiesced?: boolean;
  safety?: SafetyCheck[];
  nodes: NodeAtEnd[];
  ok: boolean;
  failures?: RegExp[];
  flags?: number;
  waiting: number;
  atShape?: string[];
}

const couldHold = [/could hold them/];
const rows: Row[] = [
  { name: "passes a settled run where every pod has an address", nodes: [node()], ok: true, waiting: 0 },
  {
    name: "passes but flags pods waiting on a node its shape cannot grow",
    nodes: [full()],
    ok: true,
    flags: 1,
    waiting: 12,
    atShape: ["worker-000"],
  },
  {
    name: "fails when pods wait on a node with a free VNIC slot",
    nodes: [full({ vnicSlots: 2 })],
    ok: false,
    waiting: 12,
    failures: [/12 pods wait on worker-000 .*could hold them/],
  },
  {
    name: "fails when pods wait while the pool still has free addresses",
    nodes: [full({ pool: 31 })],
    ok: false,
    failures: couldHold,
    waiting: 12,
  },
  {
    name: "fails when pods wait on a node capped by max-allocate rather than its shape",
    nodes: [full({ reason: "MaxAllocateReached" })],
    ok: false,
    failures: couldHold,
    waiting: 12,
  },
  {
    name: "fails when pods wait on a node whose subnets are full, not its shape",
    nodes: [full({ reason: "VnicSubnetsFull" })],
    ok: false,
    failures: couldHold,
    waiting: 12,
  },
  {
    name: "fails when pods wait on a node in Error",
    nodes: [node({ state: "Error", reason: "InstanceNotRunning", podsWaiting: 3 })],
    ok: false,
    failures: [/3 pods wait on worker-000 \(Error InstanceNotRunning/],
    waiting: 3,
  },
  {
    name: "fails when the record claims the shape limit but a VNIC slot is free and pods wait",
    nodes: [full({ vnics: 2, vnicSlots: 3 })],
    ok: false,
    failures: couldHold,
    waiting: 12,
  },
  {
    name: "fails a run that did not quiesce",
    quiesced: false,
    nodes: [node()],
    ok: false,
    failures: [/did not quiesce/],
    waiting: 0,
  },
  {
    name: "fails a run with a failed safety property",
    safety: [passing, failing],
    nodes: [node()],
    ok: false,
    failures: [/safety: 3\. never release/],
    waiting: 0,
  },
  {
    name: "fails a run with a node that never became ready",
    nodes: [node(), node({ node: "worker-001", joinToReadyS: null })],
    ok: false,
    failures: [/never ready: worker-001/],
    waiting: 0,
  },
  {
    name: "counts waiting pods of every node and keeps a full node's flag next to another node's failure",
    nodes: [
      full(),
      node({ node: "worker-001", podsWaiting: 2, state: "Allocating", reason: "AttachmentInProgress", vnics: 1 }),
    ],
    ok: false,
    failures: [/2 pods wait on worker-001/],
    flags: 1,
    waiting: 14,
    atShape: ["worker-000"],
  },
];

describe("the verdict of an ocipam local run", () => {
  for (const row of rows) {
    it(row.name, () => {
      const v = judgeRun({ quiesced: row.quiesced ?? true, safety: row.safety ?? [passing], nodes: row.nodes });
      expect(v.ok).to.equal(row.ok);
      const failures = row.failures ?? [];
      expect(v.failures).to.have.length(failures.length);
      failures.forEach((re, i) => {
        expect(v.failures[i]).to.match(re);
      });
      expect(v.flags).to.have.length(row.flags ?? 0);
      expect(v.podsWaiting).to.equal(row.waiting);
      expect(v.nodesAtShapeCapacity).to.deep.equal(row.atShape ?? []);
    });
  }

  it("calls a node at capacity by its shape only when it is full whether or not pods wait", () => {
    expect(atShapeCapacity(full({ podsWaiting: 0 }))).to.equal(true);
    expect(atShapeCapacity(node())).to.equal(false);
  });
});
