import type { Context } from "@fnproject/fdk";
import type { DecodedRecord, InvocationDecoder } from "../../events/contracts";
import type { ReconcileDeps } from "../../lib/reconcile/deps";
import { mapSettledLimit } from "../../lib/reconcile/map-limit";
import { reconcileNode } from "../../lib/reconcile/reconcile-node";
import type { NodeResult } from "../../lib/reconcile/result";
import { type InvocationResult, type SkippedRecord, skippedFromRejected } from "./invocation-result";

/** What one warm function process keeps between invocations: adapters, the request budget, compiled validators. */
export interface AllocatorRuntime {
  deps: ReconcileDeps;
  decoder: InvocationDecoder;
}

/**
 * Builds the fdk handler. `runtimeFor` composes the runtime from the invocation's configuration (ctx.config is the
 * function's environment); it is called on every invocation and is expected to cache (see compose.ts).
 *
 * Per invocation: decode and validate every record (a bad one is skipped with why, never fatal); turn records into
 * distinct nodes (nudges name a node; instance events are mapped to the Node whose providerID names the instance);
 * reconcile the nodes with bounded parallelism before the invocation deadline; always return a JSON result.
 */
export function createAllocatorHandler(runtimeFor: (config: Record<string, string | undefined>) => Promise<AllocatorRuntime>) {
  return async function handle(input: unknown, ctx: Context): Promise<InvocationResult> {
    const startedAt = Date.now();
    const callId = ctx.callID || `local-${startedAt}`;
    let deadline = ctx.deadline ?? null;
    const result: InvocationResult = { ok: true, callId, records: 0, nodes: [], skipped: [], durationMs: 0, deadline: "" };
    try {
      const runtime = await runtimeFor(ctx.config);
      const { deps } = runtime;
      deadline ??= new Date(deps.now().getTime() + deps.config.defaultTimeoutSeconds * 1000);
      result.deadline = deadline.toISOString();
      const decoded = runtime.decoder.decode(input);
      result.records = decoded.records.length + decoded.rejected.length;
      result.skipped.push(...decoded.rejected.map(skippedFromRejected));

      const targets = await nodesToReconcile(decoded.records, deps, result.skipped);
      const settled = await mapSettledLimit(targets, deps.config.maxParallelNodes, (t) =>
        reconcileNode(t.node, deps, { deadline: deadline!, callId, ...(t.instanceId ? { expectedInstanceId: t.instanceId } : {}) }));
      result.nodes = settled.map((s, i): NodeResult => s.status === "fulfilled" ? s.value : failedNode(targets[i]!.node, s.reason));
      result.ok = result.nodes.every((n) => n.outcome !== "failed");
      deps.log.info({ callId, records: result.records, nodes: result.nodes.length, skipped: result.skipped.length, ok: result.ok, durationMs: Date.now() - startedAt }, "invocation done");
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

interface Target {
  node: string;
  instanceId?: string;
}

/** Distinct nodes in first-seen order; duplicates of a node within one batch collapse into one reconcile. */
async function nodesToReconcile(records: DecodedRecord[], deps: ReconcileDeps, skipped: SkippedRecord[]): Promise<Target[]> {
  const targets = new Map<string, Target>();
  const position = (r: DecodedRecord) => ({ index: r.index, ...(r.offset !== undefined ? { offset: r.offset } : {}), ...(r.partition !== undefined ? { partition: r.partition } : {}) });
  for (const record of records) {
    switch (record.kind) {
      case "nudge":
        if (!targets.has(record.node)) targets.set(record.node, { node: record.node });
        break;
      case "instance-event": {
        if (record.action === "terminate") {
          skipped.push({ ...position(record), reason: "TerminationHandledByOci", message: `instance ${record.instanceId} is terminating: OCI detaches and deletes its VNICs and IPs itself` });
          break;
        }
        if (!deps.config.compartmentIds.includes(record.compartmentId)) {
          skipped.push({ ...position(record), reason: "NotInClusterCompartment", message: `instance ${record.instanceId} is in compartment ${record.compartmentId}, not one of the cluster's` });
          break;
        }
        const node = await deps.nodes.findByInstanceId(record.instanceId);
        if (!node) {
          skipped.push({ ...position(record), reason: "NoNodeForInstance", message: `no Node has providerID ${record.instanceId} yet; its CiliumNode will be nudged when it joins` });
          break;
        }
        if (!targets.has(node.name)) targets.set(node.name, { node: node.name, instanceId: record.instanceId });
        break;
      }
      case "cluster":
        skipped.push({ ...position(record), reason: "ClusterNudgeNotHandled", message: `cluster event ${record.type} is not acted on by this function` });
        break;
    }
  }
  return [...targets.values()];
}

function failedNode(node: string, err: unknown): NodeResult {
  const message = err instanceof Error ? err.message : String(err);
  return { node, outcome: "failed", state: "Error", reason: { code: "UnexpectedError", message }, rounds: 0, ipsCreated: 0, ipsReleased: 0, vnicsAttached: 0, conflicts: 0, durationMs: 0, decision: [], apiCalls: {}, error: { reason: "UnexpectedError", message } };
}
