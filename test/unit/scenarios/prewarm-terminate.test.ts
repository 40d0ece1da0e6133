import { expect } from "chai";
import { ConfigError } from "../../../lib/errors";
import { prewarmInstance } from "../../../lib/reconcile/prewarm";
import { reconcileNode } from "../../../lib/reconcile/reconcile-node";
import { cleanUpTerminatedInstance } from "../../../lib/reconcile/terminate";
import { fakeDeps, type FakeDeps } from "../../fakes/fake-deps";

/** Prewarm on instance launch and clean-up on termination, against the in-memory fakes. */

const PREWARM = { OCIPAM_PREWARM_ON_LAUNCH: "true", OCIPAM_PREWARM_INSTANCE_TAGS: "role=worker" };
const prewarm = (deps: FakeDeps, instanceId: string) =>
  prewarmInstance(instanceId, deps, { deadline: deps.world.deadline(), callId: "call-p" });
const terminate = (deps: FakeDeps, instanceId: string) =>
  cleanUpTerminatedInstance(instanceId, deps, deps.world.inventory, {
    deadline: deps.world.deadline(),
    callId: "call-t",
  });

describe("scenario: prewarm of a launched instance", () => {
  it("refuses to run without the instance tags that mark the cluster's workers", () => {
    expect(() => fakeDeps({ config: { OCIPAM_PREWARM_ON_LAUNCH: "true" } })).to.throw(
      ConfigError,
      "OCIPAM_PREWARM_INSTANCE_TAGS",
    );
  });

  it("creates the pre-allocate IPs tagged for the instance only, before any Node exists", async () => {
    const deps = fakeDeps({ config: PREWARM });
    const instance = deps.world.oci.addInstance(deps.world.nodeSubnet.id, { freeformTags: { role: "worker" } });
    const result = await prewarm(deps, instance.id);
    expect(result).to.include({ outcome: "prewarmed", ipsCreated: 8 });
    const ips = [...deps.world.oci.privateIps.values()].filter((ip) => !ip.isPrimary);
    expect(ips).to.have.length(8);
    for (const ip of ips)
      expect(ip.freeformTags).to.deep.equal({ "ocipam-cluster": "c1", "ocipam-instance": instance.id });
    expect(deps.world.records.records.size, "no record: there is no node yet").to.equal(0);
    expect(deps.world.locks.leases.size).to.equal(0);
  });

  it("leaves no Lease, record or Event when it refuses an instance without the tags", async () => {
    const deps = fakeDeps({ config: PREWARM });
    const instance = deps.world.oci.addInstance(deps.world.nodeSubnet.id, { freeformTags: { role: "database" } });
    const result = await prewarm(deps, instance.id);
    expect(result.outcome).to.equal("refused");
    expect(result.reason.code).to.equal("PrewarmTagsMismatch");
    expect(deps.world.locks.acquired).to.deep.equal([]);
    expect(deps.world.records.records.size).to.equal(0);
    expect(deps.world.events.recorded).to.deep.equal([]);
    expect(deps.world.oci.secondaryAddressesOf(instance.id)).to.deep.equal([]);
  });

  it("skips an instance whose Node already exists: the node's reconcile is in charge", async () => {
    const deps = fakeDeps({ config: PREWARM });
    const instance = deps.world.joinNode("n1", { instance: { freeformTags: { role: "worker" } } });
    const result = await prewarm(deps, instance.id);
    expect(result).to.include({ outcome: "skipped" });
    expect(result.reason.code).to.equal("NodeExists");
    expect(deps.world.oci.secondaryAddressesOf(instance.id)).to.deep.equal([]);
  });

  it("lets the joining node adopt the prewarmed IPs with no create, and re-tags them for the node", async () => {
    const deps = fakeDeps({ config: PREWARM });
    const instance = deps.world.oci.addInstance(deps.world.nodeSubnet.id, { freeformTags: { role: "worker" } });
    await prewarm(deps, instance.id);
    const prewarmed = deps.world.oci.secondaryAddressesOf(instance.id);
    deps.world.joinNode("n1", { instanceId: instance.id });
    const result = await reconcileNode("n1", deps, { deadline: deps.world.deadline(), callId: "call-r" });
    expect(result.ipsCreated).to.equal(0);
    expect(Object.keys(deps.world.ciliumNodes.peek("n1").ipam.pool).sort()).to.deep.equal(prewarmed);
    const tags = [...deps.world.oci.privateIps.values()]
      .filter((ip) => !ip.isPrimary)
      .map((ip) => ip.freeformTags["ocipam-node"]);
    expect(tags).to.deep.equal(Array(8).fill("n1"));
  });

  it("makes a new node's first reconcile wait while a prewarm holds the instance", async () => {
    const deps = fakeDeps({ config: PREWARM });
    const instance = deps.world.joinNode("n1");
    deps.world.locks.holdFor(`instance:${instance.id}`, "prewarm-call", 30);
    const result = await reconcileNode("n1", deps, { deadline: deps.world.deadline(), callId: "call-r" });
    expect(result).to.include({ outcome: "skipped" });
    expect(result.reason.code).to.equal("InstanceLocked");
    expect(deps.world.oci.secondaryAddressesOf(instance.id)).to.deep.equal([]);
  });
});

describe("scenario: clean-up after an instance is terminated", () => {
  it("removes the records of a terminated instance, found by its Node and by the records' instance", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    await reconcileNode("n1", deps, { deadline: deps.world.deadline(), callId: "call-r" });
    expect(deps.world.records.records.has("n1")).to.equal(true);
    deps.world.oci.terminateInstance(instance.id);
    const result = await terminate(deps, instance.id);
    expect(result).to.deep.include({ outcome: "cleaned", recordsRemoved: ["n1"] });
    expect(deps.world.records.records.has("n1")).to.equal(false);
  });

  it("keeps the records of an instance OCI still reports RUNNING (a forged event)", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    await reconcileNode("n1", deps, { deadline: deps.world.deadline(), callId: "call-r" });
    const result = await terminate(deps, instance.id);
    expect(result.outcome).to.equal("refused");
    expect(result.reason.code).to.equal("InstanceNotTerminating");
    expect(deps.world.records.records.has("n1")).to.equal(true);
  });

  it("removes the record of a Node already gone once OCI answers 404 for its instance", async () => {
    const deps = fakeDeps();
    const instance = deps.world.joinNode("n1");
    await reconcileNode("n1", deps, { deadline: deps.world.deadline(), callId: "call-r" });
    deps.world.oci.terminateInstance(instance.id);
    deps.world.oci.instances.delete(instance.id);
    deps.world.nodes.nodes.delete("n1");
    const result = await terminate(deps, instance.id);
    expect(result.recordsRemoved).to.deep.equal(["n1"]);
    expect(deps.world.records.records.size).to.equal(0);
  });
});
