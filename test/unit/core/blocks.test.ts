import { expect } from "chai";
import { nodeMaximumAddresses } from "../../../lib/core/blocks/capacity";
import { freeAlignedBlocks, placeBlocks } from "../../../lib/core/blocks/placement";
import type {
  AssignBlocksAction,
  AssignIpsAction,
  AttachVnicAction,
  ObservedPrivateIp,
  ReleaseBlocksAction,
  WritePoolAction,
} from "../../../lib/core/model";
import { ownershipTags } from "../../../lib/core/ownership";
import { planNode } from "../../../lib/core/planner";
import { AD1, CLUSTER, config, NODE, observed, primaryVnic, SUBNET_NODE, SUBNET_PODS, VCN } from "./observed-fixture";

const PRIMARY = "ocid1.vnic.oc1..primary";

function block(first: string, prefix = 28, node = NODE): ObservedPrivateIp {
  return {
    id: `ocid1.privateip.oc1..b-${first}`,
    ipAddress: first,
    isPrimary: false,
    cidrPrefixLength: prefix,
    freeformTags: ownershipTags(CLUSTER, node),
  };
}
const range = (third: number, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `10.0.${third}.${from + i}`);
const asPool = (addresses: string[], vnic = PRIMARY) =>
  Object.fromEntries(addresses.map((a) => [a, { resource: vnic }]));
const asUsed = (addresses: string[], vnic = PRIMARY) =>
  Object.fromEntries(addresses.map((a, i) => [a, { owner: `default/p${i}`, resource: vnic }]));

/** A block-mode observation: /28 blocks, the node subnet's inventory as given (the primary IP 10.0.1.2 always). */
function blockObserved(
  opts: {
    ips?: ObservedPrivateIp[];
    pool?: string[];
    used?: string[];
    allocations?: string[];
    release?: boolean;
    prefix?: number;
    updating?: boolean;
    releaseIps?: Record<string, "marked-for-release" | "ready-for-release" | "released">;
  } = {},
) {
  const held = (opts.ips ?? [])
    .filter((ip) => ip.cidrPrefixLength !== undefined)
    .map((ip) => `${ip.ipAddress}/${ip.cidrPrefixLength}`);
  return observed(
    {
      config: config({
        ipBlockPrefixLength: opts.prefix ?? 28,
        releaseExcessIps: opts.release ?? false,
        excessIpReleaseDelaySeconds: 0,
      }),
      vnics: [primaryVnic(opts.ips ?? [])],
      subnets: [
        {
          id: SUBNET_NODE,
          vcnId: VCN,
          availabilityDomain: AD1,
          cidrBlock: "10.0.1.0/24",
          freeAddresses: 200,
          freeformTags: {},
          cidrBlocks: ["10.0.1.0/24"],
          allocations: opts.allocations ?? ["10.0.1.2/32", ...held],
          ...(opts.updating ? { lifecycleState: "UPDATING" } : {}),
        },
        {
          id: SUBNET_PODS,
          vcnId: VCN,
          availabilityDomain: null,
          cidrBlock: "10.0.2.0/24",
          freeAddresses: 250,
          freeformTags: {},
          cidrBlocks: ["10.0.2.0/24"],
          allocations: [],
        },
      ],
    },
    { pool: asPool(opts.pool ?? []), used: asUsed(opts.used ?? []), releaseIps: opts.releaseIps ?? {} },
  );
}

