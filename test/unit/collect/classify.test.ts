import { expect } from "chai";
import { classify, instancesToRead, vnicCandidates } from "../../../lib/collect/classify";
import type { CollectorSnapshot, SeenAttachment, SeenPrivateIp } from "../../../lib/collect/model";
import { TAG_CLUSTER, TAG_INSTANCE, TAG_NODE } from "../../../lib/core/ownership";

const C = "c1";
const NOW = "2026-11-28T12:00:00.000Z";
const I_NODE = "ocid1.instance.oc1..node-a";
const I_PREWARM = "ocid1.instance.oc1..young";
const I_OLD = "ocid1.instance.oc1..old";
const I_STRAY = "ocid1.instance.oc1..stray";

const ip = (
  id: string,
  ipAddress: string,
  tags: Record<string, string>,
  extra: Partial<SeenPrivateIp> = {},
): SeenPrivateIp => ({
  id,
  ipAddress,
  vnicId: "vnic-a",
  subnetId: "s",
  isPrimary: false,
  freeformTags: tags,
  ...extra,
});

function snapshot(overrides: Partial<CollectorSnapshot> = {}): CollectorSnapshot {
  return {
    now: NOW,
    cluster: C,
    prewarmEnabled: true,
    joinTimeoutSeconds: 900,
    privateIps: [],
    attachments: [
      { id: "att-a", instanceId: I_NODE, vnicId: "vnic-a", displayName: "node-a-primary", lifecycleState: "ATTACHED" },
      {
        id: "att-stray",
        instanceId: I_STRAY,
        vnicId: "vnic-stray",
        displayName: `ocipam:${C}:gone-node`,
        lifecycleState: "ATTACHED",
      },
    ],
    vnics: {
      "vnic-stray": {
        id: "vnic-stray",
        isPrimary: false,
        freeformTags: { [TAG_CLUSTER]: C, [TAG_NODE]: "gone-node", [TAG_INSTANCE]: I_STRAY },
      },
    },
    instances: {
      [I_PREWARM]: { lifecycleState: "RUNNING", timeCreated: "2026-11-28T11:55:00.000Z" },
      [I_OLD]: { lifecycleState: "RUNNING", timeCreated: "2026-11-28T10:00:00.000Z" },
      [I_STRAY]: { lifecycleState: "RUNNING", timeCreated: "2026-11-27T10:00:00.000Z" },
    },
    view: {
      nodes: [
        { name: "node-a", instanceId: I_NODE },
        { name: "node-joining", instanceId: "ocid1.instance.oc1..joining" },
      ],
      ciliumNodes: [{ name: "node-a", pool: ["10.0.1.10"], used: ["10.0.1.11"], inHandshake: ["10.0.1.12"] }],
    },
    ...overrides,
  };
}

