import { expect } from "chai";
import { leaseNameForNode } from "../../lib/adapters/kube/lease-name";
import { formatMicroTime } from "../../lib/adapters/kube/kube-time";
import { TAG_CLUSTER, TAG_INSTANCE, TAG_NODE } from "../../lib/core/ownership";
import {
  DEFAULT_COMPARTMENT,
  LOCAL_CLUSTER_NAME,
  startLocalCluster,
  type LocalCluster,
} from "../../lib/testbed/local/local-cluster";
import { instanceLockKey } from "../../lib/reconcile/prewarm";
import { FunctionUnderTest, nudgeFor } from "./function-harness";
import { launchAndAwaitEnd, terminateAndAwaitEnd } from "./instance-events";
import { ipamRecord, poolOf, vnicsOf } from "./world-queries";

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  freeformTags: Record<string, string>;
}
interface SnapshotAttachment {
  id: string;
  instanceId: string;
  displayName?: string;
  assignedVnicId: string;
  lifecycleState: string;
}

/** Non-primary IPs on the instance's VNICs, whoever made them. */
function ipsOnInstance(cluster: LocalCluster, instanceId: string): SnapshotIp[] {
  const vnics = new Set(vnicsOf(cluster, instanceId).map((v) => v.id));
  return (cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] }).privateIps.filter(
    (ip) => vnics.has(ip.vnicId) && !ip.isPrimary,
  );
}

const CLUSTER_TAG = { "ocipam.io/cluster": LOCAL_CLUSTER_NAME };

