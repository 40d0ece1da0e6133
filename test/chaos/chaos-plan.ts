import { ALL_OPERATIONS } from "../../lib/testbed/oci-emulator/operations";
import type { OciOperation } from "../../lib/oci/permissions";

/**
 * What a chaos run injects, and when: a pure, seeded plan, so `--seed N --events M` always means the same run.
 */

/** Keeps the operations the OCI emulator models (an operation being added to it is listed before it exists). */
function modelled(names: readonly string[]): OciOperation[] {
  const known = new Set<string>(ALL_OPERATIONS);
  return names.filter((n): n is OciOperation => known.has(n));
}

/**
 * Every OCI mutation the allocator may call. UpdatePrivateIp and UpdateVnic are listed ahead of the emulator and the
 * allocator supporting them: they are planned only once the emulator knows them (a fault on an operation nobody
 * calls simply never fires; the report shows faults actually answered).
 */
export const CHAOS_MUTATION_OPERATIONS: readonly OciOperation[] = modelled([
  "CreatePrivateIp",
  "DeletePrivateIp",
  "AttachVnic",
  "DetachVnic",
  "UpdatePrivateIp",
  "UpdateVnic",
]);

/**
 * OCI operations the product calls (the allocator and the watcher's PutMessages), mutations first. The Connector Hub
 * stand-in's own reads are left alone.
 */
export const CHAOS_OCI_OPERATIONS: readonly OciOperation[] = [
  ...CHAOS_MUTATION_OPERATIONS,
  ...modelled([
    "GetInstance",
    "ListVnicAttachments",
    "GetVnicAttachment",
    "GetVnic",
    "ListPrivateIps",
    "ListSubnets",
    "GetSubnetIpInventory",
    "GetSecretBundle",
    "PutMessages",
  ]),
];

/** Resources whose lists fail (the function lists Nodes, CiliumNodes, Pods, records; the watcher CiliumNodes). */
export const CHAOS_KUBE_LIST_RESOURCES = ["nodes", "ciliumnodes", "pods", "ociipamnodes"] as const;
/** Resources the function patches (pool and release-ips of CiliumNodes, its OciIpamNode records). */
export const CHAOS_KUBE_PATCH_RESOURCES = ["ciliumnodes", "ociipamnodes"] as const;

export type OciFaultKind = "oci-429" | "oci-5xx" | "oci-reset" | "oci-latency-spike";
const OCI_FAULT_KINDS: readonly OciFaultKind[] = ["oci-429", "oci-5xx", "oci-reset", "oci-latency-spike"];

export type ChaosEvent =
  | { kind: "oci-429"; operation: OciOperation; count: number }
  | { kind: "oci-5xx"; operation: OciOperation; status: 500 | 502 | 503; count: number }
  | { kind: "oci-reset"; operation: OciOperation; count: number }
  | { kind: "oci-latency-spike"; operation: OciOperation; delaySimMs: number; count: number }
  | { kind: "kube-conflict"; node: number; times: number }
  | { kind: "kube-error"; node: number; times: number }
  | { kind: "kube-list-error"; resource: (typeof CHAOS_KUBE_LIST_RESOURCES)[number]; times: number }
  | { kind: "kube-patch-error"; resource: (typeof CHAOS_KUBE_PATCH_RESOURCES)[number]; times: number }
  | { kind: "nudge-duplicate"; batches: number }
  | { kind: "nudge-reorder"; batches: number }
  | { kind: "nudge-drop"; batches: number }
  | { kind: "function-kill"; delaySimMs: number }
  // Node churn: the node leaves Kubernetes and comes back under the same name after `gapSimMs`.
  | { kind: "node-replace"; node: number; gapSimMs: number }
  | { kind: "node-replace-orphan"; node: number; gapSimMs: number }
  | { kind: "node-rejoin"; node: number; gapSimMs: number }
  | { kind: "stale-node"; node: number; lifetimeSimMs: number }
  // An operator's out-of-band deletions.
  | { kind: "oob-delete-ip"; count: number }
  | { kind: "oob-detach-vnic" };

