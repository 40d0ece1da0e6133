import { expect } from "chai";
import type { ReleaseStatus } from "../../lib/core/model";
import { TAG_CLUSTER, TAG_INSTANCE, TAG_NODE } from "../../lib/core/ownership";
import { LOCAL_CLUSTER_NAME, startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import type { InvocationResult } from "../../functions/allocator/invocation-result";
import { AgentDriver } from "./agent-driver";
import { FunctionUnderTest, nudgeFor } from "./function-harness";
import { injectIp, ociAs } from "./oci-tools";
import { ciliumNode, ipamRecord, ownedIpsOf, poolOf, vnicsOf } from "./world-queries";

/** Seconds an IP must stay excess before it is marked (wall clock: the function plans with `new Date()`). */
const DELAY_S = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  freeformTags: Record<string, string>;
}

function releaseIpsOf(cluster: LocalCluster, name: string): Record<string, ReleaseStatus> {
  return (ciliumNode(cluster, name).status?.ipam?.["release-ips"] ?? {}) as Record<string, ReleaseStatus>;
}

function usedOf(cluster: LocalCluster, name: string): Record<string, unknown> {
  return (ciliumNode(cluster, name).status?.ipam?.used ?? {}) as Record<string, unknown>;
}

function allIps(cluster: LocalCluster): Map<string, SnapshotIp> {
  const snap = cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] };
  return new Map(snap.privateIps.map((ip) => [ip.id, ip]));
}

