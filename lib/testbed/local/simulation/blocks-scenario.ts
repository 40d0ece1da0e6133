import { blockAddresses } from "../../../core/blocks/cidr";
import type { Scenario, ScenarioContext } from "./scenarios";

/** Seconds of simulated time as the whole real seconds a setting takes (at least 1). */
const realSeconds = (simSeconds: number, timeScale: number) => String(Math.max(1, Math.round(simSeconds * timeScale)));
const nodeName = (i: number) => `worker-${String(i).padStart(3, "0")}`;

interface SnapshotIp {
  ipAddress: string;
  isPrimary: boolean;
  cidrPrefixLength?: number;
  freeformTags: Record<string, string>;
}
interface PoolView {
  spec?: { ipam?: { pool?: Record<string, unknown> } };
  status?: { ipam?: { used?: Record<string, unknown> } };
}

const poolAndUsed = (ctx: ScenarioContext, node: string) => {
  const cn = ctx.pipeline.cluster.kube.store.get("ciliumnodes", node) as PoolView | undefined;
  return { pool: Object.keys(cn?.spec?.ipam?.pool ?? {}), used: Object.keys(cn?.status?.ipam?.used ?? {}) };
};
const blocksOf = (ctx: ScenarioContext, node: string) =>
  (ctx.pipeline.cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] }).privateIps.filter(
    (ip) => !ip.isPrimary && ip.freeformTags["ocipam-node"] === node && (ip.cidrPrefixLength ?? 32) < 32,
  );

/**
 * IP CIDR blocks (/28, max pods 256, release on): nodes grow to 80 pods each — past the 62 that single addresses
 * reach on a 2-OCPU E4.Flex — then 75 go. Shows pods per node reachable, the share of held addresses not offered,
 * blocks released, and that no address in use was ever deleted. The default world's worker subnets are /24: use
 * `--nodes 3` or fewer, or the blocks fall back to single addresses when a subnet has no aligned block left.
 */
export const blocks: Scenario = {
  name: "blocks",
  description: "/28 IP CIDR blocks: nodes grow to 80 pods (past 62), then 75 go; release is on (use --nodes ≤ 3)",
  settings: (ts) => ({
    allocator: {
      OCIPAM_IP_BLOCK_PREFIX_LENGTH: "28",
      OCIPAM_MAX_PODS_PER_NODE: "256",
      OCIPAM_RELEASE_EXCESS_IPS: "true",
      OCIPAM_EXCESS_IP_RELEASE_DELAY: realSeconds(30, ts),
    },
    watcher: { OCIPAM_WATCHER_NUDGE_EXCESS: "true" },
    deletionsExpected: true,
  }),
  async run(ctx) {
    const names: string[] = [];
    for (let i = 0; i < ctx.nodes; i++) {
      names.push(nodeName(i));
      await ctx.pipeline.sim.joinNode(nodeName(i));
      await ctx.pipeline.clock.sleep(500);
    }
    for (let step = 0; step < 8; step++) {
      for (const n of names) ctx.pipeline.sim.schedulePods(n, 10);
      await ctx.pipeline.clock.sleep(15_000);
    }
    await ctx.pipeline.clock.sleep(30_000);
    ctx.notes.peak = Object.fromEntries(
      names.map((n) => [n, { pool: poolAndUsed(ctx, n).pool.length, blocks: blocksOf(ctx, n).length }]),
    );
    for (const n of names) ctx.pipeline.sim.deletePods(n, 75);
    await ctx.pipeline.clock.sleep(240_000);
  },
  checks(ctx) {
    const peak = ctx.notes.peak as Record<string, { pool: number; blocks: number }>;
    const rows = Object.keys(peak).map((n) => {
      const { pool, used } = poolAndUsed(ctx, n);
      const held = blocksOf(ctx, n).flatMap((b) => blockAddresses(b.ipAddress, b.cidrPrefixLength!));
      const offered = new Set(pool);
      return {
        n,
        peak: peak[n]!,
        pool,
        used,
        held: held.length,
        unoffered: held.filter((a) => !offered.has(a)).length,
        blocks: blocksOf(ctx, n).length,
      };
    });
    const existing = new Set(
      (ctx.pipeline.cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] }).privateIps.flatMap((ip) =>
        (ip.cidrPrefixLength ?? 32) < 32 ? blockAddresses(ip.ipAddress, ip.cidrPrefixLength!) : [ip.ipAddress],
      ),
    );
    const usedGone = rows.flatMap((r) => r.used.filter((ip) => !existing.has(ip)));
    const heldTotal = rows.reduce((n, r) => n + r.held, 0);
    const unofferedTotal = rows.reduce((n, r) => n + r.unoffered, 0);
    return [
      {
        property: "blocks: pods per node past what single addresses reach (62)",
        ok: rows.every((r) => r.peak.pool >= 80),
        detail: rows.map((r) => `${r.n} pool peak ${r.peak.pool} in ${r.peak.blocks} blocks`).join(", "),
      },
      {
        property: "blocks: held but unoffered addresses (share of held), blocks released",
        ok: true,
        detail:
          `${unofferedTotal} of ${heldTotal} held addresses unoffered ` +
          `(${heldTotal ? Math.round((100 * unofferedTotal) / heldTotal) : 0} %); blocks ` +
          rows.map((r) => `${r.n} ${r.peak.blocks}→${r.blocks}`).join(", "),
      },
      {
        property: "blocks: no address in use was deleted",
        ok: usedGone.length === 0,
        detail:
          usedGone.length === 0
            ? "every address in status.ipam.used is still held in OCI"
            : `gone while used: ${usedGone.join(", ")}`,
      },
    ];
  },
};
