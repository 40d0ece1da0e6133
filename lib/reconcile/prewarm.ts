import { planNode } from "../core/planner";
import { prewarmCiliumNode, prewarmPlannerConfig, prewarmRefusal, toPrewarmPlan } from "../core/prewarm";
import { heldBlocks, unofferedCount } from "../core/blocks/held";
import { rebuildPool, usableVnics } from "../core/pool";
import type { CiliumNodeView } from "../ports/kube";
import type { InstanceInfo } from "../ports/oci";
import { OciApiError } from "../ports/oci-errors";
import { instanceLockKey } from "./claim-instance";
import type { ReconcileDeps } from "./deps";
import { executePlan } from "./execute";
import { observeOnInstance } from "./observe";
import type { InstanceResult } from "./result";
import { runUseCase } from "./use-case";

export { instanceLockKey };

export interface PrewarmOptions {
  deadline: Date;
  callId?: string;
}

/**
 * Prepares a launched instance for the node it will become, before the node exists (OCI Events
 * `launchinstance.end`): the IPs for pre-allocate (default 8) are created on it, tagged with the cluster and the
 * instance but no node, and with first-interface-index ≥ 1 on a secondary VNIC the allocator attaches first. When the
 * Node and CiliumNode appear, the node's normal reconcile finds these objects owned (ownership.ts: no node tag, same
 * instance) and writes them into the pool without creating anything, so the pool is ready about one write after the
 * CiliumNode exists.
 *
 * The event is a hint: the instance is re-read, and prewarmed only when it is RUNNING, in a cluster compartment,
 * matches the configured tags and display-name pattern, has its primary VNIC in the cluster's VCN, and no Node names it
 * in its providerID (checked again under the instance lock). It reuses the planner (with an empty CiliumNode view) and
 * the executor, stripped of every Kubernetes write. Idempotent: a duplicate event finds the IPs in place and creates
 * nothing.
 */
export async function prewarmInstance(
  instanceId: string,
  baseDeps: ReconcileDeps,
  options: PrewarmOptions,
): Promise<InstanceResult> {
  const result: InstanceResult = {
    instanceId,
    action: "prewarm",
    outcome: "prewarmed",
    reason: { code: "NotStarted", message: "" },
    rounds: 0,
    ipsCreated: 0,
    vnicsAttached: 0,
    durationMs: 0,
    apiCalls: {},
  };
  const logFields = () => ({
    instance: instanceId,
    rounds: result.rounds,
    ipsCreated: result.ipsCreated,
    vnicsAttached: result.vnicsAttached,
    ipsReady: result.ipsReady,
  });
  const stop = (outcome: InstanceResult["outcome"], code: string, message: string): void => {
    result.outcome = outcome;
    result.reason = { code, message };
  };
  const spec = {
    action: "prewarm",
    deadline: options.deadline,
    ...(options.callId ? { callId: options.callId } : {}),
    result,
    logFields,
    failedOutcome: "failed" as const,
  };
  return runUseCase(baseDeps, spec, async (ctx) => {
    const { deps, budget, callId } = ctx;
    const { config } = deps;
    if (!config.prewarm.enabled) return stop("skipped", "PrewarmDisabled", "OCIPAM_PREWARM_ON_LAUNCH is off");
    // The instance is read and checked before any Kubernetes write: refused work leaves no Lease, record or Event.
    let instance: InstanceInfo;
    try {
      instance = await deps.compute.getInstance(instanceId, { deadline: budget.workDeadline });
    } catch (err) {
      if (err instanceof OciApiError && err.notFound)
        return stop(
          "refused",
          "InstanceNotFound",
          `instance ${instanceId} is not found or not visible to the allocator`,
        );
      throw err;
    }
    const refusal = prewarmRefusal(instance, { compartmentIds: config.compartmentIds, ...config.prewarm });
    if (refusal) return stop("refused", refusal.code, refusal.message);
    if (!(await ctx.lock(instanceLockKey(instanceId))))
      return stop(
        "skipped",
        "InstanceLocked",
        "another invocation is preparing this instance or reconciling its new node",
      );
    // Checked under the lock: once the node exists, its own reconcile (which takes this lock too) is in charge.
    const node = await deps.nodes.findByInstanceId(instanceId);
    if (node)
      return stop(
        "skipped",
        "NodeExists",
        `Node ${node.name} already runs on instance ${instanceId}; its reconcile takes over`,
      );

    const view: CiliumNodeView = {
      name: "",
      uid: "",
      resourceVersion: "",
      ipam: prewarmCiliumNode(config.prewarm.ips),
    };
    const planner = prewarmPlannerConfig(config.planner);
    while (result.rounds < config.maxRoundsPerNode) {
      if (budget.expired())
        return stop(
          "prewarmed",
          "DeadlineReached",
          "the invocation deadline came before the prewarm was done; the node's reconcile completes it",
        );
      result.rounds++;
      const observation = await observeOnInstance(view, instance, deps, { deadline: budget.workDeadline }, { planner });
      if (observation.kind === "refused") return stop("refused", observation.reason.code, observation.reason.message);
      const plan = toPrewarmPlan(planNode(observation.observed));
      // A block's addresses are ready whether offered or held: the node offers them once it joins, with no OCI call.
      const held = unofferedCount(
        heldBlocks(observation.observed, usableVnics(observation.observed)),
        rebuildPool(observation.observed),
      );
      result.ipsReady = Object.keys(rebuildPool(observation.observed)).length + held;
      result.reason =
        plan.state === "Ready" && plan.actions.length === 0
          ? { code: "PoolPrepared", message: `${result.ipsReady} IPs are ready on instance ${instanceId} for its node` }
          : plan.reason;
      if (plan.actions.length === 0) break;
      const execution = await executePlan(plan, observation, deps, { budget, callId });
      const blockAddresses = execution.createdBlocks.reduce((n, b) => n + 2 ** (32 - (b.cidrPrefixLength ?? 32)), 0);
      result.ipsCreated += execution.created.length + blockAddresses;
      result.vnicsAttached += execution.attached.length;
      result.ipsReady += execution.created.length + blockAddresses;
      if (execution.pendingAttachment) {
        return stop(
          "prewarmed",
          "AttachmentInProgress",
          `VNIC attachment ${execution.pendingAttachment.attachmentId} is still ` +
            `ATTACHING; the node's reconcile waits for it`,
        );
      }
      if (execution.failures.length > 0) {
        const first = execution.failures[0]!;
        return stop("failed", first.reason, `${execution.failures.length} OCI calls failed; first: ${first.message}`);
      }
      if (execution.deadlineReached)
        return stop(
          "prewarmed",
          "DeadlineReached",
          "the invocation deadline came before every planned call could start; the node's reconcile completes it",
        );
      if (plan.state === "AtCapacity" || plan.state === "Error")
        return stop(plan.state === "Error" ? "failed" : "prewarmed", plan.reason.code, plan.reason.message);
      // Everything planned was created on attached VNICs: no need to look again.
      if (plan.state === "Ready" && !plan.actions.some((a) => a.kind === "attachVnic" || a.kind === "awaitAttachment"))
        break;
    }
    if (result.reason.code !== "PoolPrepared")
      result.reason = {
        code: "PoolPrepared",
        message: `${result.ipsReady ?? 0} IPs are ready on instance ${instanceId} for its node`,
      };
  });
}
