import { expect } from "chai";
import type { AssignBlocksAction, Plan, ReleaseBlocksAction } from "../../../lib/core/model";
import type { PrivateIpInfo } from "../../../lib/ports/oci";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { TimeBudget } from "../../../lib/reconcile/deadline";
import { executePlan } from "../../../lib/reconcile/execute";
import { UsedAddresses } from "../../../lib/reconcile/used-addresses";
import { observed } from "../core/observed-fixture";
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
const assign = (candidates: string[][], offer = 8): AssignBlocksAction => ({
  kind: "assignBlocks",
  vnicId: PRIMARY,
  subnetId: "s",
  prefixLength: 28,
  reason,
  blocks: candidates.map((c) => ({ candidates: c, retryTokens: c.map((a) => `t-${a}`), offer })),
});

/** The fake world's deps with CreatePrivateIp answering per requested block address. */
function withCreate(world: FakeWorld, answer: (ipAddress: string) => OciApiError | undefined) {
  const deps = world.deps();
  const sent: Array<{ ipAddress?: string; cidrPrefixLength?: number; retryToken: string }> = [];
  deps.network = {
    ...deps.network,
    async createPrivateIp(request: {
      vnicId: string;
      retryToken: string;
      ipAddress?: string;
      cidrPrefixLength?: number;
    }) {
      sent.push({
        ipAddress: request.ipAddress,
        cidrPrefixLength: request.cidrPrefixLength,
        retryToken: request.retryToken,
      });
      const err = answer(request.ipAddress!);
      if (err) throw err;
      const value: PrivateIpInfo = {
        id: `ocid1.privateip.oc1..${request.ipAddress}`,
        ipAddress: request.ipAddress!,
        vnicId: request.vnicId,
        subnetId: "s",
        isPrimary: false,
        cidrPrefixLength: request.cidrPrefixLength!,
        freeformTags: {},
      };
      return { value, opcRequestId: "req" };
    },
  } as typeof deps.network;
  return { deps, sent };
}

describe("executor: IP CIDR blocks", () => {
  it(
    "tries the next candidate when another allocator took the first (409 " +
      "Conflict), and offers the block's lowest addresses",
    async () => {
      const world = new FakeWorld();
      const { deps, sent } = withCreate(world, (a) =>
        a === "10.0.1.16"
          ? new OciApiError("CreatePrivateIp", "taken", { statusCode: 409, serviceCode: "Conflict" })
          : undefined,
      );
      const execution = await executePlan(
        plan([assign([["10.0.1.16", "10.0.1.32", "10.0.1.48"]]), { kind: "writePool", pool: {}, reason }]),
        observationOf(observed()),
        deps,
        { budget: budget(), callId: "c" },
      );
      expect(sent.map((s) => [s.ipAddress, s.cidrPrefixLength, s.retryToken])).to.deep.equal([
        ["10.0.1.16", 28, "t-10.0.1.16"],
        ["10.0.1.32", 28, "t-10.0.1.32"],
      ]);
      expect(execution.failures).to.deep.equal([]);
      expect(execution.createdBlocks.map((b) => b.ipAddress)).to.deep.equal(["10.0.1.32"]);
      const pool = world.writes.find((w) => w.kind === "pool");
      expect(pool && pool.kind === "pool" ? Object.keys(pool.pool) : []).to.deep.equal(
        Array.from({ length: 8 }, (_, i) => `10.0.1.${32 + i}`),
      );
    },
  );

  const rows: Array<{ what: string; error: OciApiError; full: number; updating: number; unplaced: number }> = [
    {
      what: "marks the VNIC full for the round on 400 LimitExceeded, not a failure",
      error: new OciApiError("CreatePrivateIp", "limit", { statusCode: 400, serviceCode: "LimitExceeded" }),
      full: 1,
      updating: 0,
      unplaced: 0,
    },
    {
      what: "waits on 409 IncorrectState (subnet UPDATING), not a failure",
      error: new OciApiError("CreatePrivateIp", "updating", { statusCode: 409, serviceCode: "IncorrectState" }),
      full: 0,
      updating: 1,
      unplaced: 0,
    },
    {
      what: "reports a block unplaced when every candidate was taken, not a failure",
      error: new OciApiError("CreatePrivateIp", "taken", { statusCode: 409, serviceCode: "Conflict" }),
      full: 0,
      updating: 0,
      unplaced: 1,
    },
  ];
  for (const r of rows) {
    it(r.what, async () => {
      const world = new FakeWorld();
      const { deps, sent } = withCreate(world, () => r.error);
      const execution = await executePlan(
        plan([assign([["10.0.1.16", "10.0.1.32"]])]),
        observationOf(observed()),
        deps,
        { budget: budget(), callId: "c" },
      );
      expect(execution.failures).to.deep.equal([]);
      expect(execution.vnicsFull).to.have.length(r.full);
      expect(execution.subnetsUpdating).to.have.length(r.updating);
      expect(execution.blocksUnplaced).to.equal(r.unplaced);
      expect(sent).to.have.length(r.unplaced ? 2 : 1);
    });
  }

  const release: ReleaseBlocksAction = {
    kind: "releaseBlocks",
    reason,
    blocks: [{ vnicId: PRIMARY, privateIpId: "ocid1.privateip.oc1..blk", ipAddress: "10.0.1.16", prefixLength: 28 }],
  };
  const usedBy = (used: Record<string, object>) =>
    new UsedAddresses(
      {
        list: async () => [
          { name: "other", uid: "u", resourceVersion: "1", ipam: { name: "other", pool: {}, used, releaseIps: {} } },
        ],
      },
      () => 0,
    );

  it("never deletes a block one of whose addresses any agent reports as used, whatever the plan says", async () => {
    const world = new FakeWorld();
    const execution = await executePlan(plan([release]), observationOf(observed()), world.deps(), {
      budget: budget(),
      callId: "c",
      usedAddresses: usedBy({ "10.0.1.29": { owner: "ns/p" } }),
    });
    expect(world.deleted).to.deep.equal([]);
    expect(execution.refusedInUse).to.deep.equal([{ ipAddress: "10.0.1.29", usedBy: "other" }]);
  });

  it("deletes a block none of whose addresses is used", async () => {
    const world = new FakeWorld();
    const execution = await executePlan(plan([release]), observationOf(observed()), world.deps(), {
      budget: budget(),
      callId: "c",
      usedAddresses: usedBy({ "10.0.1.32": { owner: "ns/p" } }),
    });
    expect(world.deleted).to.deep.equal(["ocid1.privateip.oc1..blk"]);
    expect(execution.releasedBlocks).to.deep.equal(["10.0.1.16/28"]);
  });
});