describe("leak collection: which allocator objects are orphans", () => {
  const rows: Array<{
    why: string;
    ip: SeenPrivateIp;
    verdict: "healthy" | "foreign" | "none" | string;
    snap?: Partial<CollectorSnapshot>;
  }> = [
    {
      why: "it is in its node's pool",
      ip: ip("p1", "10.0.1.10", { [TAG_CLUSTER]: C, [TAG_NODE]: "node-a" }),
      verdict: "healthy",
    },
    {
      why: "it is in status.ipam.used (never touched, even if not in the pool)",
      ip: ip("p2", "10.0.1.11", { [TAG_CLUSTER]: C, [TAG_NODE]: "node-a" }),
      verdict: "kept:InUse",
    },
    {
      why: "it is in the release handshake",
      ip: ip("p3", "10.0.1.12", { [TAG_CLUSTER]: C, [TAG_NODE]: "node-a" }),
      verdict: "kept:InReleaseHandshake",
    },
    {
      why: "its node's CiliumNode exists but the pool lacks it",
      ip: ip("p4", "10.0.1.13", { [TAG_CLUSTER]: C, [TAG_NODE]: "node-a" }),
      verdict: "orphan:NotInPool",
    },
    {
      why: "its node has neither Node nor CiliumNode",
      ip: ip("p5", "10.0.1.14", { [TAG_CLUSTER]: C, [TAG_NODE]: "gone-node", [TAG_INSTANCE]: I_OLD }),
      verdict: "orphan:NodeGone",
    },
    {
      why: "its node exists without a CiliumNode yet",
      ip: ip("p6", "10.0.1.15", { [TAG_CLUSTER]: C, [TAG_NODE]: "node-joining" }),
      verdict: "kept:AwaitingCiliumNode",
    },
    {
      why: "a prewarm's IP, instance young and running with no Node",
      ip: ip("p7", "10.0.1.16", { [TAG_CLUSTER]: C, [TAG_INSTANCE]: I_PREWARM }),
      verdict: "kept:PrewarmInProgress",
    },
    {
      why: "a prewarm's IP, instance past the join timeout",
      ip: ip("p8", "10.0.1.17", { [TAG_CLUSTER]: C, [TAG_INSTANCE]: I_OLD }),
      verdict: "orphan:PrewarmNotJoined",
    },
    {
      why: "a prewarm's IP whose instance is gone",
      ip: ip("p9", "10.0.1.18", { [TAG_CLUSTER]: C, [TAG_INSTANCE]: "ocid1.instance.oc1..vanished" }),
      verdict: "orphan:PrewarmNotJoined",
      snap: { instances: { "ocid1.instance.oc1..vanished": "gone" } },
    },
    {
      why: "a prewarm's IP adopted by the node that joined on its instance",
      ip: ip("p10", "10.0.1.10", { [TAG_CLUSTER]: C, [TAG_INSTANCE]: I_NODE }),
      verdict: "healthy",
    },
    {
      why: "a prewarm's IP on a joined node, not in the pool",
      ip: ip("p11", "10.0.1.19", { [TAG_CLUSTER]: C, [TAG_INSTANCE]: I_NODE }),
      verdict: "orphan:NotInPool",
    },
    {
      why: "a gone node's IP on a young running instance while prewarm is on",
      ip: ip("p12", "10.0.1.20", { [TAG_CLUSTER]: C, [TAG_NODE]: "gone-node", [TAG_INSTANCE]: I_PREWARM }),
      verdict: "kept:PrewarmInProgress",
    },
    {
      why: "a gone node's IP on a young instance with prewarm off",
      ip: ip("p13", "10.0.1.21", { [TAG_CLUSTER]: C, [TAG_NODE]: "gone-node", [TAG_INSTANCE]: I_PREWARM }),
      verdict: "orphan:NodeGone",
      snap: { prewarmEnabled: false },
    },
    {
      why: "it carries the cluster tag but no owner",
      ip: ip("p14", "10.0.1.22", { [TAG_CLUSTER]: C }),
      verdict: "kept:NoOwnerTag",
    },
    { why: "it is untagged", ip: ip("p15", "10.0.1.23", {}), verdict: "foreign" },
    {
      why: "it is another cluster's",
      ip: ip("p16", "10.0.1.24", { [TAG_CLUSTER]: "c2", [TAG_NODE]: "gone-node" }),
      verdict: "foreign",
    },
    {
      why: "it is a primary IP, whatever its tags",
      ip: ip("p17", "10.0.1.25", { [TAG_CLUSTER]: C, [TAG_NODE]: "gone-node" }, { isPrimary: true }),
      verdict: "none",
    },
    {
      why: "it is a /28 block whose 12th address is used, on a gone node",
      ip: ip(
        "b1",
        "10.0.1.0",
        { [TAG_CLUSTER]: C, [TAG_NODE]: "gone-node", [TAG_INSTANCE]: I_OLD },
        { cidrPrefixLength: 28 },
      ),
      verdict: "kept:InUse",
    },
    {
      why: "it is a block of an existing node none of whose addresses is offered (held on purpose)",
      ip: ip("b3", "10.0.1.32", { [TAG_CLUSTER]: C, [TAG_NODE]: "node-a" }, { cidrPrefixLength: 28 }),
      verdict: "healthy",
    },
    {
      why: "it is a block of a gone node none of whose addresses is used",
      ip: ip(
        "b4",
        "10.0.1.32",
        { [TAG_CLUSTER]: C, [TAG_NODE]: "gone-node", [TAG_INSTANCE]: I_OLD },
        { cidrPrefixLength: 28 },
      ),
      verdict: "orphan:NodeGone",
    },
  ];
  for (const row of rows) {
    it(
      `${row.verdict === "healthy" ? "leaves healthy" : row.verdict === "foreign" ? "never looks further at" : row.verdict === "none" ? "ignores" : row.verdict.startsWith("kept") ? `keeps (${row.verdict.slice(5)})` : `finds orphaned (${row.verdict.slice(7)})`} ` +
        `an IP when ${row.why}`,
      () => {
        const base = snapshot(row.snap);
        const c = classify({
          ...base,
          instances: { ...snapshot().instances, ...base.instances },
          privateIps: [row.ip],
        });
        const orphan = c.orphans.find((o) => o.id === row.ip.id);
        const kept = c.kept.find((k) => k.id === row.ip.id);
        if (row.verdict === "healthy") expect(c.healthy, JSON.stringify(c)).to.equal(1);
        else if (row.verdict === "foreign") expect(c.foreign).to.equal(1);
        else if (row.verdict === "none") expect([orphan, kept, c.foreign]).to.deep.equal([undefined, undefined, 0]);
        else if (row.verdict.startsWith("kept"))
          expect(kept?.reason.code, JSON.stringify(c)).to.equal(row.verdict.slice(5));
        else expect(orphan?.reason.code, JSON.stringify(c)).to.equal(row.verdict.slice(7));
        if (!row.verdict.startsWith("orphan")) expect(orphan).to.equal(undefined);
      },
    );
  }

  const vnicRows: Array<{ why: string; change: (s: CollectorSnapshot) => void; verdict: string }> = [
    {
      why: "the allocator attached it to a running instance no Node names",
      change: () => undefined,
      verdict: "orphan:InstanceNotANode",
    },
    {
      why: "its instance is stopped (left alone)",
      change: (s) => (s.instances[I_STRAY] = { lifecycleState: "STOPPED" }),
      verdict: "kept:InstanceNotRunning",
    },
    {
      why: "its instance is gone (OCI cleans up)",
      change: (s) => (s.instances[I_STRAY] = "gone"),
      verdict: "kept:InstanceNotRunning",
    },
    {
      why: "a prewarm is in progress on its instance",
      change: (s) => (s.instances[I_STRAY] = { lifecycleState: "RUNNING", timeCreated: "2026-11-28T11:59:00.000Z" }),
      verdict: "kept:PrewarmInProgress",
    },
    {
      why: "one of its IPs is in use somewhere",
      change: (s) => s.privateIps.push(ip("used", "10.0.1.11", {}, { vnicId: "vnic-stray" })),
      verdict: "kept:InUse",
    },
    {
      why: "its tags are another cluster's",
      change: (s) => (s.vnics["vnic-stray"]!.freeformTags = { [TAG_CLUSTER]: "c2" }),
      verdict: "kept:NotOwned",
    },
    { why: "it is a primary VNIC", change: (s) => (s.vnics["vnic-stray"]!.isPrimary = true), verdict: "kept:NotOwned" },
    {
      why: "its instance is the cluster node it was attached for",
      change: (s) => s.view.nodes.push({ name: "gone-node", instanceId: I_STRAY }),
      verdict: "healthy",
    },
    {
      why: "its instance is a node under another name now and the node it was attached for is gone",
      change: (s) => s.view.nodes.push({ name: "back", instanceId: I_STRAY }),
      verdict: "orphan",
    },
    { why: "it is still ATTACHING", change: (s) => (s.attachments[1]!.lifecycleState = "ATTACHING"), verdict: "none" },
    {
      why: "somebody else attached it (display name)",
      change: (s) => (s.attachments[1]!.displayName = "storage"),
      verdict: "none",
    },
  ];
  for (const row of vnicRows) {
    it(
      `${row.verdict.startsWith("orphan") ? "finds orphaned" : row.verdict.startsWith("kept") ? `keeps (${row.verdict.slice(5)})` : "does not consider"} ` +
        `a VNIC when ${row.why}`,
      () => {
        const s = snapshot();
        s.attachments = s.attachments.map((a) => ({ ...a }));
        s.vnics = {
          "vnic-stray": { ...s.vnics["vnic-stray"]!, freeformTags: { ...s.vnics["vnic-stray"]!.freeformTags } },
        };
        s.view = { nodes: [...s.view.nodes], ciliumNodes: s.view.ciliumNodes };
        s.instances = { ...s.instances };
        s.privateIps = [];
        row.change(s);
        const c = classify(s);
        const orphan = c.orphans.find((o) => o.id === "att-stray");
        const kept = c.kept.find((k) => k.id === "att-stray");
        if (row.verdict.startsWith("orphan"))
          expect(orphan).to.deep.include({
            kind: "vnic",
            vnicId: "vnic-stray",
            instanceId: I_STRAY,
            node: "gone-node",
          });
        else if (row.verdict.startsWith("kept")) expect(kept?.reason.code).to.equal(row.verdict.slice(5));
        else expect([orphan, kept]).to.deep.equal([undefined, undefined]);
        if (!row.verdict.startsWith("orphan")) expect(orphan).to.equal(undefined);
      },
    );
  }

  it(
    "reads only the instances whose owner is in question, and only " + "allocator VNICs of instances that are no Node",
    () => {
      const s = snapshot({
        privateIps: [
          ip("a", "10.0.1.10", { [TAG_CLUSTER]: C, [TAG_NODE]: "node-a", [TAG_INSTANCE]: I_NODE }),
          ip("b", "10.0.1.30", { [TAG_CLUSTER]: C, [TAG_INSTANCE]: I_PREWARM }, { vnicId: "vnic-x" }),
          ip(
            "c",
            "10.0.1.31",
            { [TAG_CLUSTER]: C, [TAG_NODE]: "gone-node", [TAG_INSTANCE]: I_OLD },
            { vnicId: "vnic-y" },
          ),
          ip(
            "d",
            "10.0.1.32",
            { [TAG_CLUSTER]: "c2", [TAG_INSTANCE]: "ocid1.instance.oc1..foreign" },
            { vnicId: "vnic-z" },
          ),
        ],
      });
      const attachments: SeenAttachment[] = s.attachments;
      expect(vnicCandidates({ attachments, cluster: C, view: s.view }).map((a) => a.id)).to.deep.equal(["att-stray"]);
      expect(instancesToRead(s)).to.deep.equal([I_OLD, I_STRAY, I_PREWARM].sort());
      expect(instancesToRead({ ...s, prewarmEnabled: false })).to.deep.equal([I_STRAY]);
    },
  );
});

