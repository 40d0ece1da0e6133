import { expect } from "chai";
import type { InvocationResult } from "../../functions/allocator/invocation-result";
import { blockContains } from "../../lib/core/blocks/cidr";
import { startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { DEFAULT_WORLD } from "../../lib/testbed/oci-emulator";
import { AgentDriver } from "./agent-driver";
import { FunctionUnderTest, nudgeFor } from "./function-harness";
import { launchAndAwaitEnd } from "./instance-events";
import { ciliumNode, ipamRecord, poolOf, useIps } from "./world-queries";

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  cidrPrefixLength?: number;
  freeformTags: Record<string, string>;
}

/** OCI seconds a subnet stays UPDATING after its first IP CIDR address (the emulator's window, shortened). */
const UPDATING_S = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function objectsOf(cluster: LocalCluster, node: string): SnapshotIp[] {
  const snap = cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] };
  return snap.privateIps.filter((ip) => !ip.isPrimary && ip.freeformTags["ocipam-node"] === node);
}
const blocksOf = (cluster: LocalCluster, node: string) =>
  objectsOf(cluster, node).filter((ip) => (ip.cidrPrefixLength ?? 32) < 32);
const ociCalls = (r: InvocationResult) =>
  Object.entries(r.nodes[0]!.apiCalls)
    .filter(([k]) => k.startsWith("oci."))
    .reduce((n, [, v]) => n + v, 0);
const usedOf = (cluster: LocalCluster, name: string) =>
  (ciliumNode(cluster, name).status?.ipam?.used ?? {}) as Record<string, unknown>;