export type ChaosKind = ChaosEvent["kind"];

/** The injections that change which Nodes exist. */
export type NodeChurnEvent = Extract<
  ChaosEvent,
  { kind: "node-replace" | "node-replace-orphan" | "node-rejoin" | "stale-node" }
>;

export const CHAOS_KINDS: readonly ChaosKind[] = [
  ...OCI_FAULT_KINDS,
  "kube-conflict",
  "kube-error",
  "kube-list-error",
  "kube-patch-error",
  "nudge-duplicate",
  "nudge-reorder",
  "nudge-drop",
  "function-kill",
  "node-replace",
  "node-replace-orphan",
  "node-rejoin",
  "stale-node",
  "oob-delete-ip",
  "oob-detach-vnic",
];

/** Kinds that change which Nodes exist: one at a time per node (the runner picks a node no other churn holds). */
export const NODE_CHURN_KINDS: readonly ChaosKind[] = [
  "node-replace",
  "node-replace-orphan",
  "node-rejoin",
  "stale-node",
];

export interface PlannedEvent {
  atSimMs: number;
  event: ChaosEvent;
}

/**
 * Kinds that need the nodes to have pools first (node churn, the operator's deletions): they fall in the last three
 * quarters of the window, so that a node replaced or an IP deleted has allocator objects to lose.
 */
export const LATE_KINDS: readonly ChaosKind[] = [...NODE_CHURN_KINDS, "oob-delete-ip", "oob-detach-vnic"];

export interface ChaosPlanOptions {
  events: number;
  /** Events fall uniformly in [0, windowSimMs) (LATE_KINDS in [windowSimMs / 4, windowSimMs)). */
  windowSimMs: number;
  nodes: number;
}

/**
 * The number of events a plan needs to cover every kind once and put a fault on every OCI mutation: fewer events
 * than this leave some uncovered (the CLI and the tests use at least this many).
 */
export function coveringEvents(): number {
  // Each OCI fault kind covers one mutation; the mutations left over need one event each.
  return CHAOS_KINDS.length + Math.max(CHAOS_MUTATION_OPERATIONS.length - OCI_FAULT_KINDS.length, 0);
}

/**
 * `events` injections at random times of the window, in time order. The first draws cover every kind once (in a
 * seeded order), then one OCI fault on each mutation not faulted yet; the rest pick kinds at random. OCI faults take
 * their operation from the mutations first (in a seeded order), so every mutation is faulted before reads are.
 */