describe("prewarm on instance launch, and record clean-up on termination (FDK socket, both emulators)", function () {
  this.timeout(60_000);
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero" });
    fn = await FunctionUnderTest.start(cluster, {
      OCIPAM_PREWARM_ON_LAUNCH: "true",
      OCIPAM_PREWARM_INSTANCE_TAGS: "ocipam.io/cluster=local",
      OCIPAM_PREWARM_DISPLAY_NAME_PATTERN: "^pw-",
    });
    await fn.warm();
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  it(
    "creates and tags the pre-allocate IPs before the node exists; the " +
      "node's first reconcile adopts them with no create",
    async () => {
      const { instanceId, event } = await launchAndAwaitEnd(cluster, { name: "pw-adopt", freeformTags: CLUSTER_TAG });
      const prewarm = await fn.invoke(event);
      expect(prewarm.ok, JSON.stringify(prewarm)).to.equal(true);
      expect(prewarm.nodes).to.deep.equal([]);
      expect(prewarm.instances[0]).to.include({
        instanceId,
        action: "prewarm",
        outcome: "prewarmed",
        ipsCreated: 8,
        ipsReady: 8,
      });

      expect(cluster.kube.store.get("nodes", "pw-adopt"), "no Node yet").to.equal(undefined);
      expect(cluster.kube.store.get("ciliumnodes", "pw-adopt"), "no CiliumNode yet").to.equal(undefined);
      const ips = ipsOnInstance(cluster, instanceId);
      expect(ips).to.have.length(8);
      for (const ip of ips) {
        expect(ip.freeformTags).to.deep.equal({ [TAG_CLUSTER]: LOCAL_CLUSTER_NAME, [TAG_INSTANCE]: instanceId });
        expect(ip.freeformTags).to.not.have.property(TAG_NODE);
      }

      const again = await fn.invoke(event);
      expect(again.instances[0], "a duplicate event creates nothing").to.include({
        outcome: "prewarmed",
        ipsCreated: 0,
        ipsReady: 8,
      });
      expect(ipsOnInstance(cluster, instanceId)).to.have.length(8);

      const joinedAt = Date.now();
      cluster.joinNode("pw-adopt", instanceId);
      const adopt = await fn.invoke(nudgeFor("pw-adopt"));
      const readyAfterMs = Date.now() - joinedAt;
      const node = adopt.nodes[0]!;
      expect(node).to.include({ outcome: "reconciled", state: "Ready", ipsCreated: 0, vnicsAttached: 0 });
      expect(node.apiCalls["oci.createPrivateIp"] ?? 0).to.equal(0);
      expect(node.apiCalls["kube.writePool"]).to.equal(1);
      const pool = poolOf(cluster, "pw-adopt");
      expect(Object.keys(pool).sort()).to.deep.equal(ips.map((ip) => ip.ipAddress).sort());
      expect(ipsOnInstance(cluster, instanceId)).to.have.length(8);

      // For comparison, the same with no prewarm: a node joining cold.
      const cold = await cluster.launchNode("cold-node", { ocpus: 2 });
      const coldJoinedAt = Date.now();
      const coldResult = await fn.invoke(nudgeFor("cold-node"));
      const coldReadyAfterMs = Date.now() - coldJoinedAt;
      expect(coldResult.nodes[0]).to.include({ ipsCreated: 8 });
      expect(ipsOnInstance(cluster, cold.instanceId)).to.have.length(8);
      // Reported, not asserted (wall-clock figures on a busy machine prove nothing): latency "zero", warm function.
      console.log(
        `      CiliumNode created → pool holds 8 IPs: ${readyAfterMs} ms with ` +
          `prewarm (OCI calls ${JSON.stringify(countOci(node.apiCalls))}), ` +
          `${coldReadyAfterMs} ms cold (OCI calls ` +
          `${JSON.stringify(countOci(coldResult.nodes[0]!.apiCalls))})`,
      );
    },
  );

  it("attaches a secondary VNIC first when first-interface-index is 1, and the node adopts VNIC and IPs", async () => {
    const secondary = await FunctionUnderTest.start(cluster, {
      OCIPAM_PREWARM_ON_LAUNCH: "true",
      OCIPAM_PREWARM_INSTANCE_TAGS: "ocipam.io/cluster=local",
      OCIPAM_FIRST_INTERFACE_INDEX: "1",
    });
    try {
      const { instanceId, event } = await launchAndAwaitEnd(cluster, {
        name: "pw-secondary",
        freeformTags: CLUSTER_TAG,
      });
      const prewarm = await secondary.invoke(event);
      expect(prewarm.instances[0], JSON.stringify(prewarm.instances[0])).to.include({
        outcome: "prewarmed",
        vnicsAttached: 1,
        ipsCreated: 8,
      });
      const vnics = vnicsOf(cluster, instanceId);
      const vnic = vnics.find((v) => !v.isPrimary)!;
      expect(vnic.freeformTags).to.deep.equal({ [TAG_CLUSTER]: LOCAL_CLUSTER_NAME, [TAG_INSTANCE]: instanceId });
      const attachment = (cluster.oci.admin.snapshot().vnicAttachments as unknown as SnapshotAttachment[]).find(
        (a) => a.assignedVnicId === vnic.id,
      )!;
      expect(attachment.displayName).to.equal(`ocipam:${LOCAL_CLUSTER_NAME}:instance:${instanceId}`);
      const ips = ipsOnInstance(cluster, instanceId);
      expect(ips).to.have.length(8);
      expect(ips.every((ip) => ip.vnicId === vnic.id)).to.equal(true);

      cluster.joinNode("pw-secondary", instanceId);
      const adopt = await secondary.invoke(nudgeFor("pw-secondary"));
      expect(adopt.nodes[0]).to.include({ outcome: "reconciled", state: "Ready", ipsCreated: 0, vnicsAttached: 0 });
      const pool = poolOf(cluster, "pw-secondary");
      expect(Object.keys(pool)).to.have.length(8);
      expect(Object.values(pool).every((e) => e.resource === vnic.id)).to.equal(true);
      expect(vnicsOf(cluster, instanceId)).to.have.length(2);
    } finally {
      await secondary.stop();
    }
  });

  it(
    "never prewarms an instance the filters exclude, outside the cluster's " +
      "compartments, or one that already has a Node",
    async () => {
      const untagged = await launchAndAwaitEnd(cluster, { name: "pw-untagged" });
      const misnamed = await launchAndAwaitEnd(cluster, { name: "other-name", freeformTags: CLUSTER_TAG });
      const elsewhere = cluster.oci.admin.createCompartment({ name: "elsewhere-pw" });
      const outside = await launchAndAwaitEnd(cluster, {
        name: "pw-outside",
        compartment: elsewhere.id,
        freeformTags: CLUSTER_TAG,
      });
      const joined = await launchAndAwaitEnd(cluster, { name: "pw-joined", freeformTags: CLUSTER_TAG });
      cluster.joinNode("pw-joined", joined.instanceId);
      const before = JSON.stringify(cluster.oci.admin.snapshot().privateIps);

      const r1 = await fn.invoke(untagged.event);
      expect(r1.instances[0]).to.include({ outcome: "refused" });
      expect(r1.instances[0]!.reason.code).to.equal("PrewarmTagsMismatch");
      const r2 = await fn.invoke(misnamed.event);
      expect(r2.instances[0]!.reason.code).to.equal("PrewarmNameMismatch");
      const r3 = await fn.invoke(outside.event);
      expect(r3.instances).to.deep.equal([]);
      expect(r3.skipped[0]!.reason).to.equal("NotInClusterCompartment");
      expect(
        JSON.stringify(cluster.oci.admin.snapshot().privateIps),
        "nothing created for excluded instances",
      ).to.equal(before);

      // An event for an instance whose Node exists is that node's reconcile, not a prewarm.
      const r4 = await fn.invoke(joined.event);
      expect(r4.instances).to.deep.equal([]);
      expect(r4.nodes[0]).to.include({ node: "pw-joined", outcome: "reconciled", ipsCreated: 8 });
      expect(
        ipsOnInstance(cluster, joined.instanceId).every((ip) => ip.freeformTags[TAG_NODE] === "pw-joined"),
      ).to.equal(true);
    },
  );

  it("makes the new node's first reconcile wait while a prewarm holds the instance", async () => {
    const { instanceId } = await launchAndAwaitEnd(cluster, { name: "pw-locked", freeformTags: CLUSTER_TAG });
    const now = Date.now();
    cluster.kube.store.create("leases", {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: leaseNameForNode(instanceLockKey(instanceId)), namespace: "ocipam-system" },
      spec: {
        holderIdentity: "a-prewarm-in-flight",
        leaseDurationSeconds: 3600,
        acquireTime: formatMicroTime(now),
        renewTime: formatMicroTime(now),
      },
    });
    cluster.joinNode("pw-locked", instanceId);
    const waiting = await fn.invoke(nudgeFor("pw-locked"));
    expect(waiting.nodes[0]).to.include({ outcome: "skipped", ipsCreated: 0 });
    expect(waiting.nodes[0]!.reason.code).to.equal("InstanceLocked");
    expect(ipsOnInstance(cluster, instanceId)).to.have.length(0);

    cluster.kube.store.delete("leases", leaseNameForNode(instanceLockKey(instanceId)), "ocipam-system");
    const done = await fn.invoke(nudgeFor("pw-locked"));
    expect(done.nodes[0]).to.include({ outcome: "reconciled", ipsCreated: 8 });
    // Once the node has its record, later reconciles no longer take the instance lock.
    expect(ipamRecord(cluster, "pw-locked")!.spec.instanceId).to.equal(instanceId);
    // A released lock is deleted: nothing stays behind for the instance.
    const leaseName = leaseNameForNode(instanceLockKey(instanceId));
    expect(cluster.kube.store.get("leases", leaseName, "ocipam-system")).to.equal(undefined);
    const touched: string[] = [];
    const stop = cluster.kube.store.onChange((e) => {
      if (e.typeKey.startsWith("leases") && (e.object as { metadata?: { name?: string } }).metadata?.name === leaseName)
        touched.push(e.type);
    });
    const later = await fn.invoke(nudgeFor("pw-locked"));
    stop();
    expect(later.nodes[0]).to.include({ outcome: "reconciled" });
    expect(touched).to.deep.equal([]);
  });

  it("removes the node's OciIpamNode record on terminateinstance events and keeps it for a forged one", async () => {
    const { instanceId } = await cluster.launchNode("term-node", { ocpus: 2 });
    await fn.invoke(nudgeFor("term-node"));
    expect(ipamRecord(cluster, "term-node")).to.not.equal(undefined);
    const forged = {
      cloudEventsVersion: "0.1",
      eventType: "com.oraclecloud.computeapi.terminateinstance.begin",
      eventTypeVersion: "2.0",
      source: "ComputeApi",
      eventID: "6b9e0f1e-2a44-4c1d-9a77-00000000beef",
      eventTime: new Date().toISOString(),
      contentType: "application/json",
      extensions: { compartmentId: DEFAULT_COMPARTMENT },
      data: { compartmentId: DEFAULT_COMPARTMENT, resourceId: instanceId, resourceName: "term-node" },
    };
    const refused = await fn.invoke(forged);
    expect(refused.instances[0]).to.include({ action: "terminate", outcome: "refused" });
    expect(refused.instances[0]!.reason.code).to.equal("InstanceNotTerminating");
    expect(ipamRecord(cluster, "term-node"), "a running instance keeps its record").to.not.equal(undefined);

    const { begin, end } = await terminateAndAwaitEnd(cluster, instanceId);
    const cleaned = await fn.invoke(begin);
    expect(cleaned.instances[0]).to.include({ action: "terminate", outcome: "cleaned" });
    expect(cleaned.instances[0]!.recordsRemoved).to.deep.equal(["term-node"]);
    expect(ipamRecord(cluster, "term-node")).to.equal(undefined);
    // The Node may be gone by `end`: the record is found by its spec.instanceId then (none left here).
    cluster.kube.store.delete("nodes", "term-node");
    const atEnd = await fn.invoke(end);
    expect(atEnd.instances[0]).to.include({ outcome: "cleaned" });
    expect(atEnd.instances[0]!.recordsRemoved).to.deep.equal([]);
  });
});

