import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { buildNudge } from "../../events/contracts";
import type { OciAdapters } from "../../lib/adapters/oci";
import { TAG_CLUSTER, TAG_INSTANCE, TAG_NODE } from "../../lib/core/ownership";
import { LOCAL_CLUSTER_NAME, startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import type { InvocationResult } from "../../functions/allocator/invocation-result";
import { FunctionUnderTest, nudgeFor } from "./function-harness";
import { launchAndAwaitEnd } from "./instance-events";
import { injectIp, ociAs } from "./oci-tools";
import { poolOf, useIps, vnicsOf } from "./world-queries";

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  freeformTags: Record<string, string>;
}
interface SnapshotVnic {
  id: string;
  instanceId: string;
  isPrimary: boolean;
  lifecycleState: string;
}

const collectNudge = () => buildNudge({ type: "io.ocipam.cluster.collect-leaks", cluster: LOCAL_CLUSTER_NAME });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function world(cluster: LocalCluster): { ips: Map<string, SnapshotIp>; vnics: Map<string, SnapshotVnic> } {
  const snap = cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[]; vnics: SnapshotVnic[] };
  return {
    ips: new Map(snap.privateIps.map((ip) => [ip.id, ip])),
    vnics: new Map(snap.vnics.filter((v) => v.lifecycleState !== "TERMINATED").map((v) => [v.id, v])),
  };
}

/** An allocator-style secondary VNIC (as the allocator would have attached it for `node`), ATTACHED. */
async function attachAllocatorVnic(
  oci: OciAdapters,
  cluster: LocalCluster,
  instanceId: string,
  tags: Record<string, string>,
  displayName: string,
): Promise<string> {
  // A regional subnet fits an instance in any availability domain.
  const subnet = (cluster.oci.admin.snapshot().subnets as unknown as Array<{ id: string; displayName: string }>).find(
    (s) => s.displayName === "pods-regional",
  )!;
  const started = await oci.compute.attachVnic({
    instanceId,
    subnetId: subnet.id,
    nsgIds: [],
    displayName,
    freeformTags: tags,
    retryToken: randomUUID(),
  });
  for (let i = 0; i < 100; i++) {
    const a = await oci.compute.getVnicAttachment(started.value.id);
    if (a.lifecycleState === "ATTACHED" && a.vnicId) return a.vnicId;
    await sleep(20);
  }
  throw new Error("attachment did not reach ATTACHED");
}

