import { join } from "node:path";
import type { Scenario, ScenarioContext } from "./scenarios";
import {
  FRESH_NODE_TAINTS,
  ORDINARY_POD,
  placement,
  podPlacementFromManifest,
  UNTIL_CNI_READY,
  type PodPlacement,
  type SchedulingNode,
} from "./scheduling";

/** The watcher's real manifest: the scenario schedules what an operator would apply. */
export const WATCHER_MANIFEST = join(
  __dirname,
  "..",
  "..",
  "..",
  "..",
  "infra",
  "kubernetes",
  "watcher",
  "deployment.yaml",
);

/** Simulated time after its join when the cloud controller manager has initialized a node (its taint goes). */
const CCM_INIT_SIM_MS = 5_000;
/** Workload pods per node, waiting from the start for a node they can run on; a node has room for that many. */
const PODS_PER_NODE = 10;
/** How long the scenario drives scheduling before settling (it ends sooner once everything is placed). */
const RUN_SIM_MS = 180_000;
const UNINITIALIZED = "node.cloudprovider.kubernetes.io/uninitialized";
const WATCHER_PROPERTY =
  "fresh-cluster: the watcher's manifest schedules on a NotReady, tainted node before any pod network exists";

interface FreshNotes {
  /** Where the watcher started, and when (simulated ms); absent when its pod fitted no node. */
  watcher?: { node: string; atSimMs: number; readyNodesThen: number };
  /** Per node, why the watcher's pod did not fit (the last attempt). */
  watcherRefusals?: Record<string, string[]>;
  readyNodes: number;
  unscheduledPods: number;
}

type FreshNode = SchedulingNode & { joinedAtSimMs: number; placed: number };

const nodeName = (i: number) => `fresh-${String(i).padStart(3, "0")}`;

/** Writes the modelled taints and Ready condition to the Node object (what `kubectl describe node` would show). */
function writeNode(ctx: ScenarioContext, node: SchedulingNode): void {
  const store = ctx.pipeline.cluster.kube.store;
  const taints = node.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect }));
  const notReady = "container runtime network not ready: cni plugin not initialized";
  const ready = node.podNetworkReady
    ? { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" }
    : { type: "Ready", status: "False", reason: "KubeletNotReady", message: notReady };
  store.patch("nodes", node.name, { spec: { taints } });
  store.patch("nodes", node.name, { status: { conditions: [ready] } }, { subresource: "status" });
}

/**
 * One simulated second of the node's life: the cloud controller manager initializes it after CCM_INIT_SIM_MS, and
 * once its CiliumNode holds an IP its agent's CNI is ready: the kubelet reports Ready (not-ready goes) and Cilium
 * removes its own taint. True when something changed.
 */
function advance(ctx: ScenarioContext, node: FreshNode, notes: FreshNotes): boolean {
  let changed = false;
  const initialized = ctx.pipeline.clock.nowMs() - node.joinedAtSimMs >= CCM_INIT_SIM_MS;
  if (initialized && node.taints.some((t) => t.key === UNINITIALIZED)) {
    node.taints = node.taints.filter((t) => t.key !== UNINITIALIZED);
    changed = true;
  }
  type PoolView = { spec?: { ipam?: { pool?: object } } } | undefined;
  const pool = (ctx.pipeline.cluster.kube.store.get("ciliumnodes", node.name) as PoolView)?.spec?.ipam?.pool ?? {};
  if (!node.podNetworkReady && Object.keys(pool).length > 0) {
    node.podNetworkReady = true;
    node.taints = node.taints.filter((t) => !UNTIL_CNI_READY.has(t.key));
    notes.readyNodes++;
    changed = true;
  }
  return changed;
}

/** Starts the watcher on the first node its pod fits; records why it fits none otherwise. */
async function tryStartWatcher(ctx: ScenarioContext, pod: PodPlacement, nodes: FreshNode[], notes: FreshNotes) {
  const refusals: Record<string, string[]> = {};
  const fit = nodes.find((n) => {
    const p = placement(pod, n);
    if (!p.ok) refusals[n.name] = p.reasons;
    return p.ok;
  });
  if (!fit) {
    notes.watcherRefusals = refusals;
    return;
  }
  notes.watcher = { node: fit.name, atSimMs: ctx.pipeline.clock.nowMs(), readyNodesThen: notes.readyNodes };
  delete notes.watcherRefusals;
  await ctx.pipeline.startWatcher();
}

/** The scheduler places waiting workload pods on nodes an ordinary pod fits, up to each node's room. */
function scheduleWorkload(ctx: ScenarioContext, nodes: FreshNode[], notes: FreshNotes): void {
  for (const node of nodes) {
    const count = Math.min(PODS_PER_NODE - node.placed, notes.unscheduledPods);
    if (count <= 0 || !placement(ORDINARY_POD, node).ok) continue;
    ctx.pipeline.sim.schedulePods(node.name, count);
    node.placed += count;
    notes.unscheduledPods -= count;
  }
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
  description:
    "every node joins NotReady and tainted; the watcher must start from its real manifest before any pod network " +
    "exists; then the workload gets addresses",
  settings: () => ({ deferWatcher: true }),
  async run(ctx) {
    const { pipeline } = ctx;
    const watcherPod = podPlacementFromManifest(ctx.watcherManifest ?? WATCHER_MANIFEST);
    const notes: FreshNotes = { readyNodes: 0, unscheduledPods: ctx.nodes * PODS_PER_NODE };
    ctx.notes.fresh = notes;
    const nodes: FreshNode[] = [];
    for (let i = 0; i < ctx.nodes; i++) {
      const name = nodeName(i);
      await pipeline.sim.joinNode(name);
      const labels = { "kubernetes.io/os": "linux", "kubernetes.io/hostname": name };
      const joinedAtSimMs = pipeline.clock.nowMs();
      const taints = [...FRESH_NODE_TAINTS];
      const node: FreshNode = { name, labels, taints, podNetworkReady: false, joinedAtSimMs, placed: 0 };
      nodes.push(node);
      writeNode(ctx, node);
      await pipeline.clock.sleep(500);
    }
    const deadline = pipeline.clock.nowMs() + RUN_SIM_MS;
    while (pipeline.clock.nowMs() < deadline) {
      for (const node of nodes) if (advance(ctx, node, notes)) writeNode(ctx, node);
      if (!notes.watcher) await tryStartWatcher(ctx, watcherPod, nodes, notes);
      scheduleWorkload(ctx, nodes, notes);
      if (notes.unscheduledPods === 0 && notes.readyNodes === nodes.length) return;
      await pipeline.clock.sleep(1_000);
    }
  },
  checks(ctx) {
    const notes = ctx.notes.fresh as FreshNotes;
    const w = notes.watcher;
    const refusals = Object.entries(notes.watcherRefusals ?? {})
      .map(([n, r]) => `${n}: ${r.join("; ")}`)
      .join(" | ");
    return [
      {
        property: WATCHER_PROPERTY,
        ok: !!w && w.readyNodesThen === 0,
        detail: w
          ? `started on ${w.node} at ${w.atSimMs / 1000} s with ${w.readyNodesThen} nodes Ready`
          : `no node fits the watcher's pod: ${refusals}`,
      },
      {
        property: "fresh-cluster: every node became Ready and the waiting workload was scheduled",
        ok: notes.readyNodes === ctx.nodes && notes.unscheduledPods === 0,
        detail: `${notes.readyNodes}/${ctx.nodes} nodes Ready, ${notes.unscheduledPods} pods still unscheduled`,
      },
    ];
  },
};