function countOci(apiCalls: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(apiCalls).filter(([k]) => k.startsWith("oci.")));
}

describe("prewarm against the realistic OCI latency profile (time scale 0.25)", function () {
  this.timeout(60_000);
  const TIME_SCALE = 0.25;
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;

  before(async () => {
    cluster = await startLocalCluster({ latency: "realistic", timeScale: TIME_SCALE });
    fn = await FunctionUnderTest.start(cluster, {
      OCIPAM_PREWARM_ON_LAUNCH: "true",
      OCIPAM_PREWARM_INSTANCE_TAGS: "ocipam.io/cluster=local",
    });
    await fn.warm();
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  /** A RUNNING instance and the launchinstance.end envelope the Events rule would deliver for it. */
  function runningInstance(name: string): { instanceId: string; event: Record<string, unknown> } {
    const instance = cluster.oci.admin.launchInstance(
      {
        name,
        shape: "VM.Standard.E4.Flex",
        ocpus: 2,
        subnet: "workers-ad1",
        compartment: DEFAULT_COMPARTMENT,
        freeformTags: CLUSTER_TAG,
      },
      { running: true },
    ) as { id: string };
    const event = {
      cloudEventsVersion: "0.1",
      eventType: "com.oraclecloud.computeapi.launchinstance.end",
      eventTypeVersion: "2.0",
      source: "ComputeApi",
      eventID: `00000000-0000-4000-8000-${String(Date.now()).padStart(12, "0").slice(-12)}`,
      eventTime: new Date().toISOString(),
      contentType: "application/json",
      extensions: { compartmentId: DEFAULT_COMPARTMENT },
      data: { compartmentId: DEFAULT_COMPARTMENT, resourceId: instance.id, resourceName: name },
    };
    return { instanceId: instance.id, event };
  }

  /**
   * When the node's spec.ipam.pool first holds 8 addresses (what the agent waits for), whatever the invocation does
   * after.
   */
  function poolReadyAt(name: string): Promise<number> {
    return new Promise((resolve) => {
      const stop = cluster.kube.store.onChange((e) => {
        const o = e.object as { metadata?: { name?: string }; spec?: { ipam?: { pool?: Record<string, unknown> } } };
        if (
          !e.typeKey.startsWith("ciliumnodes") ||
          o.metadata?.name !== name ||
          Object.keys(o.spec?.ipam?.pool ?? {}).length < 8
        )
          return;
        stop();
        resolve(Date.now());
      });
    });
  }

  it(
    "has the pool ready one observation and one write after the CiliumNode " +
      "appears, where a cold node also waits for the creates",
    async () => {
      const warm = runningInstance("lat-prewarmed");
      const prewarm = await fn.invoke(warm.event);
      expect(prewarm.instances[0]).to.include({ outcome: "prewarmed", ipsCreated: 8 });
      const warmJoined = Date.now();
      const warmReady = poolReadyAt("lat-prewarmed");
      cluster.joinNode("lat-prewarmed", warm.instanceId);
      const adopted = await fn.invoke(nudgeFor("lat-prewarmed"));
      const warmMs = (await warmReady) - warmJoined;
      expect(adopted.nodes[0]).to.include({ state: "Ready", ipsCreated: 0 });
      expect(Object.keys(poolOf(cluster, "lat-prewarmed"))).to.have.length(8);

      const cold = runningInstance("lat-cold");
      const coldJoined = Date.now();
      const coldReady = poolReadyAt("lat-cold");
      cluster.joinNode("lat-cold", cold.instanceId);
      const created = await fn.invoke(nudgeFor("lat-cold"));
      const coldMs = (await coldReady) - coldJoined;
      expect(created.nodes[0]).to.include({ state: "Ready", ipsCreated: 8 });
      expect(Object.keys(poolOf(cluster, "lat-cold"))).to.have.length(8);
      expect(adopted.nodes[0]!.apiCalls["kube.writePool"]).to.equal(1);
      // Reported, not asserted (OCI latencies are the default profile × TIME_SCALE; Kubernetes and the process are not
      // scaled).
      console.log(
        `      CiliumNode created → pool of 8 (OCI latency profile × ` +
          `${TIME_SCALE}): ${warmMs} ms prewarmed, ${coldMs} ms cold; the ` +
          `prewarm itself took ${prewarm.instances[0]!.durationMs} ms before the ` +
          `node existed`,
      );
    },
  );
});