describe("IP CIDR blocks in the pure core", () => {
  describe("placement chooses aligned free blocks, best fit first", () => {
    const rows: Array<{
      what: string;
      blocks: string[];
      allocations: string[];
      prefix: number;
      count: number;
      first: string[];
      free: number;
    }> = [
      {
        what: "skips the block over the network address, the router and the broadcast",
        blocks: ["10.0.1.0/24"],
        allocations: [],
        prefix: 28,
        count: 1,
        first: ["10.0.1.16"],
        free: 14,
      },
      {
        what: "takes an exact hole before cutting into a large free region",
        blocks: ["10.0.1.0/24"],
        allocations: ["10.0.1.2/32", "10.0.1.16/28", "10.0.1.48/28"],
        prefix: 28,
        count: 1,
        first: ["10.0.1.32"],
        free: 12,
      },
      {
        what: "places two blocks in two holes, never the same one",
        blocks: ["10.0.1.0/24"],
        allocations: ["10.0.1.2/32", "10.0.1.16/28", "10.0.1.48/28", "10.0.1.80/28"],
        prefix: 28,
        count: 2,
        first: ["10.0.1.32", "10.0.1.64"],
        free: 11,
      },
      {
        what: "uses a subnet's second CIDR block",
        blocks: ["10.0.1.0/28", "10.0.3.0/26"],
        allocations: [],
        prefix: 28,
        count: 1,
        first: ["10.0.3.16"],
        free: 2,
      },
      {
        what: "answers nothing when no aligned block is free",
        blocks: ["10.0.1.0/27"],
        allocations: ["10.0.1.20/32"],
        prefix: 28,
        count: 1,
        first: [],
        free: 0,
      },
      {
        what: "places /30 blocks in the hole between two singles",
        blocks: ["10.0.1.0/24"],
        allocations: ["10.0.1.2/32", "10.0.1.3/32", "10.0.1.8/32"],
        prefix: 30,
        count: 1,
        first: ["10.0.1.4"],
        free: 61,
      },
    ];
    for (const r of rows) {
      it(r.what, () => {
        const placed = placeBlocks({ cidrBlocks: r.blocks, allocations: r.allocations }, r.prefix, r.count);
        expect(placed.map((p) => p.candidates[0])).to.deep.equal(r.first);
        expect(freeAlignedBlocks({ cidrBlocks: r.blocks, allocations: r.allocations }, r.prefix)).to.equal(r.free);
        const all = placed.flatMap((p) => p.candidates);
        expect(new Set(all).size, "no candidate is shared between blocks").to.equal(all.length);
      });
    }
  });

  describe("the node maximum counts addresses: slots × objects per VNIC × block size, capped by max pods", () => {
    const rows = [
      { what: "single addresses on a 1-OCPU E4.Flex (2 slots)", slots: 2, prefix: 32, maxPods: 0, max: 62 },
      { what: "/28 blocks on a 1-OCPU E4.Flex", slots: 2, prefix: 28, maxPods: 0, max: 992 },
      { what: "/28 blocks capped by 256 max pods", slots: 2, prefix: 28, maxPods: 256, max: 256 },
      { what: "/24 blocks on 4 slots capped by 512", slots: 4, prefix: 24, maxPods: 512, max: 512 },
      { what: "single addresses capped by 40 max pods", slots: 2, prefix: 32, maxPods: 40, max: 40 },
    ];
    for (const r of rows) {
      it(r.what, () => {
        expect(
          nodeMaximumAddresses(r.slots, {
            firstInterfaceIndex: 0,
            ipsPerVnic: 31,
            ipBlockPrefixLength: r.prefix,
            maxPodsPerNode: r.maxPods,
          }),
        ).to.equal(r.max);
      });
    }
  });

  describe("allocation offers only what the watermarks ask for", () => {
    it("creates one /28 block for a new node and offers pre-allocate (8) of its 16 addresses", () => {
      const plan = planNode(blockObserved());
      const assign = plan.actions.find((a) => a.kind === "assignBlocks") as AssignBlocksAction;
      expect(assign.blocks).to.have.length(1);
      expect(assign.blocks[0]!.candidates[0]).to.equal("10.0.1.16");
      expect(assign.blocks[0]!.offer).to.equal(8);
      expect(assign.blocks[0]!.retryTokens).to.have.length(assign.blocks[0]!.candidates.length);
      expect(plan.actions.some((a) => a.kind === "assignIps")).to.equal(false);
    });

    const offerRows = [
      {
        what: "offers held addresses of the fullest block before any OCI call",
        used: range(1, 32, 7),
        pool: [...range(1, 32, 8), ...range(1, 16, 2)],
        want: range(1, 40, 5),
      },
      {
        what: "offers from a second block only once the fullest is exhausted",
        used: range(1, 32, 16),
        pool: [...range(1, 32, 16), "10.0.1.16"],
        want: range(1, 17, 7),
      },
    ];
    for (const r of offerRows) {
      it(r.what, () => {
        const plan = planNode(
          blockObserved({ ips: [block("10.0.1.16"), block("10.0.1.32")], pool: r.pool, used: r.used }),
        );
        expect(plan.actions.some((a) => a.kind === "assignBlocks" || a.kind === "assignIps")).to.equal(false);
        const pool = (plan.actions.find((a) => a.kind === "writePool") as WritePoolAction).pool;
        const added = Object.keys(pool).filter((a) => !r.pool.includes(a));
        expect(added).to.deep.equal(r.want);
        expect(plan.stats.heldUnoffered).to.equal(32 - Object.keys(pool).length);
      });
    }

    it("falls back to single addresses for the round, with a typed decision, when no aligned block is free", () => {
      const taken = Array.from({ length: 16 }, (_, i) => `10.0.1.${i * 16 + 5}/32`);
      const plan = planNode(blockObserved({ allocations: taken }));
      expect(plan.actions.some((a) => a.kind === "assignBlocks")).to.equal(false);
      const singles = plan.actions.find((a) => a.kind === "assignIps") as AssignIpsAction;
      expect(singles.count).to.equal(8);
      expect(plan.decisions.map((d) => d.code)).to.include("BlockFallbackSingle");
      expect(plan.state).to.not.equal("Error");
    });

    it("waits, as Allocating, when the VNIC's subnet is UPDATING, and attaches no VNIC meanwhile", () => {
      const plan = planNode(blockObserved({ updating: true }));
      expect(plan.state).to.equal("Allocating");
      expect(plan.reason.code).to.equal("SubnetUpdating");
      expect(
        plan.actions.some((a) => a.kind === "assignBlocks" || a.kind === "attachVnic" || a.kind === "assignIps"),
      ).to.equal(false);
    });

    it("puts blocks on a new secondary VNIC when the primary is out of objects", () => {
      const full = Array.from({ length: 31 }, (_, i) => block(`10.0.1.${0}`.replace(/\.0$/, `.${0}`), 28)).map(
        (b, i) => ({ ...b, id: `x${i}`, ipAddress: `10.0.${10 + i}.0` }),
      );
      const o = blockObserved({
        ips: full,
        pool: full.flatMap((b) => range(10 + Number(b.ipAddress.split(".")[2]) - 10, 0, 16)),
        used: [],
      });
      // every held address offered and used: the watermarks want 8 more
      o.ciliumNode.used = asUsed(Object.keys(o.ciliumNode.pool));
      const plan = planNode(o);
      const attach = plan.actions.find((a) => a.kind === "attachVnic") as AttachVnicAction;
      expect(attach.thenBlocks?.blocks).to.have.length(1);
      expect(attach.thenBlocks!.blocks[0]!.offer).to.equal(8);
      expect(attach.ipRetryTokens).to.have.length(0);
    });
  });

  describe("release eligibility: a block goes only when none of its addresses is offered or used", () => {
    const rows: Array<{
      what: string;
      pool: string[];
      used: string[];
      releaseIps?: Record<string, "marked-for-release" | "ready-for-release" | "released">;
      release: boolean;
      deleted: string[];
    }> = [
      {
        what: "deletes a block none of whose addresses is offered or used",
        pool: [],
        used: [],
        release: true,
        deleted: ["10.0.1.16"],
      },
      { what: "keeps a block with one address offered", pool: ["10.0.1.20"], used: [], release: true, deleted: [] },
      {
        what: "keeps a block with one address used, even if not offered",
        pool: [],
        used: ["10.0.1.31"],
        release: true,
        deleted: [],
      },
      {
        what: "keeps a block while one address is marked for release",
        pool: [],
        used: [],
        releaseIps: { "10.0.1.17": "marked-for-release" },
        release: true,
        deleted: [],
      },
      { what: "keeps every block when release of excess IPs is off", pool: [], used: [], release: false, deleted: [] },
    ];
    for (const r of rows) {
      it(r.what, () => {
        const o = blockObserved({
          ips: [block("10.0.1.16")],
          pool: r.pool,
          used: r.used,
          release: r.release,
          ...(r.releaseIps ? { releaseIps: r.releaseIps } : {}),
        });
        o.ciliumNode.preAllocate = 1;
        o.ciliumNode.minAllocate = 0;
        const plan = planNode({
          ...o,
          ciliumNode: { ...o.ciliumNode, pool: { ...o.ciliumNode.pool, ...asPool(range(2, 20, 8)) } },
          vnics: [
            primaryVnic([
              block("10.0.1.16"),
              ...range(2, 20, 8).map((a) => ({
                id: `s-${a}`,
                ipAddress: a,
                isPrimary: false,
                freeformTags: ownershipTags(CLUSTER, NODE),
              })),
            ]),
          ],
        });
        const release = plan.actions.find((a) => a.kind === "releaseBlocks") as ReleaseBlocksAction | undefined;
        expect(release?.blocks.map((b) => b.ipAddress) ?? []).to.deep.equal(r.deleted);
      });
    }

    it("answers ready-for-release of a block address with released and no OCI delete", () => {
      const o = blockObserved({
        ips: [block("10.0.1.16")],
        pool: range(1, 16, 16),
        used: ["10.0.1.16"],
        release: true,
        releaseIps: { "10.0.1.17": "ready-for-release" },
      });
      o.ciliumNode.preAllocate = 1;
      const plan = planNode(o);
      expect(plan.actions.some((a) => a.kind === "releaseIps")).to.equal(false);
      const status = plan.actions.find((a) => a.kind === "writeReleaseStatus");
      expect(status && status.kind === "writeReleaseStatus" ? status.releaseIps["10.0.1.17"] : undefined).to.equal(
        "released",
      );
      expect(plan.actions.some((a) => a.kind === "releaseBlocks")).to.equal(false);
    });
  });
});