describe("leak collection: VNICs and IPs of nodes that left their instance under another name", () => {
  // The kubelet re-registered as node-a on the instance that was "renamed-away": the old name has no Node or
  // CiliumNode.
  const renamed = snapshot({
    attachments: [
      { id: "att-a", instanceId: I_NODE, vnicId: "vnic-a", displayName: "node-a-primary", lifecycleState: "ATTACHED" },
      {
        id: "att-old",
        instanceId: I_NODE,
        vnicId: "vnic-old",
        displayName: `ocipam:${C}:renamed-away`,
        lifecycleState: "ATTACHED",
      },
      {
        id: "att-mine",
        instanceId: I_NODE,
        vnicId: "vnic-mine",
        displayName: `ocipam:${C}:node-a`,
        lifecycleState: "ATTACHED",
      },
    ],
    vnics: {
      "vnic-old": {
        id: "vnic-old",
        isPrimary: false,
        freeformTags: { [TAG_CLUSTER]: C, [TAG_NODE]: "renamed-away", [TAG_INSTANCE]: I_NODE },
      },
      "vnic-mine": {
        id: "vnic-mine",
        isPrimary: false,
        freeformTags: { [TAG_CLUSTER]: C, [TAG_NODE]: "node-a", [TAG_INSTANCE]: I_NODE },
      },
    },
  });

  it("reads the VNIC attached for the old name, and not the current node's own", () => {
    expect(vnicCandidates(renamed).map((a) => a.id)).to.deep.equal(["att-old"]);
  });

  it("finds the old name's VNIC orphaned (NodeGone), and leaves the current node's VNIC healthy", () => {
    const out = classify(renamed);
    expect(out.orphans.filter((o) => o.kind === "vnic").map((o) => [o.id, o.reason.code, o.node])).to.deep.equal([
      ["att-old", "NodeGone", "renamed-away"],
    ]);
  });

  it("keeps the old name's VNIC while any of its IPs is in use", () => {
    const used = {
      ...renamed,
      privateIps: [ip("u1", "10.0.1.11", { [TAG_CLUSTER]: C, [TAG_NODE]: "renamed-away" }, { vnicId: "vnic-old" })],
    };
    const out = classify(used);
    expect(out.orphans.filter((o) => o.kind === "vnic")).to.deep.equal([]);
    expect(out.kept.filter((k) => k.kind === "vnic").map((k) => k.reason.code)).to.deep.equal(["InUse"]);
  });

  it("keeps a prewarm's IP on an instance two Nodes name: its owner is not known", () => {
    const contested = snapshot({
      privateIps: [ip("w1", "10.0.1.30", { [TAG_CLUSTER]: C, [TAG_INSTANCE]: I_NODE })],
      view: {
        nodes: [
          { name: "node-a", instanceId: I_NODE },
          { name: "node-a-stale", instanceId: I_NODE },
        ],
        ciliumNodes: [{ name: "node-a", pool: [], used: [], inHandshake: [] }],
      },
    });
    expect(classify(contested).kept.map((k) => k.reason.code)).to.include("InstanceNamedByTwoNodes");
  });
});
