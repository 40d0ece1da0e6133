import type { Plan } from "../core/model";
import { planNode } from "../core/planner";
import { apiErrorFields } from "../errors";
import type { EventTarget, IpamRecordStatus, VnicRecord } from "../ports/kube";
import { KubeConflictError } from "../ports/kube-errors";
import { claimInstance } from "./claim-instance";
import type { ReconcileDeps } from "./deps";
import { executePlan, type Execution } from "./execute";
import { observeNode, type Observation, type Prefetched } from "./observe";
import type { NodeResult } from "./result";
import type { NodeDirectory } from "./node-directory";
import { runUseCase } from "./use-case";
import { UsedAddresses } from "./used-addresses";

export interface ReconcileOptions {
  deadline: Date;
  callId?: string;
  /** Plan only: no OCI mutation, no Kubernetes write, no lock. */
  dryRun?: boolean;
  /** The instance an OCI event named: the node must map to it, else the reconcile is refused. */
  expectedInstanceId?: string;
  /** Called with each round's plan before it is acted on (the terminal command prints it). */
  onPlan?: (plan: Plan) => void;
  /** The invocation's check of addresses in use, shared by its reconciles (one CiliumNode list per invocation). */
  usedAddresses?: UsedAddresses;
  /** The invocation's Nodes by instance, shared by its first reconciles (one Node list per invocation). */
  nodeDirectory?: NodeDirectory;
}

/**
 * Brings one node's pool to what Cilium's watermarks ask: takes the node's lock, makes sure the node alone claims its
 * instance, then observe → plan → act → write back, and again while the node is still short and time remains. Any
 * event that led here is only a hint: everything is re-read. Conflicts on the CiliumNode make it re-read and re-plan;
 * a crash at any point leaves tagged objects the next run adopts. Runs through the shared use-case skeleton
 * (use-case.ts: counting, deadline, locks, error tail, summary line).
 */
