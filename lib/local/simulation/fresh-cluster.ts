import { join } from "node:path";
import type { Scenario, ScenarioContext } from "./scenarios";
import { FRESH_NODE_TAINTS, ORDINARY_POD, placement, podPlacementFromManifest, UNTIL_CNI_READY, type SchedulingNode } from "./scheduling";

/** The watcher's real manifest: the scenario schedules what an operator would apply. */
export const WATCHER_MANIFEST = join(__dirname, "..", "..", "..", "infra", "kubernetes", "watcher", "deployment.yaml");

/** Simulated time after its join when the cloud controller manager has initialized a node (its taint goes). */
const CCM_INIT_SIM_MS = 5_000;
/** Workload pods per node, waiting from the start for a node they can run on; a node has room for that many. */
const PODS_PER_NODE = 10;
/** How long the scenario drives scheduling before settling. */
const RUN_SIM_MS = 180_000;

interface FreshNotes {
  /** Where the watcher started, and when (simulated ms); absent when its pod fitted no node. */
  watcher?: { node: string; atSimMs: number; readyNodesThen: number };
  /** Per node, why the watcher's pod did not fit (the last attempt). */
  watcherRefusals?: Record<string, string[]>;
  readyNodes: number;
  unscheduledPods: number;
}

const nodeName = (i: number) => `fresh-${String(i).padStart(3, "0")}`;

/** Writes the modelled taints to the Node object, so `kubectl describe node` in a local run shows them. */
function writeTaints(ctx: ScenarioContext, node: SchedulingNode): void {
  const ready = node.podNetworkReady ? "True" : "False";
  const patch = {
    spec: { taints: node.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })) },
    status: { conditions: [{ type: "Ready", status: ready, reason: node.podNetworkReady ? "KubeletReady" : "KubeletNotReady", message: node.podNetworkReady ? "kubelet is posting ready status" : "container runtime network not ready: cni plugin not initialized" }] },
  };
  ctx.pipeline.cluster.kube.store.patch("nodes", node.name, { spec: patch.spec });
  ctx.pipeline.cluster.kube.store.patch("nodes", node.name, { status: patch.status }, { subresource: "status" });
}

/**
 * A fresh cluster: every node registers NotReady with the taints of FRESH_NODE_TAINTS. Cilium's agent in crd mode
 * waits for a CiliumNode with at least one IP before the node's CNI is ready (Cilium docs, CRD-backed IPAM), so no
 * ordinary pod can start anywhere and the watcher is the only thing that can ask for IPs. The watcher is started only
 * if the pod template of its real manifest fits a node as it is (tolerations, hostNetwork); then nudges reach the
 * function, pools fill, each node's agent becomes ready (its taints go) and the waiting workload is scheduled there.
 */
export const freshCluster: Scenario = {
  name: "fresh-cluster",
  description: "every node joins NotReady and tainted; the watcher must start from its real manifest before any pod network exists; then the workload gets addresses",
  settings: () => ({ deferWatcher: true }),
  async run(ctx) {
    const { pipeline } = ctx;
    const watcherPod = podPlacementFromManifest(ctx.watcherManifest ?? WATCHER_MANIFEST);
    const notes: FreshNotes = { readyNodes: 0, unscheduledPods: ctx.nodes * PODS_PER_NODE };
    ctx.notes.fresh = notes;
    const nodes: Array<SchedulingNode & { joinedAtSimMs: number; placed: number }> = [];
    for (let i = 0; i < ctx.nodes; i++) {
      const name = nodeName(i);
      await pipeline.sim.joinNode(name);
      const node = { name, labels: { "kubernetes.io/os": "linux", "kubernetes.io/hostname": name }, taints: [...FRESH_NODE_TAINTS], podNetworkReady: false, joinedAtSimMs: pipeline.clock.nowMs(), placed: 0 };
      nodes.push(node);
      writeTaints(ctx, node);
      await pipeline.clock.sleep(500);
    }
    const deadline = pipeline.clock.nowMs() + RUN_SIM_MS;
    while (pipeline.clock.nowMs() < deadline) {
      for (const node of nodes) {
        let changed = false;
        if (pipeline.clock.nowMs() - node.joinedAtSimMs >= CCM_INIT_SIM_MS && node.taints.some((t) => t.key === "node.cloudprovider.kubernetes.io/uninitialized")) {
          node.taints = node.taints.filter((t) => t.key !== "node.cloudprovider.kubernetes.io/uninitialized");
          changed = true;
        }
        const pool = (pipeline.cluster.kube.store.get("ciliumnodes", node.name) as { spec?: { ipam?: { pool?: object } } } | undefined)?.spec?.ipam?.pool ?? {};
        if (!node.podNetworkReady && Object.keys(pool).length > 0) {
          // The agent's CNI is ready: the kubelet reports Ready (not-ready goes) and Cilium removes its own taint.
          node.podNetworkReady = true;
          node.taints = node.taints.filter((t) => !UNTIL_CNI_READY.has(t.key));
          notes.readyNodes++;
          changed = true;
        }
        if (changed) writeTaints(ctx, node);
      }
      if (!notes.watcher) {
        const refusals: Record<string, string[]> = {};
        const fit = nodes.find((n) => {
          const p = placement(watcherPod, n);
          if (!p.ok) refusals[n.name] = p.reasons;
          return p.ok;
        });
        if (fit) {
          notes.watcher = { node: fit.name, atSimMs: pipeline.clock.nowMs(), readyNodesThen: notes.readyNodes };
          delete notes.watcherRefusals;
          await pipeline.startWatcher();
        } else notes.watcherRefusals = refusals;
      }
      for (const node of nodes) {
        const count = Math.min(PODS_PER_NODE - node.placed, notes.unscheduledPods);
        if (count <= 0 || !placement(ORDINARY_POD, node).ok) continue;
        pipeline.sim.schedulePods(node.name, count);
        node.placed += count;
        notes.unscheduledPods -= count;
      }
      if (notes.unscheduledPods === 0 && notes.readyNodes === nodes.length) return;
      await pipeline.clock.sleep(1_000);
    }
  },
  checks(ctx) {
    const notes = ctx.notes.fresh as FreshNotes;
    const watcher = notes.watcher;
    const refusals = Object.entries(notes.watcherRefusals ?? {}).map(([n, r]) => `${n}: ${r.join("; ")}`).join(" | ");
    return [
      {
        property: "fresh-cluster: the watcher's manifest schedules on a NotReady, tainted node before any pod network exists",
        ok: !!watcher && watcher.readyNodesThen === 0,
        detail: watcher ? `started on ${watcher.node} at ${watcher.atSimMs / 1000} s with ${watcher.readyNodesThen} nodes Ready` : `no node fits the watcher's pod: ${refusals}`,
      },
      {
        property: "fresh-cluster: every node became Ready and the waiting workload was scheduled",
        ok: notes.readyNodes === ctx.nodes && notes.unscheduledPods === 0,
        detail: `${notes.readyNodes}/${ctx.nodes} nodes Ready, ${notes.unscheduledPods} pods still unscheduled`,
      },
    ];
  },
};
