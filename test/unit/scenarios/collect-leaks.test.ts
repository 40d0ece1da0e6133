import { expect } from "chai";
import { collectLeaks } from "../../../lib/collect/collect-leaks";
import { prewarmInstance } from "../../../lib/reconcile/prewarm";
import { reconcileNode } from "../../../lib/reconcile/reconcile-node";
import { fakeDeps, type FakeDeps } from "../../fakes/fake-deps";

/** Leak collection passes against the in-memory fakes: mark, wait the grace period, delete only what is orphaned. */

const GRACE_MS = 600_000;
const collect = (deps: FakeDeps) =>
  collectLeaks(deps, deps.world.collectorPorts(), { deadline: deps.world.deadline(), callId: "call-c" });
const secondaryIps = (deps: FakeDeps) => [...deps.world.oci.privateIps.values()].filter((ip) => !ip.isPrimary);

/** A node with its 8 IPs, then the node leaves Kubernetes while its instance runs on: its IPs are orphans. */
async function nodeGone(deps: FakeDeps): Promise<string> {
  const instance = deps.world.joinNode("n1");
  await reconcileNode("n1", deps, { deadline: deps.world.deadline(), callId: "call-r" });
  deps.world.deleteNode("n1");
  return instance.id;
}

describe("scenario: leak collection", () => {
  it("marks an orphan on the first pass and deletes it on a pass after the grace period", async () => {
    const deps = fakeDeps();
    await nodeGone(deps);
    const first = await collect(deps);
    expect(first.marked.map((m) => m.reason)).to.deep.equal(Array(8).fill("NodeGone"));
    expect(first.deleted).to.deep.equal([]);
    expect(secondaryIps(deps)).to.have.length(8);
    deps.world.clock.advance(GRACE_MS - 1_000);
    expect((await collect(deps)).deleted, "not before the grace period").to.deep.equal([]);
    deps.world.clock.advance(2_000);
    const last = await collect(deps);
    expect(last.deleted).to.have.length(8);
    expect(secondaryIps(deps)).to.deep.equal([]);
    expect(deps.world.marks.stored.marks).to.deep.equal({});
  });

  it("deletes nothing of an owner whose lock another invocation holds, however old the mark", async () => {
    const deps = fakeDeps();
    await nodeGone(deps);
    await collect(deps);
    deps.world.clock.advance(GRACE_MS + 1_000);
    deps.world.locks.holdFor("n1", "reconcile-call", 60);
    const report = await collect(deps);
    expect(report.deleted).to.deep.equal([]);
    expect(report.skipped.filter((s) => s.reason === "OwnerLocked")).to.have.length(8);
    expect(secondaryIps(deps)).to.have.length(8);
    expect(deps.world.oci.faults.count("oci.deletePrivateIp")).to.equal(0);
  });

  it("starts the grace period again when an orphan's reason changes", async () => {
    const deps = fakeDeps();
    deps.world.joinNode("n1");
    await reconcileNode("n1", deps, { deadline: deps.world.deadline(), callId: "call-r" });
    // One address leaves the pool (an operator's edit): NotInPool.
    const [dropped] = Object.keys(deps.world.ciliumNodes.peek("n1").ipam.pool).sort();
    deps.world.ciliumNodes.update("n1", (ipam) => void delete ipam.pool[dropped!]);
    const first = await collect(deps);
    expect(first.marked.map((m) => [m.ipAddress, m.reason])).to.deep.equal([[dropped, "NotInPool"]]);
    deps.world.clock.advance(GRACE_MS + 1_000);
    // Now the node is gone too: the same IP is orphaned for another reason, and its grace starts again.
    deps.world.deleteNode("n1");
    const second = await collect(deps);
    expect(second.deleted).to.deep.equal([]);
    expect(deps.world.marks.stored.marks[second.marked.find((m) => m.ipAddress === dropped)!.id]?.reason).to.equal(
      "NodeGone",
    );
    deps.world.clock.advance(GRACE_MS + 1_000);
    expect((await collect(deps)).deleted).to.have.length(8);
  });

  it("never touches an untagged IP on the same VNIC, nor one another node's agent uses", async () => {
    const deps = fakeDeps();
    const instanceId = await nodeGone(deps);
    const vnicId = deps.world.oci.attachmentsOf(instanceId)[0]!.vnicId!;
    const foreign = deps.world.oci.addPrivateIp({
      vnicId,
      subnetId: deps.world.nodeSubnet.id,
      isPrimary: false,
      freeformTags: {},
    });
    const used = secondaryIps(deps).find((ip) => ip.freeformTags["ocipam-node"] === "n1")!;
    deps.world.joinNode("n2");
    deps.world.ciliumNodes.agentWrites("n2", { used: [used.ipAddress] });
    await collect(deps);
    deps.world.clock.advance(GRACE_MS + 1_000);
    const report = await collect(deps);
    expect(report.deleted).to.have.length(7);
    const left = secondaryIps(deps)
      .map((ip) => ip.ipAddress)
      .sort();
    expect(left).to.deep.equal([foreign.ipAddress, used.ipAddress].sort());
  });

  it("detaches the secondary VNIC of an instance no longer a node, with its IPs, after the grace period", async () => {
    const deps = fakeDeps({ config: { OCIPAM_IPS_PER_VNIC: "4" } });
    const instance = deps.world.joinNode("n1", { ipam: { preAllocate: 6 } });
    await reconcileNode("n1", deps, { deadline: deps.world.deadline(), callId: "call-r" });
    expect(deps.world.oci.attachmentsOf(instance.id)).to.have.length(2);
    deps.world.deleteNode("n1");
    const first = await collect(deps);
    expect(first.marked.filter((m) => m.kind === "vnic").map((m) => m.reason)).to.deep.equal(["InstanceNotANode"]);
    deps.world.clock.advance(GRACE_MS + 1_000);
    const report = await collect(deps);
    expect(report.deleted.filter((d) => d.kind === "vnic")).to.have.length(1);
    const attachments = deps.world.oci.attachmentsOf(instance.id).map((a) => a.lifecycleState);
    expect(attachments).to.deep.equal(["ATTACHED", "DETACHED"]);
    expect(secondaryIps(deps), "the primary VNIC's secondaries are deleted one by one").to.deep.equal([]);
    expect(deps.world.oci.faults.count("oci.detachVnic")).to.equal(1);
  });

  it("keeps a prewarm's IPs while the instance waits for its node, collects them after the join timeout", async () => {
    const config = { OCIPAM_PREWARM_ON_LAUNCH: "true", OCIPAM_PREWARM_INSTANCE_TAGS: "role=worker" };
    const deps = fakeDeps({ config });
    const instance = deps.world.oci.addInstance(deps.world.nodeSubnet.id, { freeformTags: { role: "worker" } });
    await prewarmInstance(instance.id, deps, { deadline: deps.world.deadline(), callId: "call-p" });
    const waiting = await collect(deps);
    expect(waiting.marked).to.deep.equal([]);
    expect(waiting.skipped.filter((s) => s.reason === "PrewarmInProgress")).to.have.length(8);
    // The node never joins: after the join timeout (900 s) they are orphans, deleted a grace period later.
    deps.world.clock.advance(901_000);
    expect((await collect(deps)).marked.map((m) => m.reason)).to.deep.equal(Array(8).fill("PrewarmNotJoined"));
    deps.world.clock.advance(GRACE_MS + 1_000);
    expect((await collect(deps)).deleted).to.have.length(8);
    expect(secondaryIps(deps)).to.deep.equal([]);
  });

  it("deletes the expired Leases of killed invocations and keeps the held ones", async () => {
    const deps = fakeDeps();
    deps.world.locks.holdFor("killed-node", "killed-call", 10);
    deps.world.locks.holdFor("busy-node", "live-call", 3_600);
    deps.world.clock.advance(11_000);
    const report = await collect(deps);
    expect(report.expiredLocksDeleted).to.equal(1);
    expect([...deps.world.locks.leases.keys()]).to.deep.equal(["busy-node"]);
  });

  it("removes records whose Node and instance are both gone, and keeps one whose instance still runs", async () => {
    const deps = fakeDeps();
    const gone = deps.world.joinNode("gone");
    deps.world.joinNode("running");
    await reconcileNode("gone", deps, { deadline: deps.world.deadline(), callId: "call-1" });
    await reconcileNode("running", deps, { deadline: deps.world.deadline(), callId: "call-2" });
    // Records written without an owner (so Kubernetes' garbage collector does not take them with the Node).
    for (const name of ["gone", "running"]) delete deps.world.records.records.get(name)!.owner;
    deps.world.deleteNode("gone");
    deps.world.deleteNode("running");
    deps.world.oci.terminateInstance(gone.id);
    const report = await collect(deps);
    expect(report.recordsRemoved).to.deep.equal(["gone"]);
    expect([...deps.world.records.records.keys()]).to.deep.equal(["running"]);
  });

  it("skips the whole pass while another invocation collects", async () => {
    const deps = fakeDeps();
    await nodeGone(deps);
    deps.world.locks.holdFor("cluster:collect-leaks", "other-call", 60);
    const report = await collect(deps);
    expect(report.outcome).to.equal("skipped");
    expect(deps.world.marks.stored.version, "no marks written").to.equal(undefined);
  });
});
