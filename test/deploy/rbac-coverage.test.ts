import { expect } from "chai";
import { join } from "node:path";
import { checkRbac, readRbac } from "./rbac-coverage";
import { COMPONENT_FILES, filesCallingTheApi, kubeUses, NOT_DEPLOYED, type Component } from "./rbac-uses";

const REPO = join(__dirname, "..", "..");
const RBAC = join(REPO, "infra", "kubernetes", "rbac");
const ACCOUNTS: Record<Component, string> = {
  "ocipam-allocator": "ocipam-system/ocipam-allocator",
  "ocipam-watcher": "ocipam-system/ocipam-watcher",
  "ocipam-node-agent": "ocipam-system/ocipam-node-agent",
};

type Doc = ReturnType<typeof readRbac>[number];
/** The manifests with `change` applied to a deep copy. */
function mutated(change: (docs: Doc[]) => void): Doc[] {
  const docs = structuredClone(readRbac(RBAC));
  change(docs);
  return docs;
}
const role = (docs: Doc[], kind: string, name: string) =>
  docs.find((d) => d.kind === kind && d.metadata?.name === name)!;
const rule = (docs: Doc[], kind: string, name: string, resource: string) =>
  role(docs, kind, name).rules!.find((r) => r.resources?.includes(resource))!;

describe("Kubernetes RBAC against the API calls the code makes, per ServiceAccount", function () {
  this.timeout(30_000);
  const uses = kubeUses(REPO);

  it("grants each ServiceAccount exactly the verbs, resources and namespaces its code uses", () => {
    expect(checkRbac(readRbac(RBAC), uses, ACCOUNTS)).to.deep.equal([]);
    // The derivation sees the calls that matter (a reader that found nothing would pass the check above).
    const seen = uses.map((u) => `${u.component} ${u.verb} ${u.resource}${u.namespace ? ` @${u.namespace}` : ""}`);
    expect(seen).to.include.members([
      "ocipam-allocator patch ciliumnodes/status",
      "ocipam-allocator list pods @*",
      "ocipam-allocator create events @default",
      "ocipam-allocator delete leases @ocipam-system",
      "ocipam-allocator update configmaps @ocipam-system",
      "ocipam-watcher watch ciliumnodes",
      "ocipam-watcher update leases @ocipam-system",
      "ocipam-node-agent watch ciliumnodes",
      "ocipam-node-agent get configmaps @kube-system",
    ]);
  });

  it("reads every file that calls the Kubernetes API, or says why it belongs to no ServiceAccount", () => {
    const assigned = new Set([...Object.values(COMPONENT_FILES).flat(), ...Object.keys(NOT_DEPLOYED)]);
    expect(filesCallingTheApi(REPO, ["lib", "events", "functions"]).filter((f) => !assigned.has(f))).to.deep.equal([]);
  });

  const cases: Array<{ name: string; change: (d: Doc[]) => void; expected: string }> = [
    {
      name: "a verb nothing uses (watch on ciliumnodes for the allocator)",
      change: (d) => rule(d, "ClusterRole", "ocipam-allocator", "ciliumnodes").verbs!.push("watch"),
      expected:
        "ocipam-system/ocipam-allocator: watch cilium.io/ciliumnodes" +
        " (ClusterRole/ocipam-allocator via ClusterRoleBinding/ocipam-allocator) is used by no code",
    },
    {
      name: "a use nothing grants (no patch on ciliumnodes/status)",
      change: (d) => (rule(d, "ClusterRole", "ocipam-allocator", "ciliumnodes/status").verbs = ["get"]),
      expected:
        "ocipam-system/ocipam-allocator: patch cilium.io/ciliumnodes/status" +
        " at lib/adapters/kube/cilium-nodes.ts is granted by no rule",
    },
    {
      name: "events granted in a namespace the adapter does not write to",
      change: (d) => {
        role(d, "Role", "ocipam-allocator-events").metadata!.namespace = "ocipam-system";
        role(d, "RoleBinding", "ocipam-allocator-events").metadata!.namespace = "ocipam-system";
      },
      expected:
        "ocipam-system/ocipam-allocator: create core/events in default at lib/adapters/kube/events.ts" +
        " is granted by no rule",
    },
    {
      name: "events granted in every namespace",
      change: (d) =>
        role(d, "ClusterRole", "ocipam-allocator").rules!.push({
          apiGroups: [""],
          resources: ["events"],
          verbs: ["create"],
        }),
      expected:
        "ocipam-system/ocipam-allocator: create core/events" +
        " (ClusterRole/ocipam-allocator via ClusterRoleBinding/ocipam-allocator)" +
        " is granted in every namespace but used only in default",
    },
    {
      name: "the marks ConfigMap granted under another name",
      change: (d) =>
        (role(d, "Role", "ocipam-allocator-locks").rules!.find((r) => r.resourceNames)!.resourceNames = [
          "ocipam-marks",
        ]),
      expected:
        "ocipam-system/ocipam-allocator: get core/configmaps in ocipam-system (ocipam-leak-marks)" +
        " at lib/adapters/kube/configmap-leak-marks.ts is granted by no rule",
    },
    {
      name: "leases delete removed from the allocator (release and expired-Lease clean-up use it)",
      change: (d) => (rule(d, "Role", "ocipam-allocator-locks", "leases").verbs = ["get", "list", "create", "update"]),
      expected:
        "ocipam-system/ocipam-allocator: delete coordination.k8s.io/leases in ocipam-system" +
        " at lib/adapters/kube/lease-locks.ts is granted by no rule",
    },
    {
      name: "the node agent bound to another account",
      change: (d) => (role(d, "ClusterRoleBinding", "ocipam-node-agent").subjects![0]!.name = "default"),
      expected:
        "ocipam-system/ocipam-node-agent: list cilium.io/ciliumnodes" +
        " at lib/node-agent/adapters/kube-pool-source.ts is granted by no rule",
    },
  ];
  for (const c of cases) {
    it(`fails on ${c.name}`, () => {
      // Line numbers of call sites move as the code changes: compare without them.
      const problems = checkRbac(mutated(c.change), uses, ACCOUNTS).map((p) => p.replace(/(\.ts):\d+ /, "$1 "));
      expect(problems, problems.join("\n")).to.include(c.expected);
    });
  }
});