describe("leak collection through the function (FDK socket, both emulators)", function () {
  this.timeout(60_000);
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;
  let oci: OciAdapters;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero" });
    // Grace 0: an orphan marked on one pass is deleted on the next one.
    fn = await FunctionUnderTest.start(cluster, { OCIPAM_COLLECT_GRACE_PERIOD: "0" });
    oci = await ociAs(cluster);
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  async function collect(through = fn): Promise<NonNullable<InvocationResult["collections"][number]>> {
    const result = await through.invoke(collectNudge());
    expect(result.ok, JSON.stringify(result)).to.equal(true);
    expect(result.skipped).to.deep.equal([]);
    expect(result.collections).to.have.length(1);
    return result.collections[0]!;
  }

  it("collects injected orphans within two passes and touches nothing else", async () => {
    // A healthy node using 2 of its 8 pool IPs.
    const live = await cluster.launchNode("leak-live", { ocpus: 2 });
    await fn.invoke(nudgeFor("leak-live"));
    useIps(cluster, "leak-live", 2);
    const livePrimary = vnicsOf(cluster, live.instanceId).find((v) => v.isPrimary)!;
    // A node deleted from the cluster while its instance keeps running: its 8 IPs and an allocator VNIC with 2 IPs.
    const gone = await cluster.launchNode("leak-gone", { ocpus: 4 });
    await fn.invoke(nudgeFor("leak-gone"));
    const goneTags = { [TAG_CLUSTER]: LOCAL_CLUSTER_NAME, [TAG_NODE]: "leak-gone", [TAG_INSTANCE]: gone.instanceId };
    const goneVnic = await attachAllocatorVnic(
      oci,
      cluster,
      gone.instanceId,
      goneTags,
      `ocipam:${LOCAL_CLUSTER_NAME}:leak-gone`,
    );
    const onGoneVnic = [await injectIp(oci, goneVnic, goneTags), await injectIp(oci, goneVnic, goneTags)];
    // Somebody else's VNIC on the same instance: never detached.
    const storageVnic = await attachAllocatorVnic(oci, cluster, gone.instanceId, { team: "storage" }, "storage");
    cluster.kube.store.delete("ciliumnodes", "leak-gone");
    cluster.kube.store.delete("nodes", "leak-gone");
    // On the live node: 2 allocator IPs in no pool (a crash between create and pool write, long ago) ...
    const liveTags = { [TAG_CLUSTER]: LOCAL_CLUSTER_NAME, [TAG_NODE]: "leak-live", [TAG_INSTANCE]: live.instanceId };
    const notInPool = [await injectIp(oci, livePrimary.id, liveTags), await injectIp(oci, livePrimary.id, liveTags)];
    // ... and what must survive: one in status.ipam.used though not in the pool, untagged, another cluster's, cluster
    // tag only.
    const inUse = await injectIp(oci, livePrimary.id, liveTags);
    const cn = cluster.kube.store.get("ciliumnodes", "leak-live") as Record<string, any>;
    cluster.kube.store.updateStatus("ciliumnodes", {
      ...cn,
      status: {
        ipam: {
          ...cn.status.ipam,
          used: { ...cn.status.ipam.used, [inUse.ipAddress]: { owner: "default/kept", resource: livePrimary.id } },
        },
      },
    });
    const survivors = [
      inUse,
      await injectIp(oci, livePrimary.id, {}),
      await injectIp(oci, livePrimary.id, { [TAG_CLUSTER]: "other-cluster", [TAG_NODE]: "leak-gone" }),
      await injectIp(oci, livePrimary.id, { [TAG_CLUSTER]: LOCAL_CLUSTER_NAME }),
    ];

    const before = world(cluster);
    const goneIps = [...before.ips.values()].filter(
      (ip) =>
        ip.freeformTags[TAG_NODE] === "leak-gone" &&
        ip.freeformTags[TAG_CLUSTER] === LOCAL_CLUSTER_NAME &&
        !ip.isPrimary,
    );
    expect(goneIps).to.have.length(10);
    const orphanIpIds = new Set([...goneIps.map((ip) => ip.id), ...notInPool.map((ip) => ip.id)]);

    const first = await collect();
    expect(first.outcome).to.equal("collected");
    expect(first.deleted, "nothing is deleted on the pass that first sees it").to.deep.equal([]);
    expect(
      first.marked
        .filter((m) => m.kind === "privateIp")
        .map((m) => m.id)
        .sort(),
    ).to.deep.equal([...orphanIpIds].sort());
    expect(first.marked.filter((m) => m.kind === "vnic").map((m) => m.vnicId)).to.deep.equal([goneVnic]);
    const reasons = Object.fromEntries(first.marked.map((m) => [m.ipAddress ?? m.vnicId, m.reason]));
    for (const ip of notInPool) expect(reasons[ip.ipAddress]).to.equal("NotInPool");
    expect(reasons[goneVnic]).to.equal("InstanceNotANode");
    expect(first.skipped.find((s) => s.id === inUse.id)?.reason).to.equal("InUse");
    expect(first.skipped.find((s) => s.id === survivors[3]!.id)?.reason).to.equal("NoOwnerTag");
    expect(first.foreign).to.be.at.least(2);
    expect(JSON.stringify([...world(cluster).ips.keys()])).to.equal(JSON.stringify([...before.ips.keys()]));
    const marks = cluster.kube.store.get("configmaps", "ocipam-leak-marks", "ocipam-system") as {
      data: Record<string, string>;
    };
    expect(Object.keys(JSON.parse(marks.data["marks.json"]!))).to.have.length(13);

    const second = await collect();
    expect(second.deleted.filter((d) => d.kind === "vnic").map((d) => d.vnicId)).to.deep.equal([goneVnic]);
    expect(
      second.deleted
        .filter((d) => d.kind === "privateIp")
        .map((d) => d.id)
        .sort(),
    ).to.deep.equal([...orphanIpIds].filter((id) => !onGoneVnic.some((o) => o.id === id)).sort());
    expect(
      second.skipped
        .filter((s) => s.reason === "GoesWithVnic")
        .map((s) => s.id)
        .sort(),
    ).to.deep.equal(onGoneVnic.map((o) => o.id).sort());

    const after = world(cluster);
    for (const id of orphanIpIds) expect(after.ips.has(id), `orphan ${id} collected`).to.equal(false);
    // Everything else is still there (the detached VNIC's own primary IP went with it).
    const untouched = [...before.ips.keys()].filter(
      (id) => !orphanIpIds.has(id) && before.ips.get(id)!.vnicId !== goneVnic,
    );
    for (const id of untouched)
      expect(
        after.ips.has(id),
        `${before.ips.get(id)!.ipAddress} (${JSON.stringify(before.ips.get(id)!.freeformTags)}) untouched`,
      ).to.equal(true);
    for (const s of survivors) expect(after.ips.has(s.id)).to.equal(true);
    expect([...before.vnics.keys()].filter((id) => !after.vnics.has(id))).to.deep.equal([goneVnic]);
    expect(after.vnics.has(storageVnic)).to.equal(true);
    expect(Object.keys(poolOf(cluster, "leak-live"))).to.have.length(8);

    const third = await collect();
    expect(third.marked).to.deep.equal([]);
    expect(third.deleted).to.deep.equal([]);
    expect(third.pendingMarks).to.equal(0);
    expect(third.apiCalls["oci.listPrivateIpsInSubnet"], "one paged list per subnet of the VCN").to.equal(4);
    expect(third.apiCalls["oci.listPrivateIps"], "no list per VNIC").to.equal(undefined);
    expect(third.apiCalls["oci.listVnicAttachmentsInCompartment"], "one list per cluster compartment").to.equal(1);
  });

  it("waits for the grace period and deletes at most the configured number per run", async () => {
    const capped = await FunctionUnderTest.start(cluster, {
      OCIPAM_COLLECT_GRACE_PERIOD: "1",
      OCIPAM_COLLECT_MAX_DELETIONS: "3",
    });
    try {
      const node = await cluster.launchNode("leak-cap", { ocpus: 2 });
      await capped.invoke(nudgeFor("leak-cap"));
      const primary = vnicsOf(cluster, node.instanceId).find((v) => v.isPrimary)!;
      const tags = { [TAG_CLUSTER]: LOCAL_CLUSTER_NAME, [TAG_NODE]: "leak-cap", [TAG_INSTANCE]: node.instanceId };
      const orphans = await Promise.all(Array.from({ length: 5 }, () => injectIp(oci, primary.id, tags)));

      expect((await collect(capped)).marked).to.have.length(5);
      const early = await collect(capped);
      expect(early.deleted).to.deep.equal([]);
      expect(early.skipped.filter((s) => s.reason === "InGracePeriod")).to.have.length(5);
      await sleep(1100);
      const third = await collect(capped);
      expect(third.deleted).to.have.length(3);
      expect(third.skipped.filter((s) => s.reason === "DeletionCapReached")).to.have.length(2);
      const fourth = await collect(capped);
      expect(fourth.deleted).to.have.length(2);
      const left = world(cluster).ips;
      for (const o of orphans) expect(left.has(o.id)).to.equal(false);
      expect(Object.keys(poolOf(cluster, "leak-cap"))).to.have.length(8);
    } finally {
      await capped.stop();
    }
  });

  it("keeps a prewarm's IPs while the instance waits for its node, with prewarm on", async () => {
    const prewarming = await FunctionUnderTest.start(cluster, {
      OCIPAM_PREWARM_ON_LAUNCH: "true",
      OCIPAM_PREWARM_INSTANCE_TAGS: `ocipam.io/cluster=${LOCAL_CLUSTER_NAME}`,
      OCIPAM_COLLECT_GRACE_PERIOD: "0",
    });
    try {
      const { instanceId, event } = await launchAndAwaitEnd(cluster, {
        name: "leak-prewarmed",
        freeformTags: { "ocipam.io/cluster": LOCAL_CLUSTER_NAME },
      });
      expect((await prewarming.invoke(event)).instances[0]).to.include({ outcome: "prewarmed", ipsCreated: 8 });
      const prepared = [...world(cluster).ips.values()].filter(
        (ip) => ip.freeformTags[TAG_INSTANCE] === instanceId && !ip.freeformTags[TAG_NODE],
      );
      expect(prepared).to.have.length(8);
      for (let pass = 0; pass < 2; pass++) {
        const report = await collect(prewarming);
        expect(report.marked).to.deep.equal([]);
        expect(report.deleted).to.deep.equal([]);
        expect(report.skipped.filter((s) => s.reason === "PrewarmInProgress")).to.have.length(8);
      }
      const left = world(cluster).ips;
      for (const ip of prepared) expect(left.has(ip.id)).to.equal(true);
    } finally {
      await prewarming.stop();
    }
  });
});
