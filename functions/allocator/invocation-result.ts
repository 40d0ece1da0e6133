import type { RejectedRecord } from "../../events/contracts";
import type { CollectionReport } from "../../lib/collect/collect-leaks";
import type { InstanceResult, NodeResult } from "../../lib/reconcile/result";

/** A record the invocation did not act on, and why (bad input, or nothing to do for it). */
export interface SkippedRecord {
  index: number;
  offset?: number;
  partition?: string | number;
  reason: string;
  field?: string;
  message: string;
}

/**
 * The body of a served invocation (200): every record's outcome. `ok` is false when a node, an instance or the
 * collection failed; those failures stay here and do not fail the invocation. An invocation that cannot be served
 * as a whole (configuration, Vault, Kubernetes 401 after a rebuild, Kubernetes unreachable) has no body of this kind:
 * the handler throws and the fdk answers 502 (see handler.ts), so Connector Hub delivers the batch again.
 */
export interface InvocationResult {
  ok: boolean;
  callId: string;
  records: number;
  nodes: NodeResult[];
  /** Instance events acted on without a node: prewarms on launch, record clean-up on termination. */
  instances: InstanceResult[];
  /** Leak-collection passes (at most one per invocation, however many collect-leaks nudges the batch held). */
  collections: CollectionReport[];
  skipped: SkippedRecord[];
  durationMs: number;
  deadline: string;
  /** @deprecated Never set: a failure of the whole invocation answers 502 instead (kept for older readers). */
  error?: { reason: string; message: string };
}

export function skippedFromRejected(r: RejectedRecord): SkippedRecord {
  return {
    index: r.index,
    ...(r.offset !== undefined ? { offset: r.offset } : {}),
    ...(r.partition !== undefined ? { partition: r.partition } : {}),
    reason: r.reason,
    field: r.field,
    message: r.message,
  };
}
