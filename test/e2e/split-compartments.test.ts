import { expect } from "chai";
import { buildNudge } from "../../events/contracts";
import { LOCAL_CLUSTER_NAME, startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { FunctionUnderTest, nudgeFor } from "./function-harness";
import { poolOf, useIps, vnicsOf } from "./world-queries";

interface Snap {
  compartments: Array<{ id: string; name: string }>;
  vnics: Array<{ id: string; compartmentId: string; instanceId: string; isPrimary: boolean; lifecycleState: string }>;
  vnicAttachments: Array<{ id: string; compartmentId: string; instanceId: string; lifecycleState: string }>;
  privateIps: Array<{ id: string; compartmentId: string; vnicId: string; isPrimary: boolean }>;
}

/**
 * The allocator function through the FDK socket in a tenancy laid out as most production ones are: instances in
 * `workers`, the VCN in `network`, the deployment in `ocipam`, and IAM enforced with the project's per-compartment
 * statements (lib/oci/project-policies.ts allocatorStatements). Every OCI call the allocator makes must name the
 * compartment OCI checks it in; one aimed elsewhere is denied and the node would not become ready.
 */
describe("allocator function, instances and network in separate compartments (FDK socket, IAM enforced)", function () {
  this.timeout(60_000);
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;
  const snap = () => cluster.oci.admin.snapshot() as unknown as Snap;
  const compartment = (name: string) => snap().compartments.find((c) => c.name === name)!.id;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero", compartments: "split" });
    fn = await FunctionUnderTest.start(cluster, { OCIPAM_COLLECT_GRACE_PERIOD: "0" });
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  it("fills a new node's pool and attaches a second VNIC, with VNICs and IPs in the network compartment", async () => {
    const { instanceId } = await cluster.launchNode("split-1", { ocpus: 2 });
    let result = await fn.invoke(nudgeFor("split-1"));
    expect(result.nodes[0], JSON.stringify(result.nodes[0])).to.include({
      node: "split-1",
      outcome: "reconciled",
      state: "Ready",
      ipsCreated: 8,
    });
    for (const used of [8, 16, 24]) {
      useIps(cluster, "split-1", used);
      result = await fn.invoke(nudgeFor("split-1"));
      expect(result.ok, JSON.stringify(result)).to.equal(true);
    }
    expect(result.nodes[0]!.vnicsAttached).to.equal(1);
    expect(Object.keys(poolOf(cluster, "split-1"))).to.have.length(32);
    const vnics = vnicsOf(cluster, instanceId);
    expect(vnics).to.have.length(2);
    const world = snap();
    const network = compartment("network");
    expect(world.vnics.filter((v) => v.instanceId === instanceId).map((v) => v.compartmentId)).to.deep.equal([
      network,
      network,
    ]);
    const vnicIds = new Set(vnics.map((v) => v.id));
    const ips = world.privateIps.filter((p) => vnicIds.has(p.vnicId));
    expect(ips.length).to.be.greaterThan(32);
    expect(new Set(ips.map((p) => p.compartmentId))).to.deep.equal(new Set([network]));
    expect(
      new Set(world.vnicAttachments.filter((a) => a.instanceId === instanceId).map((a) => a.compartmentId)),
    ).to.deep.equal(new Set([compartment("workers")]));
  });

  it("collects the IPs and VNIC of a node that left while its instance runs, across both compartments", async () => {
    const { instanceId } = await cluster.launchNode("split-gone", { ocpus: 2 });
    await fn.invoke(nudgeFor("split-gone"));
    for (const used of [8, 16, 24]) {
      useIps(cluster, "split-gone", used);
      await fn.invoke(nudgeFor("split-gone"));
    }
    const secondary = vnicsOf(cluster, instanceId).find((v) => !v.isPrimary)!;
    expect(secondary).to.not.equal(undefined);
    cluster.kube.store.delete("ciliumnodes", "split-gone");
    cluster.kube.store.delete("nodes", "split-gone");
    const collect = buildNudge({ type: "io.ocipam.cluster.collect-leaks", cluster: LOCAL_CLUSTER_NAME });
    for (let pass = 0; pass < 2; pass++) {
      const r = await fn.invoke(collect);
      expect(r.ok, JSON.stringify(r)).to.equal(true);
      // Nothing failed (an IAM denial would be a skip with an OCI reason); the other node's used IPs are kept (InUse),
      // and an IP whose VNIC is detached in the same pass goes with it (GoesWithVnic).
      expect(
        r.collections[0]!.skipped.filter((k) => !["InUse", "GoesWithVnic"].includes(k.reason)),
        JSON.stringify(r.collections[0]),
      ).to.deep.equal([]);
    }
    const world = snap();
    const attachment = world.vnicAttachments.find(
      (a) =>
        a.instanceId === instanceId &&
        world.vnics.find((v) => v.id === secondary.id) &&
        a.lifecycleState !== "ATTACHED" &&
        a.id,
    );
    expect(attachment, "the secondary VNIC's attachment is detaching or detached").to.not.equal(undefined);
    expect(
      world.vnicAttachments.filter((a) => a.instanceId === instanceId && a.lifecycleState === "ATTACHED"),
    ).to.have.length(1);
    const primary = vnicsOf(cluster, instanceId).find((v) => v.isPrimary)!;
    expect(world.privateIps.filter((p) => p.vnicId === primary.id && !p.isPrimary)).to.deep.equal([]);
    expect(world.privateIps.filter((p) => p.vnicId === secondary.id)).to.deep.equal([]);
  });
});
