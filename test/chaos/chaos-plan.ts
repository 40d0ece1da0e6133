import type { OciOperation } from "../../lib/oci/permissions";

/**
 * What a chaos run injects, and when: a pure, seeded plan, so `--seed N --events M` always means the same run.
 */

/** OCI operations the product calls (the allocator and the watcher's PutMessages). The Connector Hub stand-in's own reads are left alone. */
export const CHAOS_OCI_OPERATIONS: readonly OciOperation[] = [
  "GetInstance",
  "ListVnicAttachments",
  "GetVnicAttachment",
  "AttachVnic",
  "GetVnic",
  "ListPrivateIps",
  "CreatePrivateIp",
  "DeletePrivateIp",
  "ListSubnets",
  "GetSubnetIpInventory",
  "GetSecretBundle",
  "PutMessages",
];

export type ChaosEvent =
  | { kind: "oci-429"; operation: OciOperation; count: number }
  | { kind: "oci-5xx"; operation: OciOperation; status: 500 | 502 | 503; count: number }
  | { kind: "oci-reset"; operation: OciOperation; count: number }
  | { kind: "oci-latency-spike"; operation: OciOperation; delaySimMs: number; count: number }
  | { kind: "kube-conflict"; node: number; times: number }
  | { kind: "kube-error"; node: number; times: number }
  | { kind: "nudge-duplicate"; batches: number }
  | { kind: "nudge-reorder"; batches: number }
  | { kind: "nudge-drop"; batches: number }
  | { kind: "function-kill"; delaySimMs: number };

export type ChaosKind = ChaosEvent["kind"];

export const CHAOS_KINDS: readonly ChaosKind[] = [
  "oci-429",
  "oci-5xx",
  "oci-reset",
  "oci-latency-spike",
  "kube-conflict",
  "kube-error",
  "nudge-duplicate",
  "nudge-reorder",
  "nudge-drop",
  "function-kill",
];

export interface PlannedEvent {
  atSimMs: number;
  event: ChaosEvent;
}

export interface ChaosPlanOptions {
  events: number;
  /** Events fall uniformly in [0, windowSimMs). */
  windowSimMs: number;
  nodes: number;
}

/**
 * `events` injections at random times of the window, in time order. The first `min(events, kinds)` draw each kind once
 * (in a seeded order), so that even a short run exercises every kind; the rest pick kinds at random.
 */
export function planChaos(random: () => number, options: ChaosPlanOptions): PlannedEvent[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const kinds = shuffle([...CHAOS_KINDS], random);
  const planned: PlannedEvent[] = [];
  for (let i = 0; i < options.events; i++) {
    const kind = i < kinds.length ? kinds[i]! : pick(CHAOS_KINDS);
    planned.push({ atSimMs: Math.floor(random() * options.windowSimMs), event: eventOf(kind) });
  }
  return planned.sort((a, b) => a.atSimMs - b.atSimMs);

  function eventOf(kind: ChaosKind): ChaosEvent {
    switch (kind) {
      case "oci-429":
        return { kind, operation: pick(CHAOS_OCI_OPERATIONS), count: int(1, 6) };
      case "oci-5xx":
        return { kind, operation: pick(CHAOS_OCI_OPERATIONS), status: pick([500, 502, 503] as const), count: int(1, 4) };
      case "oci-reset":
        return { kind, operation: pick(CHAOS_OCI_OPERATIONS), count: int(1, 3) };
      case "oci-latency-spike":
        return { kind, operation: pick(CHAOS_OCI_OPERATIONS), delaySimMs: int(2_000, 20_000), count: int(1, 4) };
      case "kube-conflict":
        return { kind, node: int(0, options.nodes - 1), times: int(1, 3) };
      case "kube-error":
        return { kind, node: int(0, options.nodes - 1), times: int(1, 2) };
      case "nudge-duplicate":
      case "nudge-reorder":
      case "nudge-drop":
        return { kind, batches: int(1, 3) };
      case "function-kill":
        return { kind, delaySimMs: int(0, 3_000) };
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
  switch (e.kind) {
    case "oci-429":
      return `${e.operation} answers 429 TooManyRequests to the next ${e.count} call(s)`;
    case "oci-5xx":
      return `${e.operation} answers ${e.status} to the next ${e.count} call(s)`;
    case "oci-reset":
      return `${e.operation}: the next ${e.count} connection(s) reset`;
    case "oci-latency-spike":
      return `${e.operation}: the next ${e.count} call(s) take ${(e.delaySimMs / 1000).toFixed(1)} s more`;
    case "kube-conflict":
      return `the next ${e.times} write(s) to node ${e.node}'s CiliumNode answer 409 Conflict`;
    case "kube-error":
      return `the next ${e.times} write(s) to node ${e.node}'s CiliumNode answer 500`;
    case "nudge-duplicate":
      return `the next ${e.batches} batch(es) deliver every nudge twice`;
    case "nudge-reorder":
      return `the next ${e.batches} batch(es) deliver their nudges in reverse order`;
    case "nudge-drop":
      return `the next ${e.batches} batch(es) lose half of their nudges`;
    case "function-kill":
      return `the function process is killed (SIGKILL) ${(e.delaySimMs / 1000).toFixed(1)} s into an invocation`;
  }
}