export async function reconcileNode(
  name: string,
  baseDeps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<NodeResult> {
  const result: NodeResult = {
    node: name,
    outcome: "reconciled",
    reason: { code: "NotStarted", message: "" },
    rounds: 0,
    ipsCreated: 0,
    ipsReleased: 0,
    vnicsAttached: 0,
    conflicts: 0,
    durationMs: 0,
    decision: [],
    apiCalls: {},
  };
  const logFields = () => {
    const s = result.stats;
    return {
      node: name,
      instance: result.instanceId,
      state: result.state,
      available: s?.available,
      used: s?.used,
      needed: s?.needed,
      excess: s?.excess,
      decision: result.decision,
      rounds: result.rounds,
      ipsCreated: result.ipsCreated,
      ipsReleased: result.ipsReleased,
      vnicsAttached: result.vnicsAttached,
    };
  };
  return runUseCase(
    baseDeps,
    {
      action: "reconcile",
      deadline: options.deadline,
      ...(options.callId ? { callId: options.callId } : {}),
      result,
      logFields,
      failedOutcome: "failed",
    },
    async (ctx) => {
      const { deps, budget, callId } = ctx;
      const usedAddresses = options.usedAddresses ?? new UsedAddresses(deps.ciliumNodes, () => deps.now().getTime());
      let last: { observation: Observation; plan: Plan; execution?: Execution } | undefined;
      /** Rounds of this invocation that created objects: added to the record's generation for every retry token. */
      let creatingRounds = 0;
      let warned = false;
      /** The CiliumNode, Node and record read before the first round, reused by its observation. */
      let prefetched: Prefetched | undefined;
      if (!options.dryRun) {
        ctx.onFinish(async () => {
          const generation = (last?.observation.record?.status?.retryGeneration ?? 0) + creatingRounds;
          if (last) await saveRecord(name, last, result, generation, deps);
          if (result.outcome === "failed" && last && !warned)
            await deps.events.record(targetOf(last.observation), "Warning", result.reason.code, result.reason.message);
        });
        // A nudge may name any node: for one without a CiliumNode, take no Lease (a write that would stay behind for
        // every invented name). Found by test/fuzz/function-body.fuzz.test.ts.
        const ciliumNode = await deps.ciliumNodes.get(name);
        if (!ciliumNode) {
          result.outcome = "refused";
          result.reason = { code: "CiliumNodeNotFound", message: `CiliumNode ${name} does not exist` };
          return;
        }
        if (!(await ctx.lock(name))) {
          result.outcome = "skipped";
          result.reason = {
            code: "NodeLocked",
            message: "another invocation is reconciling this node; it continues while the node is short",
          };
          return;
        }
        const claim = await claimInstance(name, deps, ctx.lock, options.nodeDirectory);
        if (claim.kind !== "claimed") {
          result.outcome = claim.kind;
          result.reason = claim.reason;
          if (claim.instanceId) result.instanceId = claim.instanceId;
          if (claim.kind === "refused") {
            deps.log.warn(
              { node: name, instance: claim.instanceId, callId, reason: claim.reason.code, others: claim.others },
              claim.reason.message,
            );
            await warnEach(deps, [name, ...claim.others], claim.reason);
          }
          return;
        }
        prefetched = { ciliumNode, node: claim.node, record: claim.record };
      }
      while (result.rounds < deps.config.maxRoundsPerNode) {
        if (budget.expired()) {
          result.reason = deadlineReason("before the node was done");
          break;
        }
        result.rounds++;
        const observation = await observeNode(
          name,
          deps,
          { deadline: budget.workDeadline },
          options.expectedInstanceId,
          prefetched,
        );
        prefetched = undefined;
        if (observation.kind === "refused") {
          result.outcome = "refused";
          result.reason = observation.reason;
          if (observation.instanceId) result.instanceId = observation.instanceId;
          deps.log.warn(
            { node: name, instance: observation.instanceId, callId, reason: observation.reason.code },
            observation.reason.message,
          );
          return;
        }
        observation.observed.retryGeneration = (observation.record?.status?.retryGeneration ?? 0) + creatingRounds;
        const plan = planNode(observation.observed);
        options.onPlan?.(plan);
        result.instanceId = plan.instanceId;
        result.state = plan.state;
        result.reason = plan.reason;
        result.stats = plan.stats;
        result.decision = plan.actions.map((a) => a.kind);
        last = { observation, plan };
        if (options.dryRun) {
          result.outcome = "planned";
          return;
        }
        if (plan.actions.length === 0) break;
        if (plan.actions.some((a) => a.kind === "assignIps" || a.kind === "assignBlocks" || a.kind === "attachVnic"))
          creatingRounds++;
        let execution: Execution;
        try {
          execution = await executePlan(plan, observation, deps, { budget, callId, usedAddresses });
        } catch (err) {
          if (err instanceof KubeConflictError) {
            result.conflicts++;
            deps.log.info(
              { node: name, callId, reason: err.reason },
              "CiliumNode changed while writing: re-reading and re-planning",
            );
            continue;
          }
          throw err;
        }
        last.execution = execution;
        result.ipsCreated += execution.created.length + execution.createdBlocks.reduce((n, b) => n + b.offer, 0);
        result.ipsReleased += execution.released.length;
        result.vnicsAttached += execution.attached.length;
        await recordChanges(name, observation, plan, execution, deps);
        if (execution.failures.length > 0) {
          // A round whose OCI calls failed did not do what it planned: the invocation says so (ok: false).
          const first = execution.failures[0]!;
          result.outcome = "failed";
          result.state = "Error";
          result.reason = {
            code: first.reason,
            message: `${execution.failures.length} OCI calls failed; first: ${first.message}`,
          };
          result.error = { reason: first.reason, message: first.message, ...apiErrorFields(first.context) };
          warned = true;
          break;
        }
        if (execution.conflict) {
          // What was done in OCI is counted above; the re-plan adopts it (created IPs) or completes it (released ones).
          result.conflicts++;
          deps.log.info(
            { node: name, callId, reason: execution.conflict.reason },
            "CiliumNode changed while writing: re-reading and re-planning",
          );
          continue;
        }
        if (execution.refusedInUse.length > 0) {
          const list = execution.refusedInUse.map((r) => `${r.ipAddress} (used on ${r.usedBy})`).join(", ");
          result.reason = {
            code: "ReleaseRefusedInUse",
            message: `not deleted, because an agent reports them as used: ${list}`,
          };
          await deps.events.record(targetOf(observation), "Warning", result.reason.code, result.reason.message);
          break;
        }
        // Something deleted pool addresses between the observation and the write: observe again, which drops them.
        if (execution.vnicsFull.length > 0) {
          // The tenancy's per-VNIC object limit is lower than configured: full for this round, never an error loop.
          result.state = "AtCapacity";
          result.reason = {
            code: "VnicObjectLimit",
            message:
              `OCI refused another private-IP object on ` +
              `${execution.vnicsFull.map((v) => v.vnicId).join(", ")}: ` +
              `${execution.vnicsFull[0]!.message}`,
          };
          break;
        }
        if (execution.subnetsUpdating.length > 0) {
          result.state = "Allocating";
          result.reason = {
            code: "SubnetUpdating",
            message:
              `subnet UPDATING after a first IP CIDR address ` +
              `(${[...new Set(execution.subnetsUpdating)].join(", ")}): the next ` +
              `nudge continues`,
          };
          break;
        }
        if (execution.poolMissing.length > 0) continue;
        if (execution.pendingAttachment) {
          result.state = "Allocating";
          result.reason = {
            code: "AttachmentInProgress",
            message:
              `VNIC attachment ${execution.pendingAttachment.attachmentId} is still ` +
              `ATTACHING; the next nudge continues`,
          };
          break;
        }
        if (execution.deadlineReached) {
          result.reason = deadlineReason("before every planned call could start");
          break;
        }
        // Complete and still Ready: the pool holds what was asked; nothing to re-read for.
        if (
          plan.state === "Ready" &&
          !plan.actions.some((a) => a.kind === "attachVnic" || a.kind === "awaitAttachment")
        )
          break;
        if (plan.state === "AtCapacity" || plan.state === "Error") break;
      }
      if (
        result.rounds >= deps.config.maxRoundsPerNode &&
        result.reason.code !== "DeadlineReached" &&
        result.outcome !== "failed" &&
        last?.plan.actions.length
      ) {
        result.reason = {
          code: "RoundLimit",
          message: `stopped after ${result.rounds} rounds; the next nudge continues`,
        };
      }
    },
  ).then((r) => {
    if (r.outcome === "failed") r.state = "Error";
    return r;
  });
}

function deadlineReason(when: string): { code: string; message: string } {
  return { code: "DeadlineReached", message: `the invocation deadline came ${when}; the next nudge continues` };
}

/** A Warning Event on each named node's CiliumNode (those that still exist). */
async function warnEach(
  deps: ReconcileDeps,
  names: string[],
  reason: { code: string; message: string },
): Promise<void> {
  await Promise.all(
    names.map(async (n) => {
      const cn = await deps.ciliumNodes.get(n);
      if (cn)
        await deps.events.record(
          { apiVersion: "cilium.io/v2", kind: "CiliumNode", name: cn.name, uid: cn.uid },
          "Warning",
          reason.code,
          reason.message,
        );
    }),
  );
}

function targetOf(observation: Observation): EventTarget {
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNode",
    name: observation.ciliumNode.name,
    uid: observation.ciliumNode.uid,
  };
}

