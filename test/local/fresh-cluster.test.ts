import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { silentLogger } from "../../lib/log";
import { runLocal } from "../../lib/testbed/local/run-local";
import { WATCHER_MANIFEST } from "../../lib/testbed/local/simulation/fresh-cluster";
import { SCENARIOS } from "../../lib/testbed/local/simulation/scenarios";
import {
  FRESH_NODE_TAINTS,
  NO_POD_NETWORK,
  ORDINARY_POD,
  placement,
  podPlacementFromManifest,
  tolerates,
  type SchedulingNode,
  type Taint,
  type TaintEffect,
  type Toleration,
} from "../../lib/testbed/local/simulation/scheduling";

const freshNode: SchedulingNode = {
  name: "n",
  labels: { "kubernetes.io/os": "linux" },
  taints: [...FRESH_NODE_TAINTS],
  podNetworkReady: false,
};

/** A copy of the watcher manifest with `edit` applied to its pod template spec. */
function modifiedManifest(dir: string, edit: (spec: Record<string, unknown>) => void): string {
  type Workload = { kind: string; spec: { template: { spec: Record<string, unknown> } } };
  const docs = parseAllDocuments(readFileSync(WATCHER_MANIFEST, "utf8")).map((d) => d.toJS() as Workload);
  edit(docs.find((d) => d.kind === "Deployment")!.spec.template.spec);
  const path = join(dir, "deployment.yaml");
  writeFileSync(path, docs.map((d) => stringify(d)).join("---\n"));
  return path;
}

describe("fresh cluster: scheduling before any pod network exists", function () {
  this.timeout(120_000);

  describe("taints and tolerations (k8s.io/api core/v1 toleration.go ToleratesTaint)", () => {
    const exists = (key?: string, effect?: string): Toleration => ({
      ...(key ? { key } : {}),
      operator: "Exists",
      ...(effect ? { effect } : {}),
    });
    const taint = (key: string, effect: TaintEffect, value?: string): Taint => ({
      key,
      effect,
      ...(value ? { value } : {}),
    });
    const rows: Array<[string, Toleration, Taint, boolean]> = [
      ["Exists on the key matches any value and effect", exists("a"), taint("a", "NoExecute", "x"), true],
      ["Equal needs the same value", { key: "a", value: "x" }, taint("a", "NoSchedule", "y"), false],
      [
        "Equal with the same value matches",
        { key: "a", operator: "Equal", value: "x" },
        taint("a", "NoSchedule", "x"),
        true,
      ],
      ["an effect limits the match", exists("a", "NoSchedule"), taint("a", "NoExecute"), false],
      ["an empty key with Exists tolerates everything", exists(), taint("z", "NoExecute"), true],
      ["an empty key with Equal tolerates nothing", { value: "" }, taint("z", "NoSchedule"), false],
      ["another key never matches", exists("b"), taint("a", "NoSchedule"), false],
    ];
    for (const [name, toleration, t, expected] of rows) {
      it(name, () => expect(tolerates(toleration, t)).to.equal(expected));
    }
  });

  describe("placement on a node that has just joined", () => {
    it("keeps an ordinary pod off a NotReady node: untolerated taints and no pod network", () => {
      const p = placement(ORDINARY_POD, freshNode);
      expect(p.ok).to.equal(false);
      expect(p.reasons).to.include.members([
        "untolerated taint node.kubernetes.io/not-ready:NoSchedule",
        "untolerated taint node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule",
        "untolerated taint node.cilium.io/agent-not-ready=true:NoSchedule",
        "no pod network on the node yet (the CNI has no address to give)",
      ]);
      // DefaultTolerationSeconds tolerates not-ready:NoExecute for 300 s, so that taint alone does not block it.
      expect(p.reasons.join()).to.not.contain("NoExecute");
    });

    it("lets the watcher's real manifest run there: hostNetwork, taints tolerated, system-critical priority", () => {
      const watcher = podPlacementFromManifest(WATCHER_MANIFEST);
      expect(watcher).to.include({ hostNetwork: true, priorityClassName: "system-cluster-critical" });
      expect(placement(watcher, freshNode)).to.deep.equal({ ok: true, reasons: [] });
    });

    it("refuses the watcher without hostNetwork while no node has pod networking", () => {
      const dir = mkdtempSync(join(tmpdir(), "fresh-"));
      try {
        const pod = podPlacementFromManifest(modifiedManifest(dir, (spec) => delete spec.hostNetwork));
        expect(placement(pod, freshNode).reasons).to.deep.equal([NO_POD_NETWORK]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("the fresh-cluster scenario of ocipam local", () => {
    // The passing run ends as soon as the workload is placed, so a slower time scale only buys headroom against real
    // CPU time (the function's cold start); the failing run waits out the scenario, so it runs faster.
    const run = (watcherManifest?: string) =>
      runLocal({
        scenario: "fresh-cluster",
        nodes: 2,
        shape: "VM.Standard.E4.Flex",
        ocpus: 2,
        seed: 1,
        timeScale: watcherManifest ? 0.03 : 0.1,
        log: silentLogger(),
        settleSimMs: 40_000,
        ...(watcherManifest ? { watcherManifest } : {}),
      });

    it("is offered by ocipam local --scenario", () => {
      expect(Object.keys(SCENARIOS)).to.include("fresh-cluster");
    });

    it("passes with the shipped manifest: the watcher starts on a NotReady node, then pods get addresses", async () => {
      const report = await run();
      expect(
        report.safety.filter((c) => !c.ok),
        JSON.stringify(report.safety),
      ).to.deep.equal([]);
      const watcher = report.safety.find((c) => c.property.startsWith("fresh-cluster: the watcher"))!;
      expect(watcher.detail).to.match(/with 0 nodes Ready/);
      expect(report.perNode.map((n) => n.pods)).to.deep.equal([10, 10]);
      expect(report.perNode.every((n) => n.used >= 10 && n.pool - n.used >= 8)).to.equal(true);
      expect(report.ok).to.equal(true);
    });

    it("fails when the watcher's tolerations are removed: nothing asks for IPs and no node becomes Ready", async () => {
      const dir = mkdtempSync(join(tmpdir(), "fresh-"));
      try {
        const report = await run(modifiedManifest(dir, (spec) => delete spec.tolerations));
        const watcher = report.safety.find((c) => c.property.startsWith("fresh-cluster: the watcher"))!;
        expect(watcher.ok).to.equal(false);
        expect(watcher.detail).to.contain("untolerated taint node.kubernetes.io/not-ready:NoSchedule");
        expect(report.safety.find((c) => c.property.startsWith("fresh-cluster: every node"))!.ok).to.equal(false);
        expect(report.nudgesPublished).to.equal(0);
        expect(report.ok).to.equal(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
