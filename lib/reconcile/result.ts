import type { NodeState, NodeStats, Reason } from "../core/model";

/** What one reconcile of one node did: returned in the function's JSON result and logged as the summary line. */
export interface NodeResult {
  node: string;
  instanceId?: string;
  /** reconciled: planned and acted; planned: dry run; refused: the node does not qualify; skipped: somebody else holds the node's lock; failed: an error stopped it. */
  outcome: "reconciled" | "planned" | "refused" | "skipped" | "failed";
  state?: NodeState;
  reason: Reason;
  stats?: NodeStats;
  rounds: number;
  ipsCreated: number;
  ipsReleased: number;
  vnicsAttached: number;
  conflicts: number;
  durationMs: number;
  /** Actions of the last plan, by kind (what was decided). */
  decision: string[];
  /** API calls this reconcile made, per port method (`oci.createPrivateIp`, `kube.writePool`, ...). */
  apiCalls: Record<string, number>;
  error?: { reason: string; message: string; statusCode?: number; serviceCode?: string; opcRequestId?: string };
}
