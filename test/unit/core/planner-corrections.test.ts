import { expect } from "chai";
import type { ObservedState, Plan } from "../../../lib/core/model";
import { planNode } from "../../../lib/core/planner";
import { deriveRetryToken, freshRetryToken } from "../../../lib/core/retry-token";
import { selectNsgs } from "../../../lib/core/subnet-selection";
import { config, observed, ownedIps, poolOf, primaryVnic, secondaryVnic, usedOf } from "./observed-fixture";

const PRIMARY = "ocid1.vnic.oc1..primary";
const kinds = (plan: Plan) => plan.actions.map((a) => a.kind);
const poolWritten = (plan: Plan) => {
  const w = plan.actions.find((a) => a.kind === "writePool");
  return w?.kind === "writePool" ? w.pool : undefined;
};

describe("planner corrections: NSGs of a new VNIC", () => {
  const nsgs = [
    { id: "ocid1.networksecuritygroup.oc1..pods", vcnId: "ocid1.vcn.oc1..vcn", freeformTags: { role: "pods" } },
    { id: "ocid1.networksecuritygroup.oc1..other-vcn", vcnId: "ocid1.vcn.oc1..other", freeformTags: { role: "pods" } },
  ];
  const rows: Array<{ name: string; cfg: Partial<ObservedState["config"]>; want: string[]; code: string }> = [
    {
      name: "configured IDs win",
      cfg: { nsgIds: ["ocid1.networksecuritygroup.oc1..x"], nsgTags: { role: "pods" } },
      want: ["ocid1.networksecuritygroup.oc1..x"],
      code: "NsgsFromConfiguredIds",
    },
    {
      name: "tags matching NSGs of the cluster's VCN",
      cfg: { nsgTags: { role: "pods" } },
      want: ["ocid1.networksecuritygroup.oc1..pods"],
      code: "NsgsFromConfiguredTags",
    },
    {
      name: "tags that match none fall back to the primary VNIC's, as Cilium falls back to eth0's",
      cfg: { nsgTags: { role: "nothing" } },
      want: ["ocid1.nsg.oc1..nodes"],
      code: "NsgTagsMatchNone",
    },
    {
      name: "nothing configured: the primary VNIC's",
      cfg: {},
      want: ["ocid1.nsg.oc1..nodes"],
      code: "NsgsOfPrimaryVnic",
    },
  ];
  for (const row of rows) {
    it(`chooses NSGs when ${row.name}`, () => {
      const choice = selectNsgs(observed({ config: config(row.cfg), nsgs }));
      expect(choice.nsgIds).to.deep.equal(row.want);
      expect(choice.reason.code).to.equal(row.code);
    });
  }

  it("never attaches a VNIC with no NSG when the configured tags match none", () => {
    const ips = ownedIps(31);
    const plan = planNode(
      observed(
        { config: config({ nsgTags: { role: "nothing" } }), vnics: [primaryVnic(ips)] },
        { pool: poolOf(PRIMARY, ips), used: usedOf(PRIMARY, ips, 31) },
      ),
    );
    const attach = plan.actions.find((a) => a.kind === "attachVnic");
    expect(attach?.kind === "attachVnic" ? attach.nsgIds : []).to.deep.equal(["ocid1.nsg.oc1..nodes"]);
  });
});

describe("planner corrections: a capped node is AtCapacity whatever the round does", () => {
  const ips = ownedIps(20);
  const rows: Array<{
    name: string;
    node: Partial<ObservedState["ciliumNode"]>;
    releaseExcessIps?: boolean;
    wantKinds: string[];
  }> = [
    {
      name: "while a release handshake is pending",
      node: {
        maxAllocate: 20,
        pool: poolOf(PRIMARY, ips),
        used: usedOf(PRIMARY, ips, 20),
        releaseIps: { "10.0.1.29": "marked-for-release" },
      },
      releaseExcessIps: true,
      wantKinds: ["writeReleaseStatus"],
    },
    {
      name: "in the round in which it allocates up to max-allocate",
      node: { maxAllocate: 24, pool: poolOf(PRIMARY, ips), used: usedOf(PRIMARY, ips, 20) },
      wantKinds: ["assignIps", "writePool"],
    },
    {
      name: "when the pool holds max-allocate and the watermarks ask for more",
      node: { maxAllocate: 20, pool: poolOf(PRIMARY, ips), used: usedOf(PRIMARY, ips, 20) },
      wantKinds: [],
    },
  ];
  for (const row of rows) {
    it(`reports AtCapacity (MaxAllocateReached) ${row.name}`, () => {
      const plan = planNode(
        observed(
          { config: config({ releaseExcessIps: row.releaseExcessIps ?? false }), vnics: [primaryVnic(ips)] },
          row.node,
        ),
      );
      expect(plan.state).to.equal("AtCapacity");
      expect(plan.reason.code).to.equal("MaxAllocateReached");
      expect(kinds(plan)).to.deep.equal(row.wantKinds);
    });
  }
});

