import { expect } from "chai";
import type { AssignIpsAction, AttachVnicAction, Plan, PlanAction } from "../../../lib/core/model";
import { planNode } from "../../../lib/core/planner";
import {
  AD1,
  CLUSTER,
  NODE,
  SUBNET_NODE,
  SUBNET_PODS,
  VCN,
  config,
  observed,
  ownedIps,
  poolOf,
  primaryVnic,
  secondaryVnic,
  usedOf,
} from "./observed-fixture";
import { ownershipTags } from "../../../lib/core/ownership";

const kinds = (plan: Plan) => plan.actions.map((a) => a.kind);
const only = <K extends PlanAction["kind"]>(plan: Plan, kind: K) =>
  plan.actions.filter((a) => a.kind === kind) as Array<Extract<PlanAction, { kind: K }>>;

describe("planner: allocation", () => {
  it("gives a new node with pre-allocate unset 8 IPs on its primary VNIC and writes pre-allocate", () => {
    const plan = planNode(observed({}, { preAllocate: undefined }));
    expect(kinds(plan)).to.deep.equal(["assignIps", "writePool"]);
    const [assign] = only(plan, "assignIps");
    expect(assign).to.include({ vnicId: "ocid1.vnic.oc1..primary", subnetId: SUBNET_NODE, count: 8 });
    expect(only(plan, "writePool")[0]!.preAllocate).to.equal(8);
    expect(plan.state).to.equal("Ready");
    expect(plan.stats).to.include({ available: 0, used: 0, needed: 8, toAllocate: 8, nodeMaximum: 62 });
  });

  it("does nothing when the pool already holds what the watermarks ask and Kubernetes agrees with OCI", () => {
    const ips = ownedIps(8);
    const plan = planNode(observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf("ocid1.vnic.oc1..primary", ips) }));
    expect(plan.actions).to.deep.equal([]);
    expect(plan.decisions.map((d) => d.code)).to.include("NoOp");
  });

  it("rewrites only the pool when Kubernetes lost entries that exist in OCI", () => {
    const ips = ownedIps(8);
    const plan = planNode(
      observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf("ocid1.vnic.oc1..primary", ips.slice(0, 5)) }),
    );
    expect(kinds(plan)).to.deep.equal(["writePool"]);
    expect(Object.keys(only(plan, "writePool")[0]!.pool)).to.have.length(8);
  });

  it("tops the pool up as usage rises so that pre-allocate IPs stay free", () => {
    const ips = ownedIps(8);
    const vnicId = "ocid1.vnic.oc1..primary";
    const plan = planNode(
      observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf(vnicId, ips), used: usedOf(vnicId, ips, 6) }),
    );
    expect(only(plan, "assignIps")[0]!.count).to.equal(6);
  });

  it("fills the primary VNIC's remaining room first, then attaches a VNIC for the rest", () => {
    const ips = ownedIps(28);
    const vnicId = "ocid1.vnic.oc1..primary";
    const plan = planNode(
      observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf(vnicId, ips), used: usedOf(vnicId, ips, 28) }),
    );
    expect(kinds(plan)).to.deep.equal(["assignIps", "attachVnic", "writePool"]);
    expect(only(plan, "assignIps")[0]!.count).to.equal(3);
    const attach = only(plan, "attachVnic")[0]!;
    expect(attach).to.include({ subnetId: SUBNET_NODE, index: 1, thenAssign: 5 });
    expect(plan.state).to.equal("Allocating");
  });

  it("reports AtCapacity without an error when every VNIC slot is used and the VNICs are full", () => {
    const primaryIps = ownedIps(31, 1);
    const secondIps = ownedIps(31, 2);
    const pool = { ...poolOf("ocid1.vnic.oc1..primary", primaryIps), ...poolOf("ocid1.vnic.oc1..s1", secondIps) };
    const used = {
      ...usedOf("ocid1.vnic.oc1..primary", primaryIps, 31),
      ...usedOf("ocid1.vnic.oc1..s1", secondIps, 30),
    };
    const plan = planNode(observed({ vnics: [primaryVnic(primaryIps), secondaryVnic(1, secondIps)] }, { pool, used }));
    expect(plan.state).to.equal("AtCapacity");
    expect(plan.reason.code).to.equal("VnicSlotsExhausted");
    expect(kinds(plan)).to.deep.equal([]);
  });

  it("names full subnets, not slots, when the VNICs with room cannot grow because their subnets are full", () => {
    const primaryIps = ownedIps(31, 1);
    const secondIps = ownedIps(10, 2);
    const pool = { ...poolOf("ocid1.vnic.oc1..primary", primaryIps), ...poolOf("ocid1.vnic.oc1..s1", secondIps) };
    const used = {
      ...usedOf("ocid1.vnic.oc1..primary", primaryIps, 31),
      ...usedOf("ocid1.vnic.oc1..s1", secondIps, 10),
    };
    const subnets = observed().subnets.map((s) => (s.id === SUBNET_PODS ? { ...s, freeAddresses: 0 } : s));
    const plan = planNode(
      observed({ vnics: [primaryVnic(primaryIps), secondaryVnic(1, secondIps)], subnets }, { pool, used }),
    );
    expect(plan.state).to.equal("AtCapacity");
    expect(plan.reason.code).to.equal("VnicSubnetsFull");
    expect(plan.reason.message).to.contain(SUBNET_PODS);
  });

  it("never uses the primary VNIC when first-interface-index is 1, and keeps its IPs out of the pool", () => {
    const ips = ownedIps(4);
    const plan = planNode(observed({ config: config({ firstInterfaceIndex: 1 }), vnics: [primaryVnic(ips)] }));
    expect(kinds(plan)).to.deep.equal(["attachVnic", "writePool"]);
    expect(plan.stats.available).to.equal(0);
    expect(plan.stats.nodeMaximum).to.equal(31);
  });

  it("skips a VNIC whose tags match exclude-interface-tags", () => {
    const vnic = secondaryVnic(1, ownedIps(2, 2), {
      freeformTags: { ...ownershipTags(CLUSTER, NODE), storage: "yes" },
    });
    const plan = planNode(
      observed({
        config: config({ firstInterfaceIndex: 1, excludeInterfaceTags: { storage: "yes" } }),
        vnics: [primaryVnic(), vnic],
        instance: { ...observed().instance, maxVnicAttachments: 3 },
      }),
    );
    expect(plan.stats.available).to.equal(0);
    expect(only(plan, "attachVnic")[0]!.index).to.equal(2);
  });

  it("leaves a secondary VNIC the allocator did not attach alone", () => {
    const foreign = secondaryVnic(1, [], { freeformTags: {}, attachmentDisplayName: "storage" });
    const plan = planNode(
      observed({
        config: config({ firstInterfaceIndex: 1 }),
        vnics: [primaryVnic(), foreign],
        instance: { ...observed().instance, maxVnicAttachments: 3 },
      }),
    );
    expect(only(plan, "assignIps")).to.have.length(0);
    expect(only(plan, "attachVnic")).to.have.length(1);
  });

  it("keeps primary IPs, untagged IPs and IPs tagged for another node out of the pool", () => {
    const foreignIp = { id: "ocid1.privateip.oc1..x", ipAddress: "10.0.1.99", isPrimary: false, freeformTags: {} };
    const otherNode = ownedIps(1, 1, 50, "worker-2");
    const plan = planNode(observed({ vnics: [primaryVnic([foreignIp, ...otherNode, ...ownedIps(2)])] }));
    expect(Object.keys(only(plan, "writePool")[0]!.pool)).to.deep.equal(["10.0.1.10", "10.0.1.11"]);
  });

  it("counts IPs it does not own against the VNIC's room", () => {
    const foreign = Array.from({ length: 29 }, (_, i) => ({
      id: `f${i}`,
      ipAddress: `10.0.1.${150 + i}`,
      isPrimary: false,
      freeformTags: {},
    }));
    const plan = planNode(observed({ vnics: [primaryVnic(foreign)] }));
    expect(only(plan, "assignIps")[0]!.count).to.equal(2);
    expect(only(plan, "attachVnic")[0]!.thenAssign).to.equal(6);
  });

  it("fills usable VNICs in index order whatever order OCI listed them in", () => {
    const s1 = secondaryVnic(1, ownedIps(31, 2));
    const s2 = secondaryVnic(2, ownedIps(1, 3));
    const s3 = secondaryVnic(3, []);
    const primary = primaryVnic(ownedIps(31, 1));
    const all = [primary, s1, s2, s3];
    const pool = Object.assign(
      {},
      ...all.map((v) =>
        poolOf(
          v.vnicId!,
          v.privateIps.filter((ip) => !ip.isPrimary),
        ),
      ),
    );
    const used = Object.fromEntries(Object.keys(pool).map((ip) => [ip, { owner: "a/b" }]));
    const base = { instance: { ...observed().instance, maxVnicAttachments: 4 } };
    const forward = planNode(observed({ ...base, vnics: all }, { pool, used }));
    const backward = planNode(observed({ ...base, vnics: [...all].reverse() }, { pool, used }));
    expect(only(forward, "assignIps").map((a) => a.vnicId)).to.deep.equal(["ocid1.vnic.oc1..s2"]);
    expect(forward.actions).to.deep.equal(backward.actions);
  });

  it("adds max-above-watermark to the allocation", () => {
    const plan = planNode(observed({}, { maxAboveWatermark: 4 }));
    expect(only(plan, "assignIps")[0]!.count).to.equal(12);
  });

  it("surges by the pending pods beyond the need", () => {
    const plan = planNode(observed({ pendingPods: 11 }));
    expect(plan.stats.surge).to.equal(3);
    expect(only(plan, "assignIps")[0]!.count).to.equal(11);
  });

  it("never lets max-above-watermark or surge push the pool past max-allocate", () => {
    const plan = planNode(observed({ pendingPods: 40 }, { maxAllocate: 10, maxAboveWatermark: 4 }));
    expect(only(plan, "assignIps")[0]!.count).to.equal(10);
  });

  it("allocates up to min-allocate on a new node", () => {
    const plan = planNode(
      observed({ instance: { ...observed().instance, maxVnicAttachments: 3 } }, { minAllocate: 40 }),
    );
    const assigned =
      only(plan, "assignIps").reduce((n, a) => n + a.count, 0) +
      only(plan, "attachVnic").reduce((n, a) => n + a.thenAssign, 0);
    expect(assigned).to.equal(40);
  });

  it("does nothing for an instance that is not RUNNING and says why", () => {
    const plan = planNode(observed({ instance: { ...observed().instance, lifecycleState: "TERMINATING" } }));
    expect(plan.actions).to.deep.equal([]);
    expect(plan.state).to.equal("Error");
    expect(plan.reason.code).to.equal("InstanceNotRunning");
  });

  it("waits for its own attachment still ATTACHING instead of attaching another VNIC", () => {
    const attaching = {
      ...secondaryVnic(1, []),
      attachmentState: "ATTACHING" as const,
      vnicId: undefined,
      privateIps: [],
    };
    const full = ownedIps(31);
    const vnicId = "ocid1.vnic.oc1..primary";
    const plan = planNode(
      observed(
        { vnics: [primaryVnic(full), attaching] },
        { pool: poolOf(vnicId, full), used: usedOf(vnicId, full, 31) },
      ),
    );
    expect(kinds(plan)).to.deep.equal(["awaitAttachment"]);
    expect(plan.state).to.equal("Allocating");
  });

  it("derives the same retry tokens from the same observation and new ones once it changes", () => {
    const first = only(planNode(observed()), "assignIps")[0] as AssignIpsAction;
    const again = only(planNode(observed()), "assignIps")[0] as AssignIpsAction;
    const changed = only(planNode(observed({ vnics: [primaryVnic(ownedIps(1))] })), "assignIps")[0] as AssignIpsAction;
    expect(first.retryTokens).to.deep.equal(again.retryTokens);
    expect(new Set(first.retryTokens).size).to.equal(first.count);
    expect(first.retryTokens.every((t) => t.length <= 64)).to.equal(true);
    expect(changed.retryTokens.some((t) => first.retryTokens.includes(t))).to.equal(false);
  });
});

