import { expect } from "chai";
import { planNode } from "../../../lib/core/planner";
import {
  attachmentDisplayName,
  isOwnAttachmentName,
  isOwnedBy,
  ownershipTags,
  TAG_CLUSTER,
  TAG_INSTANCE,
  TAG_NODE,
} from "../../../lib/core/ownership";
import { CLUSTER, NODE, observed, ownedIps, primaryVnic, secondaryVnic } from "./observed-fixture";

const I = "ocid1.instance.oc1..w1";
const OTHER_I = "ocid1.instance.oc1..w2";

describe("ownership tags: node, or instance before the node exists", () => {
  const rows: Array<{
    why: string;
    tags: Record<string, string> | undefined;
    node: string | undefined;
    instance?: string;
    owned: boolean;
  }> = [
    {
      why: "node tag names the node",
      tags: { [TAG_CLUSTER]: CLUSTER, [TAG_NODE]: NODE },
      node: NODE,
      instance: I,
      owned: true,
    },
    {
      why: "node tag names the node, whatever the instance tag says",
      tags: { [TAG_CLUSTER]: CLUSTER, [TAG_NODE]: NODE, [TAG_INSTANCE]: OTHER_I },
      node: NODE,
      instance: I,
      owned: true,
    },
    {
      why: "no node tag, instance tag names the node's instance (a prewarm's object, adopted)",
      tags: { [TAG_CLUSTER]: CLUSTER, [TAG_INSTANCE]: I },
      node: NODE,
      instance: I,
      owned: true,
    },
    {
      why: "no node tag, instance tag names another instance",
      tags: { [TAG_CLUSTER]: CLUSTER, [TAG_INSTANCE]: OTHER_I },
      node: NODE,
      instance: I,
      owned: false,
    },
    {
      why: "node tag names another node on the same instance",
      tags: { [TAG_CLUSTER]: CLUSTER, [TAG_NODE]: "other", [TAG_INSTANCE]: I },
      node: NODE,
      instance: I,
      owned: false,
    },
    {
      why: "another cluster's object",
      tags: { [TAG_CLUSTER]: "c2", [TAG_NODE]: NODE, [TAG_INSTANCE]: I },
      node: NODE,
      instance: I,
      owned: false,
    },
    {
      why: "cluster tag only (no owner at all)",
      tags: { [TAG_CLUSTER]: CLUSTER },
      node: NODE,
      instance: I,
      owned: false,
    },
    { why: "untagged", tags: {}, node: NODE, instance: I, owned: false },
    { why: "no tags at all", tags: undefined, node: NODE, instance: I, owned: false },
    {
      why: "prewarm (no node): a node-less object of the instance",
      tags: { [TAG_CLUSTER]: CLUSTER, [TAG_INSTANCE]: I },
      node: undefined,
      instance: I,
      owned: true,
    },
    {
      why: "prewarm (no node): an object tagged for some node is never the prewarm's",
      tags: { [TAG_CLUSTER]: CLUSTER, [TAG_NODE]: NODE, [TAG_INSTANCE]: I },
      node: "",
      instance: I,
      owned: false,
    },
    {
      why: "node known but no instance given: instance-only objects are not owned",
      tags: { [TAG_CLUSTER]: CLUSTER, [TAG_INSTANCE]: I },
      node: NODE,
      owned: false,
    },
  ];
  for (const row of rows) {
    it(`${row.owned ? "owns" : "does not own"} an object when ${row.why}`, () => {
      expect(isOwnedBy(row.tags, CLUSTER, row.node, row.instance)).to.equal(row.owned);
    });
  }

  it("tags objects with cluster, node and instance, and leaves the node out before the node exists", () => {
    expect(ownershipTags(CLUSTER, NODE, I)).to.deep.equal({
      [TAG_CLUSTER]: CLUSTER,
      [TAG_NODE]: NODE,
      [TAG_INSTANCE]: I,
    });
    expect(ownershipTags(CLUSTER, undefined, I)).to.deep.equal({ [TAG_CLUSTER]: CLUSTER, [TAG_INSTANCE]: I });
    expect(ownershipTags(CLUSTER, "", I)).to.deep.equal({ [TAG_CLUSTER]: CLUSTER, [TAG_INSTANCE]: I });
  });

  it("names attachments after the node, or after the instance for a prewarm, and recognises both as the node's", () => {
    expect(attachmentDisplayName(CLUSTER, NODE)).to.equal(`ocipam:${CLUSTER}:${NODE}`);
    expect(attachmentDisplayName(CLUSTER, undefined, I)).to.equal(`ocipam:${CLUSTER}:instance:${I}`);
    expect(() => attachmentDisplayName(CLUSTER, undefined)).to.throw(TypeError);
    expect(isOwnAttachmentName(`ocipam:${CLUSTER}:${NODE}`, CLUSTER, NODE, I)).to.equal(true);
    expect(isOwnAttachmentName(`ocipam:${CLUSTER}:instance:${I}`, CLUSTER, NODE, I)).to.equal(true);
    expect(isOwnAttachmentName(`ocipam:${CLUSTER}:instance:${OTHER_I}`, CLUSTER, NODE, I)).to.equal(false);
    expect(isOwnAttachmentName(`ocipam:${CLUSTER}:other`, CLUSTER, NODE, I)).to.equal(false);
    expect(isOwnAttachmentName(`ocipam:${CLUSTER}:${NODE}`, CLUSTER, undefined, I)).to.equal(false);
    expect(isOwnAttachmentName(undefined, CLUSTER, NODE, I)).to.equal(false);
  });
});

