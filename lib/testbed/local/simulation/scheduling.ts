import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { InvalidInputError } from "../../../errors";

/**
 * The part of kube-scheduler and the kubelet that decides whether a pod can start on a node of a fresh cluster:
 * taints against tolerations, the node selector, and whether the pod needs a pod network the node does not have yet.
 * Pure, so a manifest regression (a toleration dropped, hostNetwork removed) fails a table test and the
 * `fresh-cluster` scenario.
 */
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface Toleration {
  key?: string;
  /** "Equal" (the default) or "Exists". */
  operator?: string;
  value?: string;
  /** Empty matches every effect. */
  effect?: string;
  tolerationSeconds?: number;
}

/** What of a pod template decides where it can start. */
export interface PodPlacement {
  hostNetwork: boolean;
  tolerations: Toleration[];
  nodeSelector: Record<string, string>;
  priorityClassName?: string;
}

export interface SchedulingNode {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** The node's CNI can give a pod an address (Cilium in crd mode: its CiliumNode holds at least one IP). */
  podNetworkReady: boolean;
}

/**
 * Taints of a node that has just registered on a cluster whose CNI is Cilium in crd mode
 * - node.kubernetes.io/not-ready, NoSchedule (TaintNodesByCondition) and NoExecute (taint-based eviction), while the
 *   kubelet reports NotReady — it does until the CNI is ready (k8s.io/api core/v1 well_known_taints.go
 *   TaintNodeNotReady);
 * - node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule, set by a kubelet with an external cloud provider
 *   until the cloud controller manager initializes the node (well_known_taints.go TaintExternalCloudProvider);
 * - node.cilium.io/agent-not-ready=true:NoSchedule, which Cilium's agent removes once it is ready on the node
 *   (Cilium Helm value agentNotReadyTaintKey; cilium/cilium#16631).
 */
export const FRESH_NODE_TAINTS: readonly Taint[] = [
  { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" },
  { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
  { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" },
  { key: "node.cilium.io/agent-not-ready", value: "true", effect: "NoSchedule" },
];

/** Taints that stay until the node's CNI is ready (the kubelet's Ready condition and Cilium's own taint). */
export const UNTIL_CNI_READY = new Set(["node.kubernetes.io/not-ready", "node.cilium.io/agent-not-ready"]);

/** Why a pod without hostNetwork cannot start on a node whose CNI is not ready. */
export const NO_POD_NETWORK = "no pod network on the node yet (the CNI has no address to give)";

/** ToleratesTaint of k8s.io/api core/v1 toleration.go: effect, then key (empty + Exists matches all), then value. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  const operator = t.operator ?? "Equal";
  if (!t.key) return operator === "Exists";
  if (t.key !== taint.key) return false;
  if (operator === "Exists") return true;
  return operator === "Equal" && (t.value ?? "") === (taint.value ?? "");
}

/**
 * Whether the pod can be placed on the node and start there; `reasons` says what stops it. The scheduler's
 * TaintToleration filter considers NoSchedule and NoExecute taints only; a pod without hostNetwork needs the node's
 * CNI to give its sandbox an address, which a node without pod networking cannot.
 */
export function placement(pod: PodPlacement, node: SchedulingNode): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  for (const [k, v] of Object.entries(pod.nodeSelector)) {
    if (node.labels[k] !== v) reasons.push(`node selector ${k}=${v} does not match`);
  }
  for (const taint of node.taints) {
    if (taint.effect === "PreferNoSchedule") continue;
    if (pod.tolerations.some((t) => tolerates(t, taint))) continue;
    reasons.push(`untolerated taint ${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`);
  }
  if (!pod.hostNetwork && !node.podNetworkReady) reasons.push(NO_POD_NETWORK);
  return { ok: reasons.length === 0, reasons };
}

/**
 * The tolerations the DefaultTolerationSeconds admission plugin adds to every pod that has none for these taints
 * (kubernetes plugin/pkg/admission/defaulttolerationseconds/admission.go: not-ready and unreachable, NoExecute,
 * 300 s). They let a pod be scheduled despite the NoExecute taint, and evict it 300 s later if the taint stays.
 */
export function withAdmissionDefaults(pod: PodPlacement): PodPlacement {
  const extra: Toleration[] = [];
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (pod.tolerations.some((t) => tolerates(t, { key, effect: "NoExecute" }))) continue;
    extra.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
  return { ...pod, tolerations: [...pod.tolerations, ...extra] };
}

/** An ordinary workload pod (after admission): no tolerations of its own, pod network. */
export const ORDINARY_POD: PodPlacement = withAdmissionDefaults({
  hostNetwork: false,
  tolerations: [],
  nodeSelector: {},
});

/** The pod template of the (first) Deployment or DaemonSet in a manifest file, as PodPlacement after admission. */
export function podPlacementFromManifest(path: string): PodPlacement {
  type Workload = { kind?: string; spec?: { template?: { spec?: Record<string, unknown> } } } | null;
  const docs = parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as Workload);
  const workload = docs.find((d) => d && (d.kind === "Deployment" || d.kind === "DaemonSet"));
  const spec = workload?.spec?.template?.spec;
  if (!spec) throw new InvalidInputError(path, "no Deployment or DaemonSet with a pod template");
  const tolerations = Array.isArray(spec.tolerations) ? (spec.tolerations as Toleration[]) : [];
  return withAdmissionDefaults({
    hostNetwork: spec.hostNetwork === true,
    tolerations,
    nodeSelector: (spec.nodeSelector as Record<string, string> | undefined) ?? {},
    ...(typeof spec.priorityClassName === "string" ? { priorityClassName: spec.priorityClassName } : {}),
  });
}