describe("planner: subnet and NSG selection for a new VNIC", () => {
  const fullPrimary = () => {
    const full = ownedIps(31);
    return {
      vnics: [primaryVnic(full)],
      pool: poolOf("ocid1.vnic.oc1..primary", full),
      used: usedOf("ocid1.vnic.oc1..primary", full, 31),
    };
  };
  const attachFor = (overrides: Parameters<typeof observed>[0]) => {
    const f = fullPrimary();
    const plan = planNode(observed({ vnics: f.vnics, ...overrides }, { pool: f.pool, used: f.used }));
    return { plan, attach: only(plan, "attachVnic")[0] as AttachVnicAction | undefined };
  };
  const subnet = (
    id: string,
    free: number,
    extra: Partial<{ availabilityDomain: string | null; vcnId: string; freeformTags: Record<string, string> }> = {},
  ) => ({
    id,
    vcnId: VCN,
    availabilityDomain: AD1,
    cidrBlock: "10.0.9.0/24",
    freeAddresses: free,
    freeformTags: {},
    ...extra,
  });

  it("uses a configured subnet ID first, the one with the most free addresses", () => {
    const { attach } = attachFor({
      config: config({ subnetIds: ["a", "b"] }),
      subnets: [subnet(SUBNET_NODE, 200), subnet("a", 20), subnet("b", 90)],
    });
    expect(attach!.subnetId).to.equal("b");
  });

  it("never leaves the configured subnet IDs, and reports SubnetsExhausted when they are full", () => {
    const { plan, attach } = attachFor({
      config: config({ subnetIds: ["a"] }),
      subnets: [subnet(SUBNET_NODE, 200), subnet("a", 1)],
    });
    expect(attach).to.equal(undefined);
    expect(plan.state).to.equal("Error");
    expect(plan.reason.code).to.equal("SubnetsExhausted");
  });

  it("uses subnets whose tags all match when no IDs are configured", () => {
    const { attach } = attachFor({
      config: config({ subnetTags: { role: "pods", tier: "a" } }),
      subnets: [
        subnet(SUBNET_NODE, 200),
        subnet("half", 250, { freeformTags: { role: "pods" } }),
        subnet("both", 30, { freeformTags: { role: "pods", tier: "a" } }),
      ],
    });
    expect(attach!.subnetId).to.equal("both");
  });

  it("prefers the node's own subnet when it has room for a whole VNIC", () => {
    const { attach } = attachFor({ subnets: [subnet(SUBNET_NODE, 32), subnet("big", 250)] });
    expect(attach!.subnetId).to.equal(SUBNET_NODE);
  });

  it(
    "falls through to the VCN subnet with the most free addresses when the " + "node's subnet cannot take a whole VNIC",
    () => {
      const { attach } = attachFor({
        subnets: [subnet(SUBNET_NODE, 31), subnet("small", 40), subnet("big", 250, { availabilityDomain: null })],
      });
      expect(attach!.subnetId).to.equal("big");
    },
  );

  it("never picks a subnet of another availability domain or another VCN", () => {
    const { plan, attach } = attachFor({
      subnets: [
        subnet(SUBNET_NODE, 5),
        subnet("ad2", 250, { availabilityDomain: "Uocm:PHX-AD-2" }),
        subnet("vcn2", 250, { vcnId: "other" }),
      ],
    });
    expect(attach!.subnetId).to.equal(SUBNET_NODE);
    expect(attach!.thenAssign).to.equal(4);
    expect(plan.state).to.equal("Allocating");
  });

  it("reports the typed reason when no subnet of the placement has room", () => {
    const { plan } = attachFor({ subnets: [subnet(SUBNET_NODE, 1)] });
    expect(plan.reason.code).to.equal("SubnetsExhausted");
    expect(plan.reason.message).to.contain(SUBNET_NODE);
  });

  it("uses configured NSGs, else NSGs matching the tags, else the primary VNIC's", () => {
    const nsgs: Array<{ id: string; vcnId: string; freeformTags: Record<string, string> }> = [
      { id: "n1", vcnId: VCN, freeformTags: { pods: "yes" } },
      { id: "n2", vcnId: VCN, freeformTags: {} },
    ];
    expect(attachFor({ config: config({ nsgIds: ["x"] }), nsgs }).attach!.nsgIds).to.deep.equal(["x"]);
    expect(attachFor({ config: config({ nsgTags: { pods: "yes" } }), nsgs }).attach!.nsgIds).to.deep.equal(["n1"]);
    expect(attachFor({ nsgs }).attach!.nsgIds).to.deep.equal(["ocid1.nsg.oc1..nodes"]);
  });

  it("spreads a large need over several new VNICs while slots remain", () => {
    const f = fullPrimary();
    const plan = planNode(
      observed(
        {
          vnics: f.vnics,
          instance: { ...observed().instance, maxVnicAttachments: 4 },
          subnets: [subnet(SUBNET_NODE, 200), subnet(SUBNET_PODS, 10, { availabilityDomain: null })],
        },
        { pool: f.pool, used: f.used, minAllocate: 100 },
      ),
    );
    const attaches = only(plan, "attachVnic");
    expect(attaches.map((a) => [a.index, a.thenAssign])).to.deep.equal([
      [1, 31],
      [2, 31],
      [3, 7],
    ]);
    expect(plan.state).to.equal("Allocating");
  });
});
