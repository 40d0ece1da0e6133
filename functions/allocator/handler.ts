import type { Context } from "@fnproject/fdk";
import type { DecodedRecord, InvocationDecoder } from "../../events/contracts";
import { collectLeaks, type CollectorPorts } from "../../lib/collect/collect-leaks";
import type { ReconcileDeps } from "../../lib/reconcile/deps";
import { mapSettledLimit } from "../../lib/reconcile/map-limit";
import { prewarmInstance } from "../../lib/reconcile/prewarm";
import { reconcileNode } from "../../lib/reconcile/reconcile-node";
import type { InstanceResult, NodeResult } from "../../lib/reconcile/result";
import { cleanUpTerminatedInstance } from "../../lib/reconcile/terminate";
import { type InvocationResult, type SkippedRecord, skippedFromRejected } from "./invocation-result";

/** What one warm function process keeps between invocations: adapters, the request budget, compiled validators. */
export interface AllocatorRuntime {
  deps: ReconcileDeps;
  decoder: InvocationDecoder;
  /** Cluster-wide lists and the leak marks store: leak collection and the termination clean-up need them. */
  collector: CollectorPorts;
}

/**
 * Builds the fdk handler. `runtimeFor` composes the runtime from the invocation's configuration (ctx.config is the
 * function's environment); it is called on every invocation and is expected to cache (see compose.ts).
 *
 * Per invocation: decode and validate every record (a bad one is skipped with why, never fatal); turn records into
 * work: distinct nodes (nudges name a node; instance events are mapped to the Node whose providerID names the
 * instance), prewarms (a launched instance whose Node does not exist yet, when prewarm is on), clean-ups (terminated
 * instances), and one leak-collection pass (cluster nudges). Nodes, prewarms and clean-ups run with bounded
 * parallelism before the invocation deadline, then the collection; always return a JSON result.
 */
export function createAllocatorHandler(runtimeFor: (config: Record<string, string | undefined>) => Promise<AllocatorRuntime>) {
  return async function handle(input: unknown, ctx: Context): Promise<InvocationResult> {
    const startedAt = Date.now();
    const callId = ctx.callID || `local-${startedAt}`;
    let deadline = ctx.deadline ?? null;
    const result: InvocationResult = { ok: true, callId, records: 0, nodes: [], instances: [], collections: [], skipped: [], durationMs: 0, deadline: "" };
    try {
      const runtime = await runtimeFor(ctx.config);
      const { deps } = runtime;
      deadline ??= new Date(deps.now().getTime() + deps.config.defaultTimeoutSeconds * 1000);
      result.deadline = deadline.toISOString();
      const decoded = runtime.decoder.decode(input);
      result.records = decoded.records.length + decoded.rejected.length;
      result.skipped.push(...decoded.rejected.map(skippedFromRejected));

      const work = await workOf(decoded.records, deps, result.skipped);
      type Task = { node: string; run: () => Promise<NodeResult> } | { instanceId: string; action: InstanceResult["action"]; run: () => Promise<InstanceResult> };
      const tasks: Task[] = [
        ...work.nodes.map((t): Task => ({ node: t.node, run: () => reconcileNode(t.node, deps, { deadline: deadline!, callId, ...(t.instanceId ? { expectedInstanceId: t.instanceId } : {}) }) })),
        ...work.prewarms.map((id): Task => ({ instanceId: id, action: "prewarm", run: () => prewarmInstance(id, deps, { deadline: deadline!, callId }) })),
        ...work.terminations.map((id): Task => ({ instanceId: id, action: "terminate", run: () => cleanUpTerminatedInstance(id, deps, runtime.collector.inventory, { deadline: deadline!, callId }) })),
      ];
      const settled = await mapSettledLimit(tasks, deps.config.maxParallelNodes, (task): Promise<NodeResult | InstanceResult> => task.run());
      settled.forEach((s, i) => {
        const task = tasks[i]!;
        if ("node" in task) result.nodes.push(s.status === "fulfilled" ? (s.value as NodeResult) : failedNode(task.node, s.reason));
        else result.instances.push(s.status === "fulfilled" ? (s.value as InstanceResult) : failedInstance(task.instanceId, task.action, s.reason));
      });
      if (work.collect) result.collections.push(await collectLeaks(deps, runtime.collector, { deadline, callId }));
      result.ok = result.nodes.every((n) => n.outcome !== "failed") && result.instances.every((n) => n.outcome !== "failed") && result.collections.every((c) => c.outcome !== "failed");
      deps.log.info({ callId, records: result.records, nodes: result.nodes.length, instances: result.instances.length, collections: result.collections.length, skipped: result.skipped.length, ok: result.ok, durationMs: Date.now() - startedAt }, "invocation done");
    } catch (err) {
      // Composition or configuration failed: say so in the body (fdk can only answer 200 or 502 to a direct caller).
      result.ok = false;
      const reason = (err as { reason?: string }).reason ?? "InvocationFailed";
      result.error = { reason, message: err instanceof Error ? err.message : String(err) };
      process.stderr.write(`${JSON.stringify({ level: "error", callId, reason, msg: result.error.message })}\n`);
    }
    result.durationMs = Date.now() - startedAt;
    if (!result.deadline && deadline) result.deadline = deadline.toISOString();
    return result;
  };
}