describe("planner: adopting what a prewarm created on the node's instance", () => {
  const prewarmed = (count: number, third: number, instance: string) =>
    ownedIps(count, third).map((ip) => ({ ...ip, freeformTags: ownershipTags(CLUSTER, undefined, instance) }));

  it(
    "puts instance-tagged IPs of its own instance into the pool, tags them " +
      "with the node's name and creates nothing more",
    () => {
      const ips = prewarmed(8, 1, I);
      const plan = planNode(observed({ vnics: [primaryVnic(ips)] }));
      expect(plan.stats.available).to.equal(8);
      expect(plan.actions.map((a) => a.kind)).to.deep.equal(["writePool", "adoptObjects"]);
      const adopt = plan.actions[1]!.kind === "adoptObjects" ? plan.actions[1]! : undefined;
      expect(adopt?.privateIps.map((p) => p.privateIpId)).to.deep.equal(ips.map((ip) => ip.id));
      for (const p of adopt?.privateIps ?? []) expect(p.freeformTags).to.deep.equal(ownershipTags(CLUSTER, NODE, I));
      const pool = plan.actions[0]!.kind === "writePool" ? plan.actions[0]!.pool : {};
      expect(Object.keys(pool)).to.have.length(8);
    },
  );

  it("tags a secondary VNIC a prewarm attached with the node's name, keeping its other tags", () => {
    const vnic = secondaryVnic(1, prewarmed(2, 2, I), {
      freeformTags: { ...ownershipTags(CLUSTER, undefined, I), team: "a" },
      attachmentDisplayName: `ocipam:${CLUSTER}:instance:${I}`,
    });
    const plan = planNode(observed({ vnics: [primaryVnic(), vnic] }));
    const adopt = plan.actions.find((a) => a.kind === "adoptObjects");
    expect(adopt?.kind === "adoptObjects" ? adopt.vnics : []).to.deep.equal([
      { vnicId: vnic.vnicId, freeformTags: { ...ownershipTags(CLUSTER, NODE, I), team: "a" } },
    ]);
  });

  it("adopts nothing for a prewarm (no node yet) and nothing already tagged for the node", () => {
    const ips = ownedIps(8);
    expect(planNode(observed({ vnics: [primaryVnic(ips)] })).actions.map((a) => a.kind)).to.not.include("adoptObjects");
    const prewarmPlan = planNode(observed({ vnics: [primaryVnic(prewarmed(8, 1, I))] }, { name: "" }));
    expect(prewarmPlan.actions.map((a) => a.kind)).to.not.include("adoptObjects");
  });

  it("leaves out instance-tagged IPs of another instance and IPs tagged for another node", () => {
    const foreign = [...prewarmed(2, 1, OTHER_I), ...ownedIps(2, 1, 50, "other-node")];
    const plan = planNode(observed({ vnics: [primaryVnic(foreign)] }));
    expect(plan.stats.available).to.equal(0);
    expect(plan.stats.needed).to.equal(8);
  });

  it("uses a secondary VNIC a prewarm attached (instance tag, instance-named attachment) as the node's own", () => {
    const vnic = secondaryVnic(1, prewarmed(8, 2, I), {
      freeformTags: ownershipTags(CLUSTER, undefined, I),
      attachmentDisplayName: `ocipam:${CLUSTER}:instance:${I}`,
    });
    const plan = planNode(
      observed({ config: { ...observed().config, firstInterfaceIndex: 1 }, vnics: [primaryVnic(), vnic] }),
    );
    expect(plan.stats.available).to.equal(8);
    expect(plan.actions.filter((a) => a.kind === "attachVnic")).to.have.length(0);
  });

  it("waits for a prewarm's attachment still ATTACHING instead of attaching another VNIC", () => {
    const attaching = {
      ...secondaryVnic(1),
      attachmentState: "ATTACHING" as const,
      vnicId: undefined,
      freeformTags: {},
      privateIps: [],
      attachmentDisplayName: `ocipam:${CLUSTER}:instance:${I}`,
    };
    const plan = planNode(
      observed({ config: { ...observed().config, firstInterfaceIndex: 1 }, vnics: [primaryVnic(), attaching] }),
    );
    expect(plan.actions.map((a) => a.kind)).to.include("awaitAttachment");
    expect(plan.actions.filter((a) => a.kind === "attachVnic")).to.have.length(0);
  });
});
