import { expect } from "chai";
import type { Plan } from "../../../lib/core/model";
import { TimeBudget } from "../../../lib/reconcile/deadline";
import { executePlan } from "../../../lib/reconcile/execute";
import { observed, ownedIps, poolOf, primaryVnic } from "../core/observed-fixture";
import { FakeWorld, observationOf } from "./fake-deps";

const PRIMARY = "ocid1.vnic.oc1..primary";
const budget = () => new TimeBudget(new Date("2026-11-28T01:00:00Z"), 0, () => Date.parse("2026-11-28T00:00:00Z"));
const reason = { code: "Test", message: "test" };

function plan(actions: Plan["actions"]): Plan {
  const o = observed();
  return { node: o.ciliumNode.name, instanceId: o.instance.id, state: "Ready", reason, stats: {} as Plan["stats"], actions, decisions: [], releaseFirstSeen: {} };
}

describe("executor: carrying out a plan", () => {
  it("reports the IPs it created when the pool write then conflicts, instead of losing them", async () => {
    const world = new FakeWorld();
    world.nextAddresses = ["10.0.1.50", "10.0.1.51"];
    world.conflictOn = "pool";
    const o = observed();
    const execution = await executePlan(plan([
      { kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 2, retryTokens: ["t1", "t2"], reason },
      { kind: "writePool", pool: {}, reason },
    ]), observationOf(o), world.deps(), { budget: budget(), callId: "call" });
    expect(execution.created.map((c) => c.ipAddress)).to.deep.equal(["10.0.1.50", "10.0.1.51"]);
    expect(execution.conflict?.reason).to.equal("KubeConflict");
    expect(execution.wrotePool).to.equal(false);
  });

  it("reports the IPs it deleted when the release status write then conflicts, and writes no pool", async () => {
    const world = new FakeWorld();
    world.conflictOn = "status";
    const ips = ownedIps(2);
    const o = observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf(PRIMARY, ips), releaseIps: { "10.0.1.10": "ready-for-release" } });
    const execution = await executePlan(plan([
      { kind: "releaseIps", vnicId: PRIMARY, ips: [{ ipAddress: "10.0.1.10", privateIpId: ips[0]!.id }], reason },
      { kind: "writeReleaseStatus", releaseIps: { "10.0.1.10": "released" }, reason },
      { kind: "writePool", pool: poolOf(PRIMARY, ips), reason },
    ]), observationOf(o), world.deps(), { budget: budget(), callId: "call" });
    expect(execution.released).to.deep.equal(["10.0.1.10"]);
    expect(execution.conflict).to.not.equal(undefined);
    expect(world.writes).to.deep.equal([]);
  });

  it("writes released only for IPs whose delete succeeded; a failed one stays ready-for-release", async () => {
    const world = new FakeWorld();
    const ips = ownedIps(2);
    world.failDeleteOf.add(ips[1]!.id);
    const o = observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf(PRIMARY, ips), releaseIps: { "10.0.1.10": "ready-for-release", "10.0.1.11": "ready-for-release" } });
    const execution = await executePlan(plan([
      { kind: "releaseIps", vnicId: PRIMARY, ips: ips.map((ip) => ({ ipAddress: ip.ipAddress, privateIpId: ip.id })), reason },
      { kind: "writeReleaseStatus", releaseIps: { "10.0.1.10": "released", "10.0.1.11": "released" }, reason },
      { kind: "writePool", pool: poolOf(PRIMARY, ips), reason },
    ]), observationOf(o), world.deps(), { budget: budget(), callId: "call" });
    expect(execution.failures).to.have.length(1);
    expect(world.writes[0]).to.deep.equal({ kind: "status", releaseIps: { "10.0.1.10": "released", "10.0.1.11": "ready-for-release" } });
    expect(world.writes[1]!.kind === "pool" && Object.keys(world.writes[1]!.pool)).to.deep.equal(["10.0.1.11"]);
  });

  it("keeps a new IP out of the pool while its address is still released in status (OCI reused the address)", async () => {
    const world = new FakeWorld();
    world.nextAddresses = ["10.0.1.25", "10.0.1.60"];
    const ips = ownedIps(2);
    const o = observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf(PRIMARY, ips), releaseIps: { "10.0.1.25": "released" } });
    await executePlan(plan([
      { kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 2, retryTokens: ["t1", "t2"], reason },
      { kind: "writePool", pool: poolOf(PRIMARY, ips), reason },
    ]), observationOf(o), world.deps(), { budget: budget(), callId: "call" });
    const written = world.writes.find((w) => w.kind === "pool");
    expect(written && written.kind === "pool" && Object.keys(written.pool)).to.deep.equal(["10.0.1.10", "10.0.1.11", "10.0.1.60"]);
  });

  it("keeps a created IP out of the pool when this execution itself just wrote its address released", async () => {
    const world = new FakeWorld();
    world.nextAddresses = ["10.0.1.10"];
    const ips = ownedIps(2);
    const o = observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf(PRIMARY, ips), releaseIps: { "10.0.1.10": "ready-for-release" } });
    await executePlan(plan([
      { kind: "releaseIps", vnicId: PRIMARY, ips: [{ ipAddress: "10.0.1.10", privateIpId: ips[0]!.id }], reason },
      { kind: "writeReleaseStatus", releaseIps: { "10.0.1.10": "released" }, reason },
      { kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 1, retryTokens: ["t1"], reason },
      { kind: "writePool", pool: poolOf(PRIMARY, ips), reason },
    ]), observationOf(o), world.deps(), { budget: budget(), callId: "call" });
    const written = world.writes.find((w) => w.kind === "pool");
    expect(written && written.kind === "pool" && Object.keys(written.pool)).to.deep.equal(["10.0.1.11"]);
  });
});
