import { expect } from "chai";
import type { Plan, PlanAction, ReleaseStatus } from "../../../lib/core/model";
import { planNode } from "../../../lib/core/planner";
import { config, observed, ownedIps, poolOf, primaryVnic, secondaryVnic, usedOf } from "./observed-fixture";

const only = <K extends PlanAction["kind"]>(plan: Plan, kind: K) =>
  plan.actions.filter((a) => a.kind === kind) as Array<Extract<PlanAction, { kind: K }>>;
const PRIMARY = "ocid1.vnic.oc1..primary";
const S1 = "ocid1.vnic.oc1..s1";
const T0 = "2026-11-28T00:00:00.000Z";
const secondsAfterT0 = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

/** A node with 20 owned IPs on the primary VNIC and 8 on a secondary one, `used` of the primary's in use. */
function excessNode(
  opts: {
    used?: number;
    releaseIps?: Record<string, ReleaseStatus>;
    firstSeen?: Record<string, string>;
    now?: string;
    enabled?: boolean;
  } = {},
) {
  const primaryIps = ownedIps(20, 1);
  const secondIps = ownedIps(8, 2);
  return observed(
    {
      now: opts.now ?? T0,
      config: config({ releaseExcessIps: opts.enabled ?? true }),
      vnics: [primaryVnic(primaryIps), secondaryVnic(1, secondIps)],
      instance: { ...observed().instance, maxVnicAttachments: 2 },
      releaseFirstSeen: opts.firstSeen ?? {},
    },
    {
      pool: { ...poolOf(PRIMARY, primaryIps), ...poolOf(S1, secondIps) },
      used: usedOf(PRIMARY, primaryIps, opts.used ?? 4),
      releaseIps: opts.releaseIps ?? {},
    },
  );
}

