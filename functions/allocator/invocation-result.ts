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
 * The body the allocator function always returns (a direct Fn invoke only ever sees 200 or 502, so errors live here).
 * `ok` is false when a node failed or the invocation itself could not run.
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