interface NodeTarget {
  node: string;
  instanceId?: string;
}

interface Work {
  nodes: NodeTarget[];
  /** Instances to prepare before their node exists. */
  prewarms: string[];
  /** Terminated instances whose records to clean. */
  terminations: string[];
  /** Run one leak-collection pass. */
  collect: boolean;
}

/**
 * Distinct work in first-seen order; duplicates of a node, an instance or the cluster nudge within one batch collapse
 * into one. An instance event outside the cluster's compartments is skipped; one for an instance whose Node exists
 * reconciles that node; a `launchinstance.end` for one without a Node is prewarmed when prewarm is on.
 */
async function workOf(records: DecodedRecord[], deps: ReconcileDeps, skipped: SkippedRecord[]): Promise<Work> {
  const nodes = new Map<string, NodeTarget>();
  const prewarms = new Set<string>();
  const terminations = new Set<string>();
  let collect = false;
  const position = (r: DecodedRecord) => ({ index: r.index, ...(r.offset !== undefined ? { offset: r.offset } : {}), ...(r.partition !== undefined ? { partition: r.partition } : {}) });
  for (const record of records) {
    switch (record.kind) {
      case "nudge":
        if (!nodes.has(record.node)) nodes.set(record.node, { node: record.node });
        break;
      case "instance-event": {
        if (!deps.config.compartmentIds.includes(record.compartmentId)) {
          skipped.push({ ...position(record), reason: "NotInClusterCompartment", message: `instance ${record.instanceId} is in compartment ${record.compartmentId}, not one of the cluster's` });
          break;
        }
        if (record.action === "terminate") {
          // OCI detaches and deletes its VNICs and IPs itself; only the project's own records are cleaned.
          terminations.add(record.instanceId);
          break;
        }
        const node = await deps.nodes.findByInstanceId(record.instanceId);
        if (node) {
          if (!nodes.has(node.name)) nodes.set(node.name, { node: node.name, instanceId: record.instanceId });
          break;
        }
        if (deps.config.prewarm.enabled && record.phase === "end") {
          prewarms.add(record.instanceId);
          break;
        }
        skipped.push({ ...position(record), reason: "NoNodeForInstance", message: `no Node has providerID ${record.instanceId} yet; its CiliumNode will be nudged when it joins` });
        break;
      }
      case "cluster":
        if (record.cluster !== deps.config.planner.clusterName) {
          skipped.push({ ...position(record), reason: "OtherCluster", message: `cluster event for ${record.cluster}, but this allocator serves ${deps.config.planner.clusterName}` });
          break;
        }
        collect = true;
        break;
    }
  }
  return { nodes: [...nodes.values()], prewarms: [...prewarms], terminations: [...terminations], collect };
}

function failedNode(node: string, err: unknown): NodeResult {
  const message = err instanceof Error ? err.message : String(err);
  return { node, outcome: "failed", state: "Error", reason: { code: "UnexpectedError", message }, rounds: 0, ipsCreated: 0, ipsReleased: 0, vnicsAttached: 0, conflicts: 0, durationMs: 0, decision: [], apiCalls: {}, error: { reason: "UnexpectedError", message } };
}

function failedInstance(instanceId: string, action: InstanceResult["action"], err: unknown): InstanceResult {
  const message = err instanceof Error ? err.message : String(err);
  return { instanceId, action, outcome: "failed", reason: { code: "UnexpectedError", message }, rounds: 0, ipsCreated: 0, vnicsAttached: 0, durationMs: 0, apiCalls: {}, error: { reason: "UnexpectedError", message } };
}