describe("planner: excess release handshake", () => {
  it("releases nothing and says so when release of excess IPs is not enabled", () => {
    const plan = planNode(excessNode({ enabled: false }));
    expect(plan.stats.excess).to.equal(16);
    expect(plan.actions).to.deep.equal([]);
    expect(plan.decisions.map((d) => d.code)).to.include("ReleaseDisabled");
  });

  it("picks candidates on the one VNIC with the most free IPs and only starts their delay", () => {
    const plan = planNode(excessNode());
    expect(plan.actions).to.deep.equal([]);
    expect(Object.keys(plan.releaseFirstSeen)).to.have.length(16);
    expect(Object.keys(plan.releaseFirstSeen).every((ip) => ip.startsWith("10.0.1."))).to.equal(true);
    expect(Object.values(plan.releaseFirstSeen).every((t) => t === T0)).to.equal(true);
    expect(plan.decisions.map((d) => d.code)).to.include("ReleaseDelay");
  });

  it(
    "marks candidates for release only after they stayed excess for the " +
      "whole delay, and writes status before the pool",
    () => {
      const first = planNode(excessNode());
      const early = planNode(excessNode({ firstSeen: first.releaseFirstSeen, now: secondsAfterT0(179) }));
      expect(only(early, "markForRelease")).to.have.length(0);
      const due = planNode(excessNode({ firstSeen: first.releaseFirstSeen, now: secondsAfterT0(180) }));
      const [mark] = only(due, "markForRelease");
      expect(mark!.ips).to.have.length(16);
      expect(mark!.vnicId).to.equal(PRIMARY);
      const [status] = only(due, "writeReleaseStatus");
      expect(Object.values(status!.releaseIps).every((s) => s === "marked-for-release")).to.equal(true);
      expect(due.actions.map((a) => a.kind)).to.deep.equal(["markForRelease", "writeReleaseStatus"]);
    },
  );

  it("deletes only the IPs the agent answered ready-for-release, then writes released before the pool", () => {
    const first = planNode(excessNode());
    const marked = only(
      planNode(excessNode({ firstSeen: first.releaseFirstSeen, now: secondsAfterT0(200) })),
      "writeReleaseStatus",
    )[0]!.releaseIps;
    const answered: Record<string, ReleaseStatus> = {
      ...marked,
      "10.0.1.14": "ready-for-release",
      "10.0.1.15": "ready-for-release",
      "10.0.1.16": "do-not-release",
    };
    const plan = planNode(
      excessNode({ firstSeen: first.releaseFirstSeen, now: secondsAfterT0(210), releaseIps: answered }),
    );
    expect(plan.actions.map((a) => a.kind)).to.deep.equal(["releaseIps", "writeReleaseStatus", "writePool"]);
    expect(only(plan, "releaseIps")[0]!.ips.map((i) => i.ipAddress)).to.deep.equal(["10.0.1.14", "10.0.1.15"]);
    const next = only(plan, "writeReleaseStatus")[0]!.releaseIps;
    expect(next["10.0.1.14"]).to.equal("released");
    expect(next["10.0.1.16"]).to.equal(undefined);
    expect(next["10.0.1.17"]).to.equal("marked-for-release");
  });

  it("respects do-not-release: the entry is dropped and its delay starts again", () => {
    const first = planNode(excessNode());
    const plan = planNode(
      excessNode({
        firstSeen: first.releaseFirstSeen,
        now: secondsAfterT0(300),
        releaseIps: { "10.0.1.14": "do-not-release" },
      }),
    );
    expect(only(plan, "releaseIps")).to.have.length(0);
    expect(plan.releaseFirstSeen["10.0.1.14"]).to.equal(secondsAfterT0(300));
    expect(only(plan, "writeReleaseStatus")[0]!.releaseIps["10.0.1.14"]).to.equal(undefined);
  });

  it("aborts marked and ready entries once the IPs are no longer excess", () => {
    const releaseIps: Record<string, ReleaseStatus> = {
      "10.0.1.14": "marked-for-release",
      "10.0.1.15": "ready-for-release",
      "10.0.1.5": "released",
    };
    const plan = planNode(excessNode({ used: 20, releaseIps }));
    expect(plan.stats.excess).to.equal(0);
    expect(only(plan, "releaseIps")).to.have.length(0);
    expect(only(plan, "writeReleaseStatus")[0]!.releaseIps).to.deep.equal({ "10.0.1.5": "released" });
  });

  it("never releases an IP in use, even when the agent answered ready-for-release", () => {
    const plan = planNode(excessNode({ releaseIps: { "10.0.1.10": "ready-for-release" } }));
    expect(only(plan, "releaseIps")).to.have.length(0);
    expect(plan.decisions.map((d) => d.code)).to.include("ReleaseAborted");
  });

  it("never offers a primary IP or an IP the allocator did not create as a candidate", () => {
    const foreign = { id: "f", ipAddress: "10.0.1.200", isPrimary: false, freeformTags: {} };
    const o = excessNode();
    o.vnics[0]!.privateIps.push(foreign);
    const plan = planNode(o);
    expect(plan.releaseFirstSeen).to.not.have.property("10.0.1.200");
    expect(plan.releaseFirstSeen).to.not.have.property("10.0.1.2");
  });

  it("keeps released entries until the agent removes them and keeps released IPs out of the pool", () => {
    const plan = planNode(excessNode({ used: 16, releaseIps: { "10.0.1.29": "released" } }));
    const pool = only(plan, "writePool")[0]!.pool;
    expect(pool).to.not.have.property("10.0.1.29");
  });

  it("writes released for an acknowledged IP that an earlier run already deleted in OCI", () => {
    const plan = planNode(excessNode({ releaseIps: { "10.0.1.250": "ready-for-release" } }));
    expect(only(plan, "writeReleaseStatus")[0]!.releaseIps["10.0.1.250"]).to.equal("released");
    expect(only(plan, "releaseIps")).to.have.length(0);
  });

  it("reports MaxAllocateReached when the operator's max-allocate stops the watermark", () => {
    const ips = ownedIps(10);
    const plan = planNode(
      observed(
        { vnics: [primaryVnic(ips)] },
        { pool: poolOf(PRIMARY, ips), used: usedOf(PRIMARY, ips, 10), maxAllocate: 10 },
      ),
    );
    expect(plan.state).to.equal("AtCapacity");
    expect(plan.reason.code).to.equal("MaxAllocateReached");
  });
});
