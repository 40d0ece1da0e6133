import { expect } from "chai";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { reconcileNode } from "../../../lib/reconcile/reconcile-node";
import { fakeDeps, type FakeDeps } from "../../fakes/fake-deps";

/** Reconcile scenarios against the in-memory fakes: what a node's pool becomes, and what must never happen. */

const reconcile = (deps: FakeDeps, node = "n1", deadlineSeconds = 60) =>
  reconcileNode(node, deps, { deadline: deps.world.deadline(deadlineSeconds), callId: "call-1" });
const poolOf = (deps: FakeDeps, node = "n1") => Object.keys(deps.world.ciliumNodes.peek(node).ipam.pool).sort();

describe("scenario: reconcile of one node", () => {
  it("gives a new node its pre-allocate IPs, all real addresses of its instance, in one invocation", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    const result = await reconcile(deps);
    expect(result).to.include({ outcome: "reconciled", ipsCreated: 8, state: "Ready" });
    expect(poolOf(deps)).to.have.length(8).and.deep.equal(deps.world.oci.secondaryAddressesOf(instance.id));
    expect(deps.world.events.reasonsFor("n1", "Normal")).to.include("IpsAssigned");
    expect(deps.world.records.records.get("n1")?.instanceId).to.equal(instance.id);
    expect(deps.world.locks.leases.size, "every lock is released").to.equal(0);
  });

  it("attaches a second VNIC when the primary fills and puts its IPs into the pool", async () => {
    const deps = fakeDeps({ config: { OCIPAM_IPS_PER_VNIC: "10" } });
    const instance = deps.world.joinNode("n1");
    await reconcile(deps);
    deps.world.ciliumNodes.agentWrites("n1", { used: poolOf(deps).slice(0, 8) });
    const result = await reconcile(deps);
    expect(result.vnicsAttached).to.equal(1);
    const attachments = deps.world.oci.attachmentsOf(instance.id);
    expect(attachments.map((a) => a.lifecycleState)).to.deep.equal(["ATTACHED", "ATTACHED"]);
    const secondVnic = attachments[1]!.vnicId!;
    const pool = deps.world.ciliumNodes.peek("n1").ipam.pool;
    expect(Object.values(pool).filter((e) => e.resource === secondVnic).length).to.be.greaterThan(0);
    expect(Object.keys(pool).sort()).to.deep.equal(deps.world.oci.secondaryAddressesOf(instance.id));
    expect(result.state).to.equal("Ready");
  });

  it("allocates beyond pre-allocate for pods already Pending on the node (Cilium's surge allocation)", async () => {
    const deps = fakeDeps();
    deps.world.joinNode("n1");
    deps.world.pods.pending.set("n1", 12);
    const result = await reconcile(deps);
    expect(result.ipsCreated).to.equal(12);
    expect(poolOf(deps)).to.have.length(12);
  });

  it("reports AtCapacity, a state and not a failure, when every VNIC slot is full", async () => {
    const deps = fakeDeps({ config: { OCIPAM_IPS_PER_VNIC: "4" } });
    deps.world.joinNode("n1", { instance: { maxVnicAttachments: 1 } });
    await reconcile(deps);
    deps.world.ciliumNodes.agentWrites("n1", { used: poolOf(deps) });
    const result = await reconcile(deps);
    expect(result).to.include({ outcome: "reconciled", state: "AtCapacity" });
    expect(poolOf(deps)).to.have.length(4);
    expect(deps.world.events.reasonsFor("n1", "Warning")).to.have.length(1);
    expect(deps.world.oci.faults.count("oci.attachVnic"), "no attach past the shape's limit").to.equal(0);
  });

  it("re-reads and re-plans when the CiliumNode changed under its pool write, and adopts what it created", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    let touched = false;
    deps.world.kubeFaults.inject("writePool", {
      times: 1,
      error: () => new Error("unused"),
      when: () => {
        // The agent writes its status between our read and our write: the write carries a stale resourceVersion.
        if (!touched) deps.world.ciliumNodes.touch("n1");
        touched = true;
        return false;
      },
    });
    const result = await reconcile(deps);
    expect(result.conflicts).to.equal(1);
    expect(result.ipsCreated, "nothing created twice").to.equal(8);
    expect(poolOf(deps)).to.deep.equal(deps.world.oci.secondaryAddressesOf(instance.id)).and.have.length(8);
  });

  it("refills the pool with new IPs after an operator deleted its IPs, replaying no stale retry token", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    await reconcile(deps);
    for (const ip of [...deps.world.oci.privateIps.values()].filter((p) => !p.isPrimary))
      deps.world.oci.removePrivateIp(ip.id);
    const replaysBefore = deps.world.oci.tokens.replays;
    const result = await reconcile(deps);
    expect(result.outcome).to.equal("reconciled");
    const live = deps.world.oci.secondaryAddressesOf(instance.id);
    expect(live).to.have.length(8);
    expect(poolOf(deps)).to.deep.equal(live);
    expect(deps.world.oci.tokens.replays, "no create answered from a deleted object's token").to.equal(replaysBefore);
    expect(deps.world.oci.tokens.refusals, "no deleted object's token sent again").to.equal(0);
  });

  it("retries a create once with a fresh token when OCI refuses a replayed one (record lost)", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    await reconcile(deps);
    // The record (and with it the retry generation) is lost, and the IPs are deleted: the same tokens come again.
    deps.world.records.records.delete("n1");
    for (const ip of [...deps.world.oci.privateIps.values()].filter((p) => !p.isPrimary))
      deps.world.oci.removePrivateIp(ip.id);
    const result = await reconcile(deps);
    expect(deps.world.oci.tokens.refusals, "OCI refused the replayed tokens").to.be.greaterThan(0);
    expect(result.outcome).to.equal("reconciled");
    expect(poolOf(deps)).to.deep.equal(deps.world.oci.secondaryAddressesOf(instance.id)).and.have.length(8);
  });

  it("skips a node another invocation is reconciling and touches nothing", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    deps.world.locks.holdFor("n1", "other-call", 30);
    const result = await reconcile(deps);
    expect(result).to.include({ outcome: "skipped" });
    expect(result.reason.code).to.equal("NodeLocked");
    expect(deps.world.oci.secondaryAddressesOf(instance.id)).to.deep.equal([]);
    expect(deps.world.locks.leases.get("n1")?.holder, "the other invocation keeps its lock").to.equal("other-call");
  });

  it("reports failed with the OCI error's fields when every create fails, and leaves the pool empty", async () => {
    const deps = fakeDeps();
    deps.world.joinNode("n1");
    deps.world.oci.faults.inject("createPrivateIp", {
      error: () =>
        new OciApiError("CreatePrivateIp", "quota", {
          statusCode: 400,
          serviceCode: "QuotaExceeded",
          opcRequestId: "req-q",
        }),
    });
    const result = await reconcile(deps);
    expect(result.outcome).to.equal("failed");
    expect(result.error).to.include({ statusCode: 400, serviceCode: "QuotaExceeded", opcRequestId: "req-q" });
    expect(poolOf(deps)).to.deep.equal([]);
    expect(deps.world.events.reasonsFor("n1", "Warning")).to.include("OciQuotaExceeded");
    expect(deps.world.records.records.get("n1")?.status?.state).to.equal("Error");
  });

  it("refuses both Nodes that name one instance and creates nothing for either", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    await reconcile(deps);
    const before = deps.world.oci.secondaryAddressesOf(instance.id);
    deps.world.joinNode("n2", { instanceId: instance.id });
    const second = await reconcile(deps, "n2");
    const first = await reconcile(deps, "n1");
    expect(second).to.include({ outcome: "refused" });
    expect(second.reason.code).to.equal("InstanceClaimedByAnotherNode");
    expect(first.outcome).to.equal("refused");
    expect(first.reason.code).to.equal("InstanceNamedByTwoNodes");
    expect(deps.world.oci.secondaryAddressesOf(instance.id)).to.deep.equal(before);
    expect(poolOf(deps, "n2")).to.deep.equal([]);
    expect(deps.world.events.reasonsFor("n2", "Warning")).to.include("InstanceClaimedByAnotherNode");
  });

  it("never deletes an address an agent reports as used, even when the release handshake says ready", async () => {
    const deps = fakeDeps({ config: { OCIPAM_RELEASE_EXCESS_IPS: "true", OCIPAM_EXCESS_IP_RELEASE_DELAY: "0" } });
    deps.world.joinNode("n1", { ipam: { preAllocate: 10, maxAboveWatermark: 0 } });
    await reconcile(deps);
    // The operator lowers pre-allocate: 8 of the 10 IPs are excess and get marked; the agent answers ready for all.
    deps.world.ciliumNodes.update("n1", (ipam) => {
      ipam.preAllocate = 2;
    });
    await reconcile(deps);
    const marked = Object.keys(deps.world.ciliumNodes.peek("n1").ipam.releaseIps);
    expect(marked).to.have.length(8);
    deps.world.ciliumNodes.agentWrites("n1", {
      releaseIps: Object.fromEntries(marked.map((a) => [a, "ready-for-release" as const])),
    });
    // Another node's agent reports one of them as used (a duplicate address is exactly what must never be deleted).
    const victim = marked[0]!;
    deps.world.ciliumNodes.create("n9", { used: { [victim]: { owner: "pod-x", resource: "" } } });
    const result = await reconcile(deps);
    expect(result.reason.code).to.equal("ReleaseRefusedInUse");
    expect(result.ipsReleased).to.equal(7);
    const addresses = [...deps.world.oci.privateIps.values()].map((ip) => ip.ipAddress);
    expect(addresses).to.include(victim);
    expect(addresses.filter((a) => marked.includes(a))).to.deep.equal([victim]);
    expect(deps.world.ciliumNodes.peek("n1").ipam.releaseIps[victim]).to.equal("ready-for-release");
    expect(deps.world.events.reasonsFor("n1", "Warning")).to.include("ReleaseRefusedInUse");
  });

  it("re-plans when pool addresses vanished from OCI after the write, so none stays on offer", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    let removed = "";
    deps.world.oci.faults.inject("listPrivateIps", {
      times: 1,
      error: () => new Error("unused"),
      when: () => {
        // Right after the pool write the check lists the VNIC: an operator deleted one address just before.
        const written = deps.world.ciliumNodes.writes.length > 0;
        if (written && !removed) {
          const ip = [...deps.world.oci.privateIps.values()].find((p) => !p.isPrimary)!;
          removed = ip.ipAddress;
          deps.world.oci.removePrivateIp(ip.id);
        }
        return false;
      },
    });
    const result = await reconcile(deps);
    expect(removed).to.not.equal("");
    expect(result.rounds).to.be.greaterThan(1);
    expect(poolOf(deps)).to.deep.equal(deps.world.oci.secondaryAddressesOf(instance.id)).and.have.length(8);
  });

  it("stops at the deadline with DeadlineReached, keeps what it did; the next nudge completes the node", async () => {
    const deps = fakeDeps({
      config: { OCIPAM_DEADLINE_RESERVE_MS: "0", OCIPAM_CREATE_CONCURRENCY: "1" },
      callLatencyMs: 1_000,
    });
    const instance = deps.world.joinNode("n1");
    const first = await reconcile(deps, "n1", 10);
    expect(first.outcome).to.equal("reconciled");
    expect(first.reason.code).to.equal("DeadlineReached");
    expect(first.ipsCreated).to.be.greaterThan(0).and.lessThan(8);
    expect(poolOf(deps), "what was created is in the pool").to.deep.equal(
      deps.world.oci.secondaryAddressesOf(instance.id),
    );
    expect(deps.world.events.reasonsFor("n1", "Warning"), "out of time is no warning").to.deep.equal([]);
    deps.world.oci.callLatencyMs = 0;
    const second = await reconcile(deps);
    expect(second.reason.code).to.not.equal("DeadlineReached");
    expect(poolOf(deps)).to.deep.equal(deps.world.oci.secondaryAddressesOf(instance.id)).and.have.length(8);
  });

  it("waits for an attachment ATTACHING across invocations and fills the new VNIC once ATTACHED", async () => {
    const deps = fakeDeps({ config: { OCIPAM_IPS_PER_VNIC: "4" }, attachDelayMs: 120_000 });
    const instance = deps.world.joinNode("n1", { ipam: { preAllocate: 6 } });
    const first = await reconcile(deps, "n1", 20);
    expect(first).to.deep.include({ state: "Allocating", reason: first.reason });
    expect(first.reason.code).to.equal("AttachmentInProgress");
    expect(deps.world.records.records.get("n1")?.status?.allocating?.attachmentId).to.be.a("string");
    expect(poolOf(deps)).to.have.length(4);
    deps.world.clock.advance(120_000);
    const second = await reconcile(deps);
    expect(second.outcome).to.equal("reconciled");
    expect(
      deps.world.oci.faults.count("oci.attachVnic"),
      "the pending attachment is reused, not a second one",
    ).to.equal(1);
    expect(poolOf(deps)).to.deep.equal(deps.world.oci.secondaryAddressesOf(instance.id)).and.have.length(6);
  });
});
