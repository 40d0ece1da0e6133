import { expect } from "chai";
import { buildNudge } from "../../events/contracts";
import type { InvocationResult } from "../../functions/allocator/invocation-result";
import { DEFAULT_LOCK_NAMESPACE } from "../../lib/adapters/kube/lease-locks";
import { formatMicroTime } from "../../lib/adapters/kube/kube-time";
import { leaseNameForNode } from "../../lib/adapters/kube/lease-name";
import { ownershipTags, TAG_NODE } from "../../lib/core/ownership";
import { LOCAL_CLUSTER_NAME, startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { FunctionUnderTest, nudgeFor } from "./function-harness";
import { launchAndAwaitEnd } from "./instance-events";
import { injectIp, ociAs } from "./oci-tools";
import { ciliumNode, ownedIpsOf, poolOf, useIps } from "./world-queries";
import { poll } from "../support/poll";

/**
 * Ordinary sequences of a real cluster that must never end with an address in use deleted or a node stranded: an
 * operator deleting a node's IPs, two Nodes naming one instance, leak collection running while a reconcile works.
 */

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  freeformTags: Record<string, string>;
}

function ipsById(cluster: LocalCluster): Map<string, SnapshotIp> {
  const snap = cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] };
  return new Map(snap.privateIps.map((ip) => [ip.id, ip]));
}

function addressesInOci(cluster: LocalCluster): Set<string> {
  return new Set([...ipsById(cluster).values()].map((ip) => ip.ipAddress));
}

function warningsAbout(cluster: LocalCluster, name: string, reason: string): number {
  return cluster.kube.store.list("events").filter((e) => {
    const o = e as { reason?: string; type?: string; involvedObject?: { name?: string } };
    return o.type === "Warning" && o.reason === reason && o.involvedObject?.name === name;
  }).length;
}

const collectNudge = () => buildNudge({ type: "io.ocipam.cluster.collect-leaks", cluster: LOCAL_CLUSTER_NAME });

