import { expect } from "chai";
import type { CiliumNodeIpam, ReleaseStatus } from "../../lib/core/model";
import { decideNudge, observeCounts } from "../../events/watcher/decision";

function pool(n: number, offset = 0): Record<string, { resource: string }> {
  const out: Record<string, { resource: string }> = {};
  for (let i = 0; i < n; i++)
    out[`10.0.${Math.floor((i + offset) / 250)}.${((i + offset) % 250) + 1}`] = { resource: "ocid1.vnic.oc1..a" };
  return out;
}

function node(spec: {
  pool?: number;
  used?: number;
  pre?: number;
  min?: number;
  max?: number;
  maxAbove?: number;
  release?: Record<string, ReleaseStatus>;
}): CiliumNodeIpam {
  const p = pool(spec.pool ?? 0);
  const used: CiliumNodeIpam["used"] = {};
  Object.keys(p)
    .slice(0, spec.used ?? 0)
    .forEach((ip, i) => {
      used[ip] = { owner: `default/pod-${i}` };
    });
  return {
    name: "worker-1",
    pool: p,
    used,
    releaseIps: spec.release ?? {},
    ...(spec.pre !== undefined && { preAllocate: spec.pre }),
    ...(spec.min !== undefined && { minAllocate: spec.min }),
    ...(spec.max !== undefined && { maxAllocate: spec.max }),
    ...(spec.maxAbove !== undefined && { maxAboveWatermark: spec.maxAbove }),
  };
}

describe("watcher decision", () => {
  const rows: Array<{
    name: string;
    spec: Parameters<typeof node>[0];
    nudgeExcess?: boolean;
    reason: string | undefined;
    needed: number;
    excess: number;
  }> = [
    {
      name: "asks for addresses for a new node with an empty pool (pre-allocate defaults to 8)",
      spec: {},
      reason: "needs-addresses",
      needed: 8,
      excess: 0,
    },
    {
      name: "stays silent for a node whose pool keeps pre-allocate IPs free",
      spec: { pool: 8 },
      reason: undefined,
      needed: 0,
      excess: 0,
    },
    {
      name: "asks for addresses when pods used part of the free IPs",
      spec: { pool: 8, used: 3 },
      reason: "needs-addresses",
      needed: 3,
      excess: 0,
    },
    {
      name: "uses the CiliumNode's pre-allocate when set",
      spec: { pool: 8, pre: 16 },
      reason: "needs-addresses",
      needed: 8,
      excess: 0,
    },
    {
      name: "asks for min-allocate when it wants more than pre-allocate",
      spec: { pre: 2, min: 16 },
      reason: "needs-addresses",
      needed: 16,
      excess: 0,
    },
    {
      name: "stays silent when the pool reached max-allocate",
      spec: { pool: 10, used: 10, max: 10 },
      reason: undefined,
      needed: 0,
      excess: 0,
    },
    {
      name: "asks only for what max-allocate still allows",
      spec: { pool: 8, used: 8, max: 10 },
      reason: "needs-addresses",
      needed: 2,
      excess: 0,
    },
    {
      name: "ignores excess IPs when excess nudges are off",
      spec: { pool: 20 },
      reason: undefined,
      needed: 0,
      excess: 12,
    },
    {
      name: "reports excess IPs when excess nudges are on",
      spec: { pool: 20 },
      nudgeExcess: true,
      reason: "excess-addresses",
      needed: 0,
      excess: 12,
    },
    {
      name: "sees no excess within the initial min + max-above-watermark allocation",
      spec: { pool: 16, min: 16 },
      nudgeExcess: true,
      reason: undefined,
      needed: 0,
      excess: 0,
    },
    {
      name: "asks for a resync while a release handshake is in progress",
      spec: { pool: 8, release: { "10.0.0.1": "ready-for-release" } },
      reason: "resync",
      needed: 0,
      excess: 0,
    },
    {
      name: "asks for a resync during a handshake even with excess nudges off",
      spec: { pool: 20, release: { "10.0.0.1": "marked-for-release" } },
      reason: "resync",
      needed: 0,
      excess: 12,
    },
    {
      name: "puts a deficit before a release handshake in progress",
      spec: { pool: 8, used: 8, release: { "10.0.0.1": "do-not-release" } },
      reason: "needs-addresses",
      needed: 8,
      excess: 0,
    },
    {
      name: "puts a release handshake before excess",
      spec: { pool: 20, release: { "10.0.0.1": "released" } },
      nudgeExcess: true,
      reason: "resync",
      needed: 0,
      excess: 12,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const d = decideNudge(node(row.spec), { nudgeExcess: row.nudgeExcess ?? false });
      expect(d.reason).to.equal(row.reason);
      expect(d.observed.needed).to.equal(row.needed);
      expect(d.observed.excess).to.equal(row.excess);
    });
  }

  it("counts available as the pool size and used as the used map size", () => {
    expect(observeCounts(node({ pool: 12, used: 5 }))).to.deep.equal({ available: 12, used: 5, needed: 1, excess: 0 });
  });

  it("caps reported counts at the nudge schema's bound so a hostile CiliumNode cannot break the builder", () => {
    const n = node({ pre: 5_000_000 });
    expect(observeCounts(n).needed).to.equal(1_000_000);
  });
});