async function recordChanges(
  name: string,
  observation: Observation,
  plan: Plan,
  execution: Execution,
  deps: ReconcileDeps,
): Promise<void> {
  const target = targetOf(observation);
  const byVnic = new Map<string, number>();
  for (const ip of execution.created) byVnic.set(ip.vnicId, (byVnic.get(ip.vnicId) ?? 0) + 1);
  const writes: Array<Promise<void>> = [];
  for (const a of execution.attached)
    writes.push(
      deps.events.record(
        target,
        "Normal",
        "VnicAttached",
        `attached VNIC ${a.vnicId} (attachment ${a.id}) to instance ${plan.instanceId}`,
      ),
    );
  for (const [vnic, n] of byVnic)
    writes.push(deps.events.record(target, "Normal", "IpsAssigned", `assigned ${n} secondary IPs on VNIC ${vnic}`));
  if (execution.released.length > 0)
    writes.push(
      deps.events.record(
        target,
        "Normal",
        "IpsReleased",
        `released ${execution.released.length} excess IPs: ${execution.released.join(", ")}`,
      ),
    );
  const marked = plan.actions.find((a) => a.kind === "markForRelease");
  if (marked && marked.kind === "markForRelease")
    writes.push(
      deps.events.record(target, "Normal", "IpsMarkedForRelease", `marked ${marked.ips.length} excess IPs for release`),
    );
  const failures = new Map<string, { count: number; message: string }>();
  for (const f of execution.failures)
    failures.set(f.reason, { count: (failures.get(f.reason)?.count ?? 0) + 1, message: f.message });
  for (const [reason, f] of failures)
    writes.push(deps.events.record(target, "Warning", reason, `${f.count} OCI calls failed: ${f.message}`));
  if (plan.state === "AtCapacity" && observation.record?.status?.state !== "AtCapacity")
    writes.push(deps.events.record(target, "Warning", plan.reason.code, plan.reason.message));
  if (plan.state === "Error" && observation.record?.status?.reason !== plan.reason.code)
    writes.push(deps.events.record(target, "Warning", plan.reason.code, plan.reason.message));
  await Promise.all(writes);
}