describe("safety under ordinary real-world sequences (FDK socket, both emulators)", function () {
  this.timeout(90_000);
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero" });
    fn = await FunctionUnderTest.start(cluster, {
      OCIPAM_PREWARM_ON_LAUNCH: "true",
      OCIPAM_PREWARM_INSTANCE_TAGS: `ocipam.io/cluster=${LOCAL_CLUSTER_NAME}`,
      OCIPAM_COLLECT_GRACE_PERIOD: "0",
    });
    await fn.warm();
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  async function nudge(name: string): Promise<InvocationResult> {
    return fn.invoke(nudgeFor(name));
  }

  it(
    "refills the pool with real IPs after an operator deletes the node's " +
      "secondary IPs (no stale retry token replayed)",
    async () => {
      await cluster.launchNode("ops-deleted", { ocpus: 2 });
      const first = await nudge("ops-deleted");
      expect(first.ok, JSON.stringify(first)).to.equal(true);
      const oci = await ociAs(cluster);
      const before = ownedIpsOf(cluster, "ops-deleted");
      expect(before).to.have.length(8);
      for (const ip of before) await oci.network.deletePrivateIp(ip.id);
      // The observation is now the one the first round planned from: only a new generation keeps its tokens unused.
      for (let i = 0; i < 2; i++) {
        const again = await nudge("ops-deleted");
        expect(again.ok, JSON.stringify(again)).to.equal(true);
      }
      const pool = Object.keys(poolOf(cluster, "ops-deleted"));
      expect(pool).to.have.length(8);
      const inOci = addressesInOci(cluster);
      for (const ip of pool) expect(inOci.has(ip), `${ip} is in the pool but not in OCI`).to.equal(true);
    },
  );

  it("retries once with a fresh token when OCI refuses a replayed token (record lost, same observation)", async () => {
    await cluster.launchNode("token-replayed", { ocpus: 2 });
    expect((await nudge("token-replayed")).ok).to.equal(true);
    const oci = await ociAs(cluster);
    for (const ip of ownedIpsOf(cluster, "token-replayed")) await oci.network.deletePrivateIp(ip.id);
    // Without its record the node's generation is 0 again: the first round's tokens come back and OCI answers 409.
    cluster.kube.store.delete("ociipamnodes", "token-replayed");
    const again = await nudge("token-replayed");
    expect(again.ok, JSON.stringify(again)).to.equal(true);
    expect(again.nodes[0]!.ipsCreated).to.equal(8);
    const inOci = addressesInOci(cluster);
    for (const ip of Object.keys(poolOf(cluster, "token-replayed"))) expect(inOci.has(ip)).to.equal(true);
  });

  it("reports a round whose creates all fail as failed (ok: false), never as reconciled", async () => {
    await cluster.launchNode("creates-fail", { ocpus: 2 });
    cluster.oci.admin.injectFault({ operation: "CreatePrivateIp", status: 400, code: "InvalidParameter", count: 50 });
    try {
      const result = await nudge("creates-fail");
      expect(result.ok).to.equal(false);
      expect(result.nodes[0]).to.include({ outcome: "failed" });
      expect(result.nodes[0]!.reason.code).to.equal("OciInvalidParameter");
    } finally {
      cluster.oci.admin.clearFaults();
    }
    expect((await nudge("creates-fail")).ok).to.equal(true);
  });

  it(
    "refuses both Nodes that name one instance, re-tags prewarmed IPs for " +
      "their node, and deletes nothing another node uses",
    async () => {
      const { instanceId, event } = await launchAndAwaitEnd(cluster, {
        name: "shared-instance",
        freeformTags: { "ocipam.io/cluster": LOCAL_CLUSTER_NAME },
      });
      expect((await fn.invoke(event)).instances[0]).to.include({ outcome: "prewarmed", ipsCreated: 8 });
      cluster.joinNode("owner", instanceId, { "pre-allocate": 8 });
      const owned = await nudge("owner");
      expect(owned.nodes[0]).to.include({ outcome: "reconciled", ipsCreated: 0 });
      // Adopted: the prewarmed IPs now name their node, not "any node on this instance".
      const adopted = [...ipsById(cluster).values()].filter((ip) =>
        Object.keys(poolOf(cluster, "owner")).includes(ip.ipAddress),
      );
      expect(adopted).to.have.length(8);
      for (const ip of adopted) expect(ip.freeformTags[TAG_NODE]).to.equal("owner");
      useIps(cluster, "owner", 7);
      const used = Object.keys(ciliumNode(cluster, "owner").status.ipam.used);

      // A stale Node (the kubelet re-registered under another name) names the same instance, with release on.
      cluster.joinNode("stale", instanceId, { "pre-allocate": 1 });
      const before = ipsById(cluster);
      const stale = await nudge("stale");
      expect(stale.nodes[0]).to.include({ outcome: "refused" });
      expect(stale.nodes[0]!.reason.code).to.equal("InstanceClaimedByAnotherNode");
      const owner = await nudge("owner");
      expect(owner.nodes[0]).to.include({ outcome: "refused" });
      expect(owner.nodes[0]!.reason.code).to.equal("InstanceNamedByTwoNodes");
      expect(warningsAbout(cluster, "stale", "InstanceClaimedByAnotherNode")).to.be.at.least(1);
      expect(warningsAbout(cluster, "owner", "InstanceClaimedByAnotherNode")).to.be.at.least(1);
      expect([...ipsById(cluster).keys()]).to.have.members([...before.keys()]);
      expect(Object.keys(poolOf(cluster, "stale"))).to.deep.equal([]);
      const inOci = addressesInOci(cluster);
      for (const ip of used) expect(inOci.has(ip), `${ip} is in use and was deleted`).to.equal(true);

      // The operator deletes the stale Node: the owner is reconciled again.
      cluster.kube.store.delete("nodes", "stale");
      cluster.kube.store.delete("ciliumnodes", "stale");
      expect((await nudge("owner")).nodes[0]).to.include({ outcome: "reconciled" });
    },
  );

  it(
    "refuses both Nodes of one instance even when neither has a record yet " + "(a claim that could not be saved)",
    async () => {
      const instanceId = cluster.launchInstance("twice-named", {}, true);
      cluster.joinNode("first-name", instanceId);
      cluster.joinNode("second-name", instanceId);
      for (const name of ["first-name", "second-name"]) {
        const result = await nudge(name);
        expect(result.nodes[0]).to.include({ outcome: "refused" });
        expect(result.nodes[0]!.reason.code).to.equal("InstanceNamedByTwoNodes");
      }
      expect(ownedIpsOf(cluster, "first-name")).to.deep.equal([]);
      expect(ownedIpsOf(cluster, "second-name")).to.deep.equal([]);
      cluster.kube.store.delete("nodes", "second-name");
      cluster.kube.store.delete("ciliumnodes", "second-name");
      expect((await nudge("first-name")).nodes[0]).to.include({ outcome: "reconciled", ipsCreated: 8 });
    },
  );

  it(
    "never deletes IPs of a node whose reconcile is in progress (its lock " +
      "is held), however long they were orphans",
    async () => {
      const name = "racing";
      const { instanceId } = await cluster.launchNode(name, { ocpus: 2 });
      expect((await nudge(name)).ok).to.equal(true);
      const oci = await ociAs(cluster);
      const primaryVnic = ownedIpsOf(cluster, name)[0]!.vnicId;
      // What a reconcile has created but not yet written into the pool: tagged for the node, not in its pool.
      const inFlight = [];
      for (let i = 0; i < 3; i++)
        inFlight.push(await injectIp(oci, primaryVnic, ownershipTags(LOCAL_CLUSTER_NAME, name, instanceId)));
      const first = await fn.invoke(collectNudge());
      expect(first.collections[0]!.marked.map((m) => m.id)).to.include.members(inFlight.map((ip) => ip.id));
      // The reconcile holds the node's lock (between its observation and its pool write).
      cluster.kube.store.create("leases", {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: leaseNameForNode(name), namespace: DEFAULT_LOCK_NAMESPACE },
        spec: {
          holderIdentity: "reconcile-in-progress",
          leaseDurationSeconds: 600,
          acquireTime: formatMicroTime(Date.now()),
          renewTime: formatMicroTime(Date.now()),
        },
      });
      const second = await fn.invoke(collectNudge());
      expect(second.collections[0]!.deleted).to.deep.equal([]);
      expect(
        second.collections[0]!.skipped.filter((s) => s.reason === "OwnerLocked").map((s) => s.id),
      ).to.include.members(inFlight.map((ip) => ip.id));
      const ips = ipsById(cluster);
      for (const ip of inFlight)
        expect(ips.has(ip.id), `${ip.ipAddress} was deleted under a running reconcile`).to.equal(true);
      cluster.kube.store.delete("leases", leaseNameForNode(name), DEFAULT_LOCK_NAMESPACE);
      // The reconcile's write then puts them in the pool; they exist.
      expect((await nudge(name)).ok).to.equal(true);
      const pool = Object.keys(poolOf(cluster, name));
      for (const ip of inFlight) expect(pool).to.include(ip.ipAddress);
    },
  );

  it(
    "leaves no Lease behind once a reconcile is done, and Kubernetes " + "removes a node's record with its Node",
    async () => {
      await cluster.launchNode("leaves", { ocpus: 2 });
      expect((await nudge("leaves")).ok).to.equal(true);
      const leases = cluster.kube.store
        .list("leases", { namespace: DEFAULT_LOCK_NAMESPACE })
        .map((l) => (l as { metadata: { name: string } }).metadata.name);
      expect(leases).to.not.include(leaseNameForNode("leaves"));
      const record = cluster.kube.store.get("ociipamnodes", "leaves") as {
        metadata: { ownerReferences?: Array<{ kind: string; name: string }> };
      };
      expect(record.metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}`)).to.deep.equal(["Node/leaves"]);
      cluster.kube.store.delete("nodes", "leaves");
      await poll(() => !cluster.kube.store.get("ociipamnodes", "leaves"), { timeoutMs: 500 });
      expect(cluster.kube.store.get("ociipamnodes", "leaves")).to.equal(undefined);
    },
  );
});