describe("planner corrections: a round never pushes the pool past the node maximum", () => {
  const rows = [
    { name: "max-above-watermark", node: { maxAboveWatermark: 40 }, pendingPods: 0 },
    { name: "surge from pending pods", node: {}, pendingPods: 100 },
    { name: "min-allocate above the maximum", node: { minAllocate: 500 }, pendingPods: 0 },
  ];
  for (const row of rows) {
    it(`caps ${row.name} at the node maximum of 62 (2 VNIC slots × 31)`, () => {
      const ips = ownedIps(50, 1);
      const primaryIps = ips.slice(0, 31);
      const secondIps = ips
        .slice(31)
        .map((ip, i) => ({ ...ip, id: `ocid1.privateip.oc1..2-${i}`, ipAddress: `10.0.2.${10 + i}` }));
      const pool = { ...poolOf(PRIMARY, primaryIps), ...poolOf("ocid1.vnic.oc1..s1", secondIps) };
      const used = { ...usedOf(PRIMARY, primaryIps, 31), ...usedOf("ocid1.vnic.oc1..s1", secondIps, 19) };
      const plan = planNode(
        observed(
          { vnics: [primaryVnic(primaryIps), secondaryVnic(1, secondIps)], pendingPods: row.pendingPods },
          { ...row.node, pool, used },
        ),
      );
      const created = plan.actions.reduce(
        (n, a) => n + (a.kind === "assignIps" ? a.count : a.kind === "attachVnic" ? a.thenAssign : 0),
        0,
      );
      expect(plan.stats.available + created).to.be.at.most(plan.stats.nodeMaximum);
      expect(plan.stats.toAllocate).to.equal(12);
    });
  }
});

describe("planner corrections: the plan does not depend on the order OCI lists things in", () => {
  const awaiting = { ...secondaryVnic(2), attachmentState: "ATTACHING" as const, privateIps: [] };
  delete (awaiting as { vnicId?: string }).vnicId;
  const base = observed(
    {
      config: config({ releaseExcessIps: true }),
      vnics: [primaryVnic(ownedIps(5, 1)), secondaryVnic(1, ownedIps(3, 2)), awaiting],
      instance: { ...observed().instance, maxVnicAttachments: 4 },
      subnets: [
        ...observed().subnets,
        {
          id: "ocid1.subnet.oc1..third",
          vcnId: "ocid1.vcn.oc1..vcn",
          availabilityDomain: null,
          cidrBlock: "10.0.3.0/24",
          freeAddresses: 250,
          freeformTags: {},
        },
      ],
      nsgs: [
        { id: "ocid1.networksecuritygroup.oc1..b", vcnId: "ocid1.vcn.oc1..vcn", freeformTags: {} },
        { id: "ocid1.networksecuritygroup.oc1..a", vcnId: "ocid1.vcn.oc1..vcn", freeformTags: {} },
      ],
    },
    { preAllocate: 60, used: usedOf(PRIMARY, ownedIps(5, 1), 5) },
  );
  const reversed = (o: ObservedState): ObservedState => ({
    ...o,
    vnics: [...o.vnics].reverse().map((v) => ({ ...v, privateIps: [...v.privateIps].reverse() })),
    subnets: [...o.subnets].reverse(),
    nsgs: [...o.nsgs].reverse(),
  });
  const rotated = (o: ObservedState): ObservedState => ({
    ...o,
    vnics: [o.vnics[1]!, o.vnics[2]!, o.vnics[0]!],
    subnets: [o.subnets[2]!, o.subnets[0]!, o.subnets[1]!],
  });
  for (const [name, shuffle] of [
    ["reversed", reversed],
    ["rotated", rotated],
  ] as const) {
    it(`gives the identical plan (awaits and tokens included) when every list is ${name}`, () => {
      expect(planNode(shuffle(base))).to.deep.equal(planNode(base));
      expect(kinds(planNode(base))).to.include("awaitAttachment");
    });
  }
});