describe("IP CIDR blocks through the allocator function (FDK socket, both emulators, /28 blocks)", function () {
  this.timeout(90_000);
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;

  before(async () => {
    cluster = await startLocalCluster({
      latency: "zero",
      world: { ...DEFAULT_WORLD, subnetUpdatingSeconds: UPDATING_S },
    });
    fn = await FunctionUnderTest.start(cluster, {
      OCIPAM_IP_BLOCK_PREFIX_LENGTH: "28",
      OCIPAM_MAX_PODS_PER_NODE: "256",
      OCIPAM_RELEASE_EXCESS_IPS: "true",
      OCIPAM_EXCESS_IP_RELEASE_DELAY: "0",
    });
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  const nudge = async (name: string) => {
    const r = await fn.invoke(nudgeFor(name));
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    return r;
  };

  it(
    "gives a new node one /28 block, offers 8 of its 16 addresses, offers " +
      "the rest with no OCI create, and waits while the subnet is UPDATING",
    async () => {
      await cluster.launchNode("blk-new", { ocpus: 1 });
      const first = await nudge("blk-new");
      const started = Date.now();
      expect(first.nodes[0]).to.include({ outcome: "reconciled", state: "Ready", ipsCreated: 8 });
      expect(first.nodes[0]!.apiCalls["oci.createPrivateIp"]).to.equal(1);
      const [block] = blocksOf(cluster, "blk-new");
      expect(block?.cidrPrefixLength).to.equal(28);
      const pool = Object.keys(poolOf(cluster, "blk-new"));
      expect(pool).to.have.length(8);
      expect(pool.every((a) => blockContains(block!.ipAddress, 28, a))).to.equal(true);
      expect(ipamRecord(cluster, "blk-new")!.status.counts.maxAllocatable, "2 slots × 31 × 16, capped at 256").to.equal(
        256,
      );

      useIps(cluster, "blk-new", 8);
      const offered = await nudge("blk-new");
      expect(offered.nodes[0]!.apiCalls["oci.createPrivateIp"] ?? 0, "held addresses cost no create").to.equal(0);
      expect(Object.keys(poolOf(cluster, "blk-new"))).to.have.length(16);

      useIps(cluster, "blk-new", 16);
      const waiting = await nudge("blk-new");
      expect(Date.now() - started, "still inside the UPDATING window").to.be.below(UPDATING_S * 1000);
      expect(waiting.nodes[0]).to.include({ state: "Allocating" });
      expect(waiting.nodes[0]!.reason.code).to.equal("SubnetUpdating");
      expect(waiting.nodes[0]!.error).to.equal(undefined);

      await sleep(UPDATING_S * 1000 - (Date.now() - started) + 300);
      const after = await nudge("blk-new");
      expect(after.nodes[0]).to.include({ state: "Ready" });
      expect(blocksOf(cluster, "blk-new")).to.have.length(2);
      expect(Object.keys(poolOf(cluster, "blk-new"))).to.have.length(24);
    },
  );

  it("takes a 1-OCPU node past 62 pods with blocks on its primary VNIC, one OCI create per 16 addresses", async () => {
    await cluster.launchNode("blk-big", { ocpus: 1 });
    let calls = 0;
    let creates = 0;
    for (let round = 0; round < 20 && Object.keys(poolOf(cluster, "blk-big")).length < 120; round++) {
      useIps(cluster, "blk-big", Object.keys(poolOf(cluster, "blk-big")).length);
      const r = await nudge("blk-big");
      if (r.nodes[0]!.reason.code === "SubnetUpdating") await sleep(UPDATING_S * 1000);
      calls += ociCalls(r);
      creates += r.nodes[0]!.apiCalls["oci.createPrivateIp"] ?? 0;
      expect(r.nodes[0]!.state).to.not.equal("Error");
    }
    const pool = Object.keys(poolOf(cluster, "blk-big"));
    expect(pool.length).to.be.at.least(120);
    const blocks = blocksOf(cluster, "blk-big");
    expect(objectsOf(cluster, "blk-big").length, "one object per 16 addresses").to.equal(blocks.length);
    expect(pool.every((a) => blocks.some((b) => blockContains(b.ipAddress, 28, a)))).to.equal(true);
    // One create per 16 addresses; reads dominate (one observation of ≈ 6 reads per pre-allocate step of 8 addresses).
    console.log(
      `      [blocks] ${calls} OCI calls (${creates} creates) for ` +
        `${pool.length} addresses offered: ${(calls / pool.length).toFixed(3)} ` +
        `per address`,
    );
    expect(creates).to.equal(blocks.length);
    expect(creates).to.be.at.most(Math.ceil(pool.length / 16));
    expect(calls / pool.length).to.be.below(1.1);
  });

  it(
    "releases through Cilium's handshake, then deletes a block only once " + "none of its addresses is offered or used",
    async () => {
      const name = "blk-rel";
      await cluster.launchNode(name, { ocpus: 1 });
      await nudge(name);
      const agent = new AgentDriver(cluster, name);
      agent.boot(6); // router, health and 6 pods: the block's other 8 addresses are offered next
      agent.sync();
      await nudge(name);
      for (let i = 6; i < 14; i++) agent.allocate(`default/boot-${i}`);
      agent.sync();
      await nudge(name); // 16 used: a second block
      expect(blocksOf(cluster, name).length).to.be.at.least(2);
      const blocksBefore = blocksOf(cluster, name);
      for (let i = 0; i < 14; i++) agent.free(`default/boot-${i}`);
      agent.sync();
      const deletedUsed: string[] = [];
      for (let round = 0; round < 10 && blocksOf(cluster, name).length === blocksBefore.length; round++) {
        const used = Object.keys(usedOf(cluster, name));
        const before = new Set(blocksOf(cluster, name).map((b) => b.id));
        await nudge(name);
        agent.sync();
        for (const b of blocksBefore) {
          if (before.has(b.id) && !blocksOf(cluster, name).some((x) => x.id === b.id)) {
            deletedUsed.push(...used.filter((a) => blockContains(b.ipAddress, 28, a)));
          }
        }
      }
      const remaining = blocksOf(cluster, name);
      expect(remaining.length, "an empty block was deleted").to.be.below(blocksBefore.length);
      expect(deletedUsed, "no address in use was ever deleted").to.deep.equal([]);
      const pool = Object.keys(poolOf(cluster, name));
      for (const a of Object.keys(usedOf(cluster, name))) expect(pool).to.include(a);
      expect(pool.every((a) => remaining.some((b) => blockContains(b.ipAddress, 28, a)))).to.equal(true);
    },
  );

  it(
    "prewarms one block on a launched instance; the node that joins offers " + "its addresses with no OCI create",
    async () => {
      const prewarming = await FunctionUnderTest.start(cluster, {
        OCIPAM_IP_BLOCK_PREFIX_LENGTH: "28",
        OCIPAM_PREWARM_ON_LAUNCH: "true",
        OCIPAM_PREWARM_INSTANCE_TAGS: "ocipam.io/cluster=local",
      });
      try {
        const { instanceId, event } = await launchAndAwaitEnd(cluster, {
          name: "blk-pw",
          freeformTags: { "ocipam.io/cluster": "local" },
        });
        const prewarm = await prewarming.invoke(event);
        expect(prewarm.instances[0], JSON.stringify(prewarm.instances[0])).to.include({
          outcome: "prewarmed",
          ipsCreated: 16,
          ipsReady: 16,
        });
        const snap = cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] };
        const onInstance = snap.privateIps.filter(
          (ip) => !ip.isPrimary && ip.freeformTags["ocipam-instance"] === instanceId,
        );
        expect(onInstance.map((ip) => ip.cidrPrefixLength)).to.deep.equal([28]);
        const again = await prewarming.invoke(event);
        expect(again.instances[0], "a duplicate event creates nothing").to.include({ ipsCreated: 0, ipsReady: 16 });

        cluster.joinNode("blk-pw", instanceId);
        const joined = await prewarming.invoke(nudgeFor("blk-pw"));
        expect(joined.nodes[0]).to.include({ outcome: "reconciled", state: "Ready" });
        expect(joined.nodes[0]!.apiCalls["oci.createPrivateIp"] ?? 0).to.equal(0);
        const pool = Object.keys(poolOf(cluster, "blk-pw"));
        expect(pool).to.have.length(8);
        expect(pool.every((a) => blockContains(onInstance[0]!.ipAddress, 28, a))).to.equal(true);
        const adopted = (cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] }).privateIps.find(
          (ip) => ip.id === onInstance[0]!.id,
        )!;
        expect(adopted.freeformTags["ocipam-node"], "the block carries the node's tag once adopted").to.equal("blk-pw");
      } finally {
        await prewarming.stop();
      }
    },
  );
});
