import type { CiliumNodeIpam, Plan, PlannerConfig, Reason } from "./model";

/** What a prewarm decides on: the instance as GetInstance describes it (never the event's copy). */
export interface PrewarmInstance {
  id: string;
  compartmentId: string;
  lifecycleState: string;
  displayName: string;
  freeformTags: Record<string, string>;
}

/** Which launched instances are the cluster's future nodes. */
export interface PrewarmFilter {
  compartmentIds: readonly string[];
  /** All must be present with these values; empty: no tag requirement. */
  instanceTags: Record<string, string>;
  /** A regular expression the display name must match; "": any name. */
  displayNamePattern: string;
}

/**
 * Why an instance must not be prewarmed, or undefined when it may. Only a RUNNING instance of one of the cluster's
 * compartments, carrying every required freeform tag, whose display name matches the pattern: the launch event is only
 * a hint, so this is applied to the instance as read from OCI.
 */
export function prewarmRefusal(instance: PrewarmInstance, filter: PrewarmFilter): Reason | undefined {
  if (!filter.compartmentIds.includes(instance.compartmentId)) {
    return {
      code: "NotInClusterCompartment",
      message: `instance ${instance.id} is in compartment ${instance.compartmentId}, not one of the cluster's`,
    };
  }
  if (instance.lifecycleState !== "RUNNING") {
    return {
      code: "InstanceNotRunning",
      message: `instance ${instance.id} is ${instance.lifecycleState}: VNICs attach only to RUNNING instances`,
    };
  }
  const missing = Object.entries(filter.instanceTags)
    .filter(([k, v]) => instance.freeformTags[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
  if (missing.length > 0) {
    return {
      code: "PrewarmTagsMismatch",
      message: `instance ${instance.id} lacks the freeform tags ${missing.join(", ")} required for prewarm`,
    };
  }
  if (filter.displayNamePattern && !new RegExp(filter.displayNamePattern).test(instance.displayName)) {
    return {
      code: "PrewarmNameMismatch",
      message:
        `instance ${instance.id} display name "${instance.displayName}" does ` +
        `not match ${filter.displayNamePattern}`,
    };
  }
  return undefined;
}

/**
 * The CiliumNode a prewarm plans against: none exists yet, so an empty pool and usage, with `preAllocate` IPs wanted.
 * The empty name means "no node": ownership then goes by the instance tag (ownership.ts).
 */
export function prewarmCiliumNode(preAllocate: number): CiliumNodeIpam {
  return { name: "", pool: {}, used: {}, releaseIps: {}, preAllocate };
}

/** The planner settings of a prewarm: release is off (there is no agent to answer a handshake). */
export function prewarmPlannerConfig(planner: PlannerConfig): PlannerConfig {
  return { ...planner, releaseExcessIps: false };
}

/**
 * A node's plan reduced to what a prewarm may do: create in OCI (assign IPs, attach a VNIC, wait for an attachment).
 * Every Kubernetes write and every release action is dropped: there is no CiliumNode to write, and nothing to give
 * back.
 */
export function toPrewarmPlan(plan: Plan): Plan {
  const actions = plan.actions.filter(
    (a) =>
      a.kind === "assignIps" || a.kind === "assignBlocks" || a.kind === "attachVnic" || a.kind === "awaitAttachment",
  );
  return { ...plan, actions };
}