describe("planner corrections: without an attached primary VNIC there is nothing to plan from", () => {
  const rows: Array<{ name: string; vnics: ObservedState["vnics"] }> = [
    { name: "no VNIC at all", vnics: [] },
    { name: "the primary VNIC still attaching", vnics: [{ ...primaryVnic(), attachmentState: "ATTACHING" }] },
    { name: "only a secondary VNIC", vnics: [secondaryVnic(1)] },
  ];
  for (const row of rows) {
    it(`answers Error with no actions for ${row.name}`, () => {
      const plan = planNode(observed({ vnics: row.vnics }));
      expect(plan.state).to.equal("Error");
      expect(plan.reason.code).to.equal("NoPrimaryVnic");
      expect(plan.actions).to.deep.equal([]);
    });
  }
});

describe("planner corrections: an address in use stays in the pool until Cilium's handshake releases it", () => {
  const ips = ownedIps(4, 2);
  const vnicId = "ocid1.vnic.oc1..s1";
  const node = { pool: poolOf(vnicId, ips), used: usedOf(vnicId, ips, 2) };
  const rows: Array<{ name: string; obs: Partial<ObservedState> }> = [
    {
      name: "first-interface-index is raised above its VNIC",
      obs: { config: config({ firstInterfaceIndex: 2 }), vnics: [primaryVnic(), secondaryVnic(1, ips)] },
    },
    {
      name: "an exclusion tag is added to its VNIC",
      obs: {
        config: config({ excludeInterfaceTags: { skip: "yes" } }),
        vnics: [
          primaryVnic(),
          secondaryVnic(1, ips, { freeformTags: { ...secondaryVnic(1).freeformTags, skip: "yes" } }),
        ],
      },
    },
    {
      name: "its VNIC's attachment is briefly not ATTACHED",
      obs: { vnics: [primaryVnic(), { ...secondaryVnic(1), attachmentState: "DETACHING", privateIps: [] }] },
    },
  ];
  for (const row of rows) {
    it(`keeps the used addresses (and only those) when ${row.name}`, () => {
      const pool = poolWritten(planNode(observed(row.obs, node))) ?? node.pool;
      expect(Object.keys(pool)).to.include.members([ips[0]!.ipAddress, ips[1]!.ipAddress]);
      expect(Object.keys(pool)).to.not.include.members([ips[2]!.ipAddress, ips[3]!.ipAddress]);
      expect(pool[ips[0]!.ipAddress]).to.deep.equal({ resource: vnicId });
    });
  }

  it("drops a used address OCI no longer has on any of the instance's VNICs", () => {
    const plan = planNode(observed({ vnics: [primaryVnic(), secondaryVnic(1, ips.slice(1))] }, node));
    expect(Object.keys(poolWritten(plan) ?? {})).to.not.include(ips[0]!.ipAddress);
  });
});

describe("retry tokens", () => {
  const parts = {
    cluster: "c1",
    node: "n1",
    instanceId: "i1",
    operation: "createPrivateIp" as const,
    target: "v1",
    observationDigest: "d",
    ordinal: 0,
  };
  it(
    "differ between generations for the same observation, so a repeated " +
      "observation never replays a deleted object's token",
    () => {
      expect(deriveRetryToken({ ...parts, generation: 1 })).to.not.equal(deriveRetryToken({ ...parts, generation: 2 }));
      expect(deriveRetryToken({ ...parts, generation: 3 })).to.equal(deriveRetryToken({ ...parts, generation: 3 }));
    },
  );

  it("carry the node's generation from the observation into every create of a plan", () => {
    const o = (generation: number) => observed({ retryGeneration: generation });
    const tokens = (plan: Plan) => plan.actions.flatMap((a) => (a.kind === "assignIps" ? a.retryTokens : []));
    expect(tokens(planNode(o(0)))).to.have.length(8);
    expect(tokens(planNode(o(0)))).to.deep.equal(tokens(planNode(o(0))));
    expect(tokens(planNode(o(1)))).to.not.include.members(tokens(planNode(o(0))));
  });

  it("are planned for the IPs of a new VNIC too, so the executor derives none", () => {
    const ips = ownedIps(31);
    const plan = planNode(
      observed({ vnics: [primaryVnic(ips)] }, { pool: poolOf(PRIMARY, ips), used: usedOf(PRIMARY, ips, 31) }),
    );
    const attach = plan.actions.find((a) => a.kind === "attachVnic");
    expect(attach?.kind === "attachVnic" ? attach.ipRetryTokens : []).to.have.length(8);
  });

  it("give a fresh token of OCI's length that depends on the salt", () => {
    const t = deriveRetryToken(parts);
    expect(freshRetryToken(t, "call-1")).to.have.length(t.length).and.not.equal(t);
    expect(freshRetryToken(t, "call-1")).to.not.equal(freshRetryToken(t, "call-2"));
  });
});
