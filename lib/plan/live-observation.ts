import type { ObservedState, Plan } from "../core/model";
import { planNode } from "../core/planner";
import { observeNode, type Refusal } from "../reconcile/observe";
import type { ReconcileDeps } from "../reconcile/deps";

/** A live node's observation and the plan the allocator would act on, or why the node would be refused. */
export type LivePlan = { kind: "planned"; observed: ObservedState; plan: Plan } | Refusal;

/**
 * What the allocator's first round for `name` would plan right now, without acting: the same observation as a
 * reconcile (lib/reconcile/observe.ts observeNode: cluster-membership checks, fresh reads of Kubernetes and OCI) and
 * the same retry generation (the node's OciIpamNode record, as reconcile-node.ts sets it for its first round).
 * Read-only: no Lease is taken, nothing is written to OCI or Kubernetes. The observation is the planner's whole
 * input, so saved as JSON it is a file `ocipam plan --input` replays to the same plan.
 */
export async function planLiveNode(name: string, deps: ReconcileDeps, deadline: Date): Promise<LivePlan> {
  const observation = await observeNode(name, deps, { deadline });
  if (observation.kind === "refused") return observation;
  const observed = observation.observed;
  observed.retryGeneration = observation.record?.status?.retryGeneration ?? 0;
  return { kind: "planned", observed, plan: planNode(observed) };
}