async function saveRecord(
  name: string,
  last: { observation: Observation; plan: Plan; execution?: Execution },
  result: NodeResult,
  retryGeneration: number,
  deps: ReconcileDeps,
): Promise<void> {
  const { observation, plan, execution } = last;
  const writePool = plan.actions.find((a) => a.kind === "writePool");
  const poolBefore = writePool?.kind === "writePool" ? writePool.pool : observation.ciliumNode.ipam.pool;
  const poolPerVnic = new Map<string, number>();
  for (const entry of Object.values(poolBefore)) {
    if (entry.resource) poolPerVnic.set(entry.resource, (poolPerVnic.get(entry.resource) ?? 0) + 1);
  }
  for (const ip of execution?.created ?? []) poolPerVnic.set(ip.vnicId, (poolPerVnic.get(ip.vnicId) ?? 0) + 1);
  const vnics: VnicRecord[] = observation.observed.vnics
    .filter((v) => v.vnicId)
    .map((v) => {
      const d = observation.vnicDetails.get(v.vnicId!);
      const createdHere = (execution?.created ?? []).filter((ip) => ip.vnicId === v.vnicId).length;
      return {
        vnicId: v.vnicId!,
        attachmentId: v.attachmentId,
        index: v.index,
        isPrimary: v.isPrimary,
        subnetId: v.subnetId,
        lifecycleState: v.attachmentState,
        ...(v.macAddress ? { macAddress: v.macAddress } : {}),
        ...(d?.attachment.nicIndex !== undefined ? { nicIndex: d.attachment.nicIndex } : {}),
        ...(d?.subnet ? { subnetCidr: d.subnet.cidrBlock } : {}),
        ...(d?.subnet?.virtualRouterIp ? { virtualRouterIp: d.subnet.virtualRouterIp } : {}),
        ipCount: v.privateIps.length + createdHere,
        poolIpCount: poolPerVnic.get(v.vnicId!) ?? 0,
      };
    });
  const s = result.stats ?? plan.stats;
  const status: IpamRecordStatus = {
    state: result.state ?? plan.state,
    reason: result.reason.code,
    message: result.reason.message,
    lastReconcileTime: deps.now().toISOString(),
    counts: {
      available: s.available + (execution?.created.length ?? 0) - (execution?.released.length ?? 0),
      used: s.used,
      needed: s.needed,
      excess: s.excess,
      maxAllocatable: s.nodeMaximum,
      vnicsAttached: s.vnicsAttached + (execution?.attachmentsStarted ?? 0),
      vnicSlots: s.vnicSlots,
    },
    vnics,
    release: { firstSeenExcess: plan.releaseFirstSeen },
    retryGeneration,
    ...(execution?.pendingAttachment ? { allocating: execution.pendingAttachment } : {}),
  };
  const owner = observation.node ? { name: observation.node.name, uid: observation.node.uid } : undefined;
  await deps.records.save(name, plan.instanceId, status, owner);
}