export function planChaos(random: () => number, options: ChaosPlanOptions): PlannedEvent[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const mutations = shuffle([...CHAOS_MUTATION_OPERATIONS], random);
  const kinds: ChaosKind[] = shuffle([...CHAOS_KINDS], random);
  const ociFaults = kinds.filter((k): k is OciFaultKind => (OCI_FAULT_KINDS as readonly string[]).includes(k)).length;
  for (let i = ociFaults; i < mutations.length; i++) kinds.push(pick(OCI_FAULT_KINDS));
  const planned: PlannedEvent[] = [];
  for (let i = 0; i < options.events; i++) {
    const kind = i < kinds.length ? kinds[i]! : pick(CHAOS_KINDS);
    const from = LATE_KINDS.includes(kind) ? options.windowSimMs / 4 : 0;
    planned.push({ atSimMs: Math.floor(from + random() * (options.windowSimMs - from)), event: eventOf(kind) });
  }
  return planned.sort((a, b) => a.atSimMs - b.atSimMs);

  function operation(): OciOperation {
    return mutations.shift() ?? pick(CHAOS_OCI_OPERATIONS);
  }

  function eventOf(kind: ChaosKind): ChaosEvent {
    switch (kind) {
      case "oci-429":
        return { kind, operation: operation(), count: int(1, 6) };
      case "oci-5xx":
        return { kind, operation: operation(), status: pick([500, 502, 503] as const), count: int(1, 4) };
      case "oci-reset":
        return { kind, operation: operation(), count: int(1, 3) };
      case "oci-latency-spike":
        return { kind, operation: operation(), delaySimMs: int(2_000, 20_000), count: int(1, 4) };
      case "kube-conflict":
        return { kind, node: int(0, options.nodes - 1), times: int(1, 3) };
      case "kube-error":
        return { kind, node: int(0, options.nodes - 1), times: int(1, 2) };
      case "kube-list-error":
        return { kind, resource: pick(CHAOS_KUBE_LIST_RESOURCES), times: int(1, 3) };
      case "kube-patch-error":
        return { kind, resource: pick(CHAOS_KUBE_PATCH_RESOURCES), times: int(1, 3) };
      case "nudge-duplicate":
      case "nudge-reorder":
      case "nudge-drop":
        return { kind, batches: int(1, 3) };
      case "function-kill":
        return { kind, delaySimMs: int(0, 3_000) };
      case "node-replace":
      case "node-replace-orphan":
      case "node-rejoin":
        return { kind, node: int(0, options.nodes - 1), gapSimMs: int(2_000, 15_000) };
      case "stale-node":
        return { kind, node: int(0, options.nodes - 1), lifetimeSimMs: int(20_000, 40_000) };
      case "oob-delete-ip":
        return { kind, count: int(1, 3) };
      case "oob-detach-vnic":
        return { kind };
    }
  }
}

/** Fisher–Yates with the seeded generator. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** One line for the report. */
export function describeEvent(e: ChaosEvent): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  switch (e.kind) {
    case "oci-429":
      return `${e.operation} answers 429 TooManyRequests to the next ${e.count} call(s)`;
    case "oci-5xx":
      return `${e.operation} answers ${e.status} to the next ${e.count} call(s)`;
    case "oci-reset":
      return `${e.operation}: the next ${e.count} connection(s) reset`;
    case "oci-latency-spike":
      return `${e.operation}: the next ${e.count} call(s) take ${s(e.delaySimMs)} more`;
    case "kube-conflict":
      return `the next ${e.times} write(s) to node ${e.node}'s CiliumNode answer 409 Conflict`;
    case "kube-error":
      return `the next ${e.times} write(s) to node ${e.node}'s CiliumNode answer 500`;
    case "kube-list-error":
      return `the next ${e.times} list(s) of ${e.resource} answer 500`;
    case "kube-patch-error":
      return `the next ${e.times} patch(es) of any ${e.resource} object answer 500`;
    case "nudge-duplicate":
      return `the next ${e.batches} batch(es) deliver every nudge twice`;
    case "nudge-reorder":
      return `the next ${e.batches} batch(es) deliver their nudges in reverse order`;
    case "nudge-drop":
      return `the next ${e.batches} batch(es) lose half of their nudges`;
    case "function-kill":
      return `the function process is killed (SIGKILL) ${s(e.delaySimMs)} into an invocation`;
    case "node-replace":
      return `node ${e.node} is deleted, its instance terminated; a new instance joins as it ${s(e.gapSimMs)} later`;
    case "node-replace-orphan":
      return `node ${e.node} is deleted, its instance runs on; a new instance joins as it ${s(e.gapSimMs)} later`;
    case "node-rejoin":
      return `node ${e.node}'s Node and CiliumNode are deleted, re-created for its instance ${s(e.gapSimMs)} later`;
    case "stale-node":
      return `a second Node (and CiliumNode) names node ${e.node}'s instance for ${s(e.lifetimeSimMs)}`;
    case "oob-delete-ip":
      return `an operator deletes ${e.count} allocator IP(s) in a pool that no pod uses (DeletePrivateIp)`;
    case "oob-detach-vnic":
      return "an operator detaches an allocator VNIC none of whose IPs a pod uses (DetachVnic)";
  }
}
