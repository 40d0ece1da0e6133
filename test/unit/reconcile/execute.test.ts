import { expect } from "chai";
import type { Plan } from "../../../lib/core/model";
import { TimeBudget } from "../../../lib/reconcile/deadline";
import { executePlan } from "../../../lib/reconcile/execute";
import { UsedAddresses } from "../../../lib/reconcile/used-addresses";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { observed, ownedIps, poolOf, primaryVnic } from "../core/observed-fixture";
import { FakeWorld, observationOf } from "./fake-deps";

const PRIMARY = "ocid1.vnic.oc1..primary";
const budget = () => new TimeBudget(new Date("2026-11-28T01:00:00Z"), 0, () => Date.parse("2026-11-28T00:00:00Z"));
const reason = { code: "Test", message: "test" };

function plan(actions: Plan["actions"]): Plan {
  const o = observed();
  return {
    node: o.ciliumNode.name,
    instanceId: o.instance.id,
    state: "Ready",
    reason,
    stats: {} as Plan["stats"],
    actions,
    decisions: [],
    releaseFirstSeen: {},
  };
}

describe("executor: carrying out a plan", () => {
  it("reports the IPs it created when the pool write then conflicts, instead of losing them", async () => {
    const world = new FakeWorld();
    world.nextAddresses = ["10.0.1.50", "10.0.1.51"];
    world.conflictOn = "pool";
    const o = observed();
    const execution = await executePlan(
      plan([
        { kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 2, retryTokens: ["t1", "t2"], reason },
        { kind: "writePool", pool: {}, reason },
      ]),
      observationOf(o),
      world.deps(),
      { budget: budget(), callId: "call" },
    );
    expect(execution.created.map((c) => c.ipAddress)).to.deep.equal(["10.0.1.50", "10.0.1.51"]);
    expect(execution.conflict?.reason).to.equal("KubeConflict");
    expect(execution.wrotePool).to.equal(false);
  });

  it("reports the IPs it deleted when the release status write then conflicts, and writes no pool", async () => {
    const world = new FakeWorld();
    world.conflictOn = "status";
    const ips = ownedIps(2);
    const o = observed(
      { vnics: [primaryVnic(ips)] },
      { pool: poolOf(PRIMARY, ips), releaseIps: { "10.0.1.10": "ready-for-release" } },
    );
    const execution = await executePlan(
      plan([
        { kind: "releaseIps", vnicId: PRIMARY, ips: [{ ipAddress: "10.0.1.10", privateIpId: ips[0]!.id }], reason },
        { kind: "writeReleaseStatus", releaseIps: { "10.0.1.10": "released" }, reason },
        { kind: "writePool", pool: poolOf(PRIMARY, ips), reason },
      ]),
      observationOf(o),
      world.deps(),
      { budget: budget(), callId: "call" },
    );
    expect(execution.released).to.deep.equal(["10.0.1.10"]);
    expect(execution.conflict).to.not.equal(undefined);
    expect(world.writes).to.deep.equal([]);
  });

  it("writes released only for IPs whose delete succeeded; a failed one stays ready-for-release", async () => {
    const world = new FakeWorld();
    const ips = ownedIps(2);
    world.failDeleteOf.add(ips[1]!.id);
    const o = observed(
      { vnics: [primaryVnic(ips)] },
      {
        pool: poolOf(PRIMARY, ips),
        releaseIps: { "10.0.1.10": "ready-for-release", "10.0.1.11": "ready-for-release" },
      },
    );
    const execution = await executePlan(
      plan([
        {
          kind: "releaseIps",
          vnicId: PRIMARY,
          ips: ips.map((ip) => ({ ipAddress: ip.ipAddress, privateIpId: ip.id })),
          reason,
        },
        { kind: "writeReleaseStatus", releaseIps: { "10.0.1.10": "released", "10.0.1.11": "released" }, reason },
        { kind: "writePool", pool: poolOf(PRIMARY, ips), reason },
      ]),
      observationOf(o),
      world.deps(),
      { budget: budget(), callId: "call" },
    );
    expect(execution.failures).to.have.length(1);
    expect(world.writes[0]).to.deep.equal({
      kind: "status",
      releaseIps: { "10.0.1.10": "released", "10.0.1.11": "ready-for-release" },
    });
    expect(world.writes[1]!.kind === "pool" && Object.keys(world.writes[1]!.pool)).to.deep.equal(["10.0.1.11"]);
  });

  it(
    "keeps a new IP out of the pool while its address is still released in " + "status (OCI reused the address)",
    async () => {
      const world = new FakeWorld();
      world.nextAddresses = ["10.0.1.25", "10.0.1.60"];
      const ips = ownedIps(2);
      const o = observed(
        { vnics: [primaryVnic(ips)] },
        { pool: poolOf(PRIMARY, ips), releaseIps: { "10.0.1.25": "released" } },
      );
      await executePlan(
        plan([
          { kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 2, retryTokens: ["t1", "t2"], reason },
          { kind: "writePool", pool: poolOf(PRIMARY, ips), reason },
        ]),
        observationOf(o),
        world.deps(),
        { budget: budget(), callId: "call" },
      );
      const written = world.writes.find((w) => w.kind === "pool");
      expect(written && written.kind === "pool" && Object.keys(written.pool)).to.deep.equal([
        "10.0.1.10",
        "10.0.1.11",
        "10.0.1.60",
      ]);
    },
  );

  it("keeps a created IP out of the pool when this execution itself just wrote its address released", async () => {
    const world = new FakeWorld();
    world.nextAddresses = ["10.0.1.10"];
    const ips = ownedIps(2);
    const o = observed(
      { vnics: [primaryVnic(ips)] },
      { pool: poolOf(PRIMARY, ips), releaseIps: { "10.0.1.10": "ready-for-release" } },
    );
    await executePlan(
      plan([
        { kind: "releaseIps", vnicId: PRIMARY, ips: [{ ipAddress: "10.0.1.10", privateIpId: ips[0]!.id }], reason },
        { kind: "writeReleaseStatus", releaseIps: { "10.0.1.10": "released" }, reason },
        { kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 1, retryTokens: ["t1"], reason },
        { kind: "writePool", pool: poolOf(PRIMARY, ips), reason },
      ]),
      observationOf(o),
      world.deps(),
      { budget: budget(), callId: "call" },
    );
    const written = world.writes.find((w) => w.kind === "pool");
    expect(written && written.kind === "pool" && Object.keys(written.pool)).to.deep.equal(["10.0.1.11"]);
  });

  it(
    "retries a create once with a fresh token when OCI refuses the token, " + "and fails it when the retry fails too",
    async () => {
      const world = new FakeWorld();
      world.nextAddresses = ["10.0.1.70"];
      const deps = world.deps();
      const tokens: string[] = [];
      const create = deps.network.createPrivateIp.bind(deps.network);
      deps.network.createPrivateIp = async (request, options) => {
        tokens.push(request.retryToken);
        if (request.retryToken === "stale")
          throw new OciApiError("CreatePrivateIp", "token invalidated", {
            statusCode: 409,
            serviceCode: "InvalidatedRetryToken",
          });
        return create(request, options);
      };
      const execution = await executePlan(
        plan([{ kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 1, retryTokens: ["stale"], reason }]),
        observationOf(observed()),
        deps,
        { budget: budget(), callId: "call" },
      );
      expect(execution.created.map((c) => c.ipAddress)).to.deep.equal(["10.0.1.70"]);
      expect(tokens).to.have.length(2);
      expect(tokens[1]).to.not.equal("stale");
      expect(tokens[1]).to.match(/^ocipam-[0-9a-f]{48}$/);
      const failing = await executePlan(
        plan([{ kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 1, retryTokens: ["stale"], reason }]),
        observationOf(observed()),
        deps,
        { budget: budget(), callId: "call" },
      );
      expect(failing.failures.map((f) => f.reason)).to.deep.equal(["OciLimitExceeded"]);
    },
  );

  it("never deletes an address another node's agent reports as used, whatever the plan says", async () => {
    const world = new FakeWorld();
    const ips = ownedIps(2);
    const o = observed(
      { vnics: [primaryVnic(ips)] },
      {
        pool: poolOf(PRIMARY, ips),
        releaseIps: { "10.0.1.10": "ready-for-release", "10.0.1.11": "ready-for-release" },
      },
    );
    const usedAddresses = new UsedAddresses(
      {
        list: async () => [
          {
            name: "other",
            uid: "u",
            resourceVersion: "1",
            ipam: { name: "other", pool: {}, used: { "10.0.1.10": { owner: "ns/pod" } }, releaseIps: {} },
          },
        ],
      },
      () => 0,
    );
    const execution = await executePlan(
      plan([
        {
          kind: "releaseIps",
          vnicId: PRIMARY,
          ips: ips.map((ip) => ({ ipAddress: ip.ipAddress, privateIpId: ip.id })),
          reason,
        },
        { kind: "writeReleaseStatus", releaseIps: { "10.0.1.10": "released", "10.0.1.11": "released" }, reason },
      ]),
      observationOf(o),
      world.deps(),
      { budget: budget(), callId: "call", usedAddresses },
    );
    expect(world.deleted).to.deep.equal([ips[1]!.id]);
    expect(execution.refusedInUse).to.deep.equal([{ ipAddress: "10.0.1.10", usedBy: "other" }]);
    expect(world.writes[0]).to.deep.equal({
      kind: "status",
      releaseIps: { "10.0.1.10": "ready-for-release", "10.0.1.11": "released" },
    });
  });

  it("names the pool addresses OCI no longer has once the pool is written, so the caller re-plans", async () => {
    const world = new FakeWorld();
    const ips = ownedIps(3);
    const deps = world.deps();
    deps.network.listPrivateIps = async () => ips.slice(1).map((ip) => ({ ...ip, subnetId: "s", vnicId: PRIMARY }));
    const execution = await executePlan(
      plan([{ kind: "writePool", pool: poolOf(PRIMARY, ips), reason }]),
      observationOf(observed({ vnics: [primaryVnic(ips)] })),
      deps,
      { budget: budget(), callId: "call" },
    );
    expect(execution.wrotePool).to.equal(true);
    expect(execution.poolMissing).to.deep.equal(["10.0.1.10"]);
  });

  it(
    "reports the deadline as DeadlineReached, not as a failure of OCI, " + "when no create can start any more",
    async () => {
      const world = new FakeWorld();
      world.nextAddresses = ["10.0.1.80"];
      const late = new TimeBudget(new Date("2026-11-28T00:00:00Z"), 0, () => Date.parse("2026-11-28T00:00:01Z"));
      const execution = await executePlan(
        plan([{ kind: "assignIps", vnicId: PRIMARY, subnetId: "s", count: 1, retryTokens: ["t1"], reason }]),
        observationOf(observed()),
        world.deps(),
        { budget: late, callId: "call" },
      );
      expect(execution.failures).to.deep.equal([]);
      expect(execution.deadlineReached).to.equal(true);
    },
  );
});