describe(
  "excess IP release through the function, answered by Cilium's agent " + "rules (FDK socket, both emulators)",
  function () {
    this.timeout(60_000);
    let cluster: LocalCluster;
    let fn: FunctionUnderTest;
    /** Every CiliumNode change in order, to check that status is written before the pool. */
    const changes: Array<{ name: string; pool: Record<string, unknown>; releaseIps: Record<string, string> }> = [];
    let unsubscribe: () => void;

    before(async () => {
      cluster = await startLocalCluster({ latency: "zero" });
      fn = await FunctionUnderTest.start(cluster, {
        OCIPAM_RELEASE_EXCESS_IPS: "true",
        OCIPAM_EXCESS_IP_RELEASE_DELAY: String(DELAY_S),
      });
      unsubscribe = cluster.kube.store.onChange((e) => {
        if (e.typeKey !== "ciliumnodes.cilium.io") return;
        const o = e.object as {
          metadata: { name: string };
          spec?: { ipam?: { pool?: Record<string, unknown> } };
          status?: { ipam?: { "release-ips"?: Record<string, string> } };
        };
        changes.push({
          name: o.metadata.name,
          pool: { ...(o.spec?.ipam?.pool ?? {}) },
          releaseIps: { ...(o.status?.ipam?.["release-ips"] ?? {}) },
        });
      });
    });
    after(async () => {
      unsubscribe?.();
      await fn?.stop();
      await cluster?.close();
    });

    /**
     * One nudge, checked against the safety rules: an IP deleted by this invocation was allocator-owned for this node,
     * secondary, not in status.ipam.used, and answered ready-for-release by the agent before the call.
     */
    async function nudge(name: string): Promise<{ result: InvocationResult; deleted: SnapshotIp[] }> {
      const before = allIps(cluster);
      const used = usedOf(cluster, name);
      const handshake = releaseIpsOf(cluster, name);
      const result = await fn.invoke(nudgeFor(name));
      expect(result.ok, JSON.stringify(result)).to.equal(true);
      const after = allIps(cluster);
      const deleted = [...before.values()].filter((ip) => !after.has(ip.id));
      for (const ip of deleted) {
        expect(ip.isPrimary, `${ip.ipAddress} is a primary IP`).to.equal(false);
        expect(ip.freeformTags[TAG_CLUSTER], `${ip.ipAddress} cluster tag`).to.equal(LOCAL_CLUSTER_NAME);
        expect(ip.freeformTags[TAG_NODE], `${ip.ipAddress} node tag`).to.equal(name);
        expect(used, `${ip.ipAddress} was in use`).to.not.have.property(ip.ipAddress);
        expect(handshake[ip.ipAddress], `${ip.ipAddress} was not answered ready-for-release`).to.equal(
          "ready-for-release",
        );
      }
      return { result, deleted };
    }

    /** A node with 16 pool IPs, 2 of them used (router, health): 6 excess with pre-allocate 8. */
    async function nodeWithExcess(name: string): Promise<{ agent: AgentDriver; instanceId: string }> {
      const { instanceId } = await cluster.launchNode(name, { ocpus: 2 });
      await nudge(name);
      const agent = new AgentDriver(cluster, name);
      agent.boot(6);
      agent.sync();
      await nudge(name);
      expect(Object.keys(poolOf(cluster, name))).to.have.length(16);
      for (let i = 0; i < 6; i++) agent.free(`default/boot-${i}`);
      agent.sync();
      expect(Object.keys(usedOf(cluster, name))).to.have.length(2);
      return { agent, instanceId };
    }

    it(
      "marks IPs only after the delay, deletes only those the agent answered " +
        "ready-for-release, writes released before the pool, and the agent " +
        "then drops the entries",
      async () => {
        const name = "rel-ready";
        const { agent, instanceId } = await nodeWithExcess(name);
        // Another party's IPs on the node's primary VNIC: untagged, another cluster's, and this cluster's for another
        // node.
        const primary = vnicsOf(cluster, instanceId).find((v) => v.isPrimary)!;
        const oci = await ociAs(cluster);
        const foreign = [
          await injectIp(oci, primary.id, {}),
          await injectIp(oci, primary.id, {
            [TAG_CLUSTER]: "other-cluster",
            [TAG_NODE]: name,
            [TAG_INSTANCE]: instanceId,
          }),
          await injectIp(oci, primary.id, { [TAG_CLUSTER]: LOCAL_CLUSTER_NAME, [TAG_NODE]: "someone-else" }),
        ];

        const first = await nudge(name);
        expect(first.result.nodes[0]!.stats).to.include({ available: 16, used: 2, excess: 6 });
        const firstSeen = ipamRecord(cluster, name)!.status.release.firstSeenExcess as Record<string, string>;
        expect(Object.keys(firstSeen)).to.have.length(6);
        expect(releaseIpsOf(cluster, name)).to.deep.equal({});

        const early = await nudge(name);
        expect(early.result.nodes[0]!.decision).to.not.include("markForRelease");
        expect(releaseIpsOf(cluster, name), "marked before the delay").to.deep.equal({});
        expect(
          ipamRecord(cluster, name)!.status.release.firstSeenExcess,
          "first-seen times are kept across runs",
        ).to.deep.equal(firstSeen);

        await sleep(DELAY_S * 1000 + 100);
        const marking = await nudge(name);
        expect(marking.result.nodes[0]!.decision).to.include("markForRelease");
        const marked = releaseIpsOf(cluster, name);
        expect(Object.keys(marked).sort()).to.deep.equal(Object.keys(firstSeen).sort());
        expect(Object.values(marked).every((s) => s === "marked-for-release")).to.equal(true);
        expect(marking.deleted).to.deep.equal([]);

        const unanswered = await nudge(name);
        expect(unanswered.deleted, "deleted before the agent answered").to.deep.equal([]);
        expect(releaseIpsOf(cluster, name)).to.deep.equal(marked);

        const { answered } = agent.sync();
        expect(Object.values(answered).every((s) => s === "ready-for-release")).to.equal(true);
        const changesBefore = changes.length;
        const release = await nudge(name);
        expect(release.result.nodes[0]!.ipsReleased).to.equal(6);
        expect(release.deleted.map((ip) => ip.ipAddress).sort()).to.deep.equal(Object.keys(marked).sort());
        expect(Object.values(releaseIpsOf(cluster, name))).to.deep.equal(Array(6).fill("released"));
        const pool = poolOf(cluster, name);
        expect(Object.keys(pool)).to.have.length(10);
        for (const ip of Object.keys(marked)) expect(pool).to.not.have.property(ip);
        // Status before spec: `released` was in the CiliumNode while the IP was still in its pool.
        const mine = changes.slice(changesBefore).filter((c) => c.name === name);
        for (const ip of Object.keys(marked)) {
          const releasedAt = mine.findIndex((c) => c.releaseIps[ip] === "released");
          const leftPoolAt = mine.findIndex((c) => !(ip in c.pool));
          expect(releasedAt, `${ip} written released`).to.be.greaterThan(-1);
          expect(releasedAt, `${ip}: released written before it left the pool`).to.be.lessThan(leftPoolAt);
          expect(mine[releasedAt]!.pool, `${ip} still in the pool when released was written`).to.have.property(ip);
        }
        expect(
          ownedIpsOf(cluster, name).filter((ip) => ip.freeformTags[TAG_CLUSTER] === LOCAL_CLUSTER_NAME),
        ).to.have.length(10);

        agent.sync();
        expect(releaseIpsOf(cluster, name), "the agent drops released entries of IPs that left the pool").to.deep.equal(
          {},
        );
        const settled = await nudge(name);
        expect(settled.result.nodes[0]!.stats).to.include({ available: 10, excess: 0 });
        expect(settled.result.nodes[0]!.decision).to.deep.equal([]);

        const remaining = new Set([...allIps(cluster).values()].map((ip) => ip.id));
        for (const f of foreign) expect(remaining.has(f.id), `foreign ${f.ipAddress} survives`).to.equal(true);
        expect(
          [...allIps(cluster).values()].some((ip) => ip.vnicId === primary.id && ip.isPrimary),
          "the VNIC's primary IP survives",
        ).to.equal(true);
      },
    );

    it(
      "respects do-not-release: an IP the agent gave a pod meanwhile is " + "kept, and its delay starts again",
      async () => {
        const name = "rel-dnr";
        const { agent } = await nodeWithExcess(name);
        await nudge(name);
        // The agent hands an IP to a pod; it writes status only on its next update (Cilium: at most every 15 s).
        const late = agent.allocate("default/late");
        await sleep(DELAY_S * 1000 + 100);
        await nudge(name);
        expect(releaseIpsOf(cluster, name)[late], "the allocator still believed it free").to.equal(
          "marked-for-release",
        );

        expect(agent.sync().answered[late]).to.equal("do-not-release");
        // The pod goes away again before the allocator's next run: the IP is free, and excess, once more.
        agent.free("default/late");
        agent.sync();
        expect(releaseIpsOf(cluster, name)[late], "the agent keeps its answer").to.equal("do-not-release");

        const release = await nudge(name);
        expect(release.deleted.map((ip) => ip.ipAddress)).to.not.include(late);
        expect(release.result.nodes[0]!.ipsReleased).to.equal(5);
        expect(releaseIpsOf(cluster, name)).to.not.have.property(late);
        expect(poolOf(cluster, name)).to.have.property(late);
        const restarted = ipamRecord(cluster, name)!.status.release.firstSeenExcess[late] as string;
        expect(Date.parse(restarted), "the release delay starts again").to.be.greaterThan(Date.now() - 2000);

        agent.sync();
        const again = await nudge(name);
        expect(again.result.nodes[0]!.stats).to.include({ available: 11, excess: 1 });
        expect(releaseIpsOf(cluster, name), "not marked again before a whole new delay").to.not.have.property(late);
        await sleep(DELAY_S * 1000 + 100);
        await nudge(name);
        expect(releaseIpsOf(cluster, name)[late]).to.equal("marked-for-release");
      },
    );

    it(
      "re-reads and finishes when the agent writes status between the " + "allocator's status and pool writes",
      async () => {
        const name = "rel-race";
        const { agent } = await nodeWithExcess(name);
        await nudge(name);
        await sleep(DELAY_S * 1000 + 100);
        await nudge(name);
        const marked = Object.keys(releaseIpsOf(cluster, name));
        agent.sync();
        // As soon as `released` lands, a pod starts and the agent writes status: the pool write that follows is stale.
        let raced = false;
        const stop = cluster.kube.store.onChange((e) => {
          const o = e.object as {
            metadata: { name: string };
            status?: { ipam?: { "release-ips"?: Record<string, string> } };
          };
          if (raced || e.typeKey !== "ciliumnodes.cilium.io" || o.metadata.name !== name) return;
          if (!Object.values(o.status?.ipam?.["release-ips"] ?? {}).includes("released")) return;
          raced = true;
          queueMicrotask(() => {
            agent.allocate("default/racer");
            agent.sync();
          });
        });
        try {
          const release = await nudge(name);
          expect(raced).to.equal(true);
          expect(release.result.nodes[0]!.conflicts).to.be.greaterThan(0);
          expect(release.result.nodes[0]!.ipsReleased).to.equal(6);
        } finally {
          stop();
        }
        const pool = poolOf(cluster, name);
        for (const ip of marked) expect(pool, `${ip} left the pool after the re-read`).to.not.have.property(ip);
        expect(Object.values(releaseIpsOf(cluster, name))).to.deep.equal(Array(6).fill("released"));
        agent.sync();
        expect(releaseIpsOf(cluster, name)).to.deep.equal({});
        // OCI may give a released address to the next new IP; it joins the pool only now that the handshake is over.
        await nudge(name);
        const settled = poolOf(cluster, name);
        const owned = new Set(ownedIpsOf(cluster, name).map((ip) => ip.ipAddress));
        expect(Object.keys(settled).length, "pre-allocate 8 free above 3 used").to.be.at.least(11);
        for (const ip of Object.keys(settled)) expect(owned.has(ip), `${ip} in the pool exists in OCI`).to.equal(true);
      },
    );

    it("aborts marked and acknowledged entries once the node needs its IPs again, deleting nothing", async () => {
      const name = "rel-abort";
      const { agent } = await nodeWithExcess(name);
      await nudge(name);
      await sleep(DELAY_S * 1000 + 100);
      await nudge(name);
      const marked = Object.keys(releaseIpsOf(cluster, name));
      expect(marked).to.have.length(6);
      // Six pods start: the agent never hands out IPs in the handshake, so they take the other free IPs.
      const podIps = Array.from({ length: 6 }, (_, i) => agent.allocate(`default/web-${i}`));
      for (const ip of podIps) expect(marked).to.not.include(ip);
      const { answered } = agent.sync();
      expect(Object.values(answered).every((s) => s === "ready-for-release")).to.equal(true);

      const aborted = await nudge(name);
      expect(aborted.result.nodes[0]!.stats).to.include({ available: 16, used: 8, excess: 0 });
      expect(aborted.deleted).to.deep.equal([]);
      expect(aborted.result.nodes[0]!.ipsReleased).to.equal(0);
      expect(releaseIpsOf(cluster, name)).to.deep.equal({});
      expect(ownedIpsOf(cluster, name)).to.have.length(16);
      expect(ipamRecord(cluster, name)!.status.release.firstSeenExcess).to.deep.equal({});
      // Freed from the handshake, the IPs are the agent's to hand out again.
      expect(agent.allocate("default/web-6")).to.be.oneOf(marked);
    });
  },
);
