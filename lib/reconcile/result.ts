import type { NodeState, NodeStats, Reason } from "../core/model";

/** What one reconcile of one node did: returned in the function's JSON result and logged as the summary line. */
export interface NodeResult {
  node: string;
  instanceId?: string;
  /**
   * reconciled: planned and acted; planned: dry run; refused: the node does not qualify; skipped: somebody else holds
   * the node's lock; failed: an error stopped it.
   */
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

/** What one instance event did (a prewarm on launch, the project's records on termination). */
export interface InstanceResult {
  instanceId: string;
  /** launch: prewarm of an instance whose node has not joined yet; terminate: clean-up of the project's own records. */
  action: "prewarm" | "terminate";
  /**
   * prewarmed: IPs (and a VNIC) prepared, or already there; cleaned: records removed (or none existed); skipped:
   * another invocation holds the instance, or its node already exists; refused: the instance does not qualify;
   * failed: an error stopped it.
   */
  outcome: "prewarmed" | "cleaned" | "skipped" | "refused" | "failed";
  reason: Reason;
  rounds: number;
  ipsCreated: number;
  vnicsAttached: number;
  /** IPs the instance holds for its node-to-be after the prewarm (created now or earlier). */
  ipsReady?: number;
  /** OciIpamNode records removed (terminate). */
  recordsRemoved?: string[];
  durationMs: number;
  apiCalls: Record<string, number>;
  error?: { reason: string; message: string; statusCode?: number; serviceCode?: string; opcRequestId?: string };
}
