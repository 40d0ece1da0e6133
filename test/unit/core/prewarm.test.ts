import { expect } from "chai";
import { planNode } from "../../../lib/core/planner";
import { prewarmCiliumNode, prewarmPlannerConfig, prewarmRefusal, toPrewarmPlan } from "../../../lib/core/prewarm";
import { config, observed, primaryVnic } from "./observed-fixture";

const C = "ocid1.compartment.oc1..c";
const base = {
  id: "ocid1.instance.oc1..w1",
  compartmentId: C,
  lifecycleState: "RUNNING",
  displayName: "pool1-node-3",
  freeformTags: { pool: "workers", team: "a" },
};
const filter = { compartmentIds: [C], instanceTags: {}, displayNamePattern: "" };

describe("prewarm: which launched instances are prepared", () => {
  const rows: Array<{
    why: string;
    instance?: Partial<typeof base>;
    filter?: Partial<typeof filter>;
    refused?: string;
  }> = [
    { why: "a running instance of a cluster compartment, with no filters" },
    { why: "it carries every required tag", filter: { instanceTags: { pool: "workers" } } },
    { why: "its display name matches the pattern", filter: { displayNamePattern: "^pool1-" } },
    {
      why: "it is in another compartment",
      instance: { compartmentId: "ocid1.compartment.oc1..other" },
      refused: "NotInClusterCompartment",
    },
    { why: "it is not running (yet)", instance: { lifecycleState: "PROVISIONING" }, refused: "InstanceNotRunning" },
    {
      why: "a required tag is missing",
      filter: { instanceTags: { pool: "workers", gpu: "yes" } },
      refused: "PrewarmTagsMismatch",
    },
    {
      why: "a required tag has another value",
      filter: { instanceTags: { pool: "db" } },
      refused: "PrewarmTagsMismatch",
    },
    {
      why: "its display name does not match",
      filter: { displayNamePattern: "^pool2-" },
      refused: "PrewarmNameMismatch",
    },
  ];
  for (const row of rows) {
    it(`${row.refused ? `refuses (${row.refused})` : "prepares"} an instance when ${row.why}`, () => {
      expect(prewarmRefusal({ ...base, ...row.instance }, { ...filter, ...row.filter })?.code).to.equal(row.refused);
    });
  }

  it("plans the pre-allocate IPs for an empty node view and keeps only OCI creates", () => {
    const o = observed(
      { config: prewarmPlannerConfig(config({ releaseExcessIps: true })), vnics: [primaryVnic()] },
      prewarmCiliumNode(8),
    );
    const plan = toPrewarmPlan(planNode(o));
    expect(o.config.releaseExcessIps).to.equal(false);
    expect(plan.actions.map((a) => a.kind)).to.deep.equal(["assignIps"]);
    expect(plan.actions[0]!.kind === "assignIps" && plan.actions[0]!.count).to.equal(8);
  });

  it("attaches a secondary VNIC first when first-interface-index is 1", () => {
    const o = observed(
      { config: prewarmPlannerConfig(config({ firstInterfaceIndex: 1 })), vnics: [primaryVnic()] },
      prewarmCiliumNode(8),
    );
    const plan = toPrewarmPlan(planNode(o));
    expect(plan.actions.map((a) => a.kind)).to.deep.equal(["attachVnic"]);
    expect(plan.actions[0]!.kind === "attachVnic" && plan.actions[0]!.thenAssign).to.equal(8);
  });
});
