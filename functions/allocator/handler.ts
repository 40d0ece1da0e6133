import type { Context } from "@fnproject/fdk";
import type { DecodedRecord, InvocationDecoder } from "../../events/contracts";
import { collectLeaks, type CollectionReport, type CollectorPorts } from "../../lib/collect/collect-leaks";
import type { ReconcileDeps } from "../../lib/reconcile/deps";
import { mapSettledLimit } from "../../lib/reconcile/map-limit";
import { prewarmInstance } from "../../lib/reconcile/prewarm";
import { reconcileNode } from "../../lib/reconcile/reconcile-node";
import { NodeDirectory } from "../../lib/reconcile/node-directory";
import { UsedAddresses } from "../../lib/reconcile/used-addresses";
import type { InstanceResult, NodeResult } from "../../lib/reconcile/result";
import { cleanUpTerminatedInstance } from "../../lib/reconcile/terminate";
import { InvocationError, invocationErrorOf, WHOLE_INVOCATION_REASONS } from "./invocation-error";
import { type InvocationResult, type SkippedRecord, skippedFromRejected } from "./invocation-result";

/** What one warm function process keeps between invocations: adapters, the request budget, compiled validators. */
export interface AllocatorRuntime {
  deps: ReconcileDeps;
  decoder: InvocationDecoder;
  /** Cluster-wide lists and the leak marks store: leak collection and the termination clean-up need them. */
  collector: CollectorPorts;
  /**
   * Called when the Kubernetes API answered 401 Unauthorized (the token was rotated): reads the token again (Vault
   * secret, kubeconfig file) and rebuilds the Kubernetes clients and adapters in `deps` and `collector`, in place.
   * Throws when the token cannot be read. Absent: nothing to re-read.
   */
  reauthenticate?(): Promise<void>;
}

/**
 * Builds the fdk handler. `runtimeFor` composes the runtime from the invocation's configuration (ctx.config is the
 * function's environment); it is called on every invocation and is expected to cache (see compose.ts).
 *
 * Per invocation: decode and validate every record (a bad one is skipped with why, never fatal); turn records into
 * work: distinct nodes (nudges name a node; instance events are mapped to the Node whose providerID names the
 * instance), prewarms (a launched instance whose Node does not exist yet, when prewarm is on), clean-ups (terminated
 * instances), and one leak-collection pass (cluster nudges). Nodes, prewarms and clean-ups run with bounded
 * parallelism before the invocation deadline, then the collection.
 *
 * The error contract (infra/README.md, "The function image"): per-record outcomes are in the JSON body, which is
 * answered with 200 even when some of them failed. When the invocation as a whole cannot be served — configuration,
 * the Vault token, Kubernetes answering 401 again after the token was read anew and the clients rebuilt, Kubernetes
 * unreachable — the handler throws an InvocationError: the fdk answers 502, and Connector Hub, which "keeps retrying
 * indefinitely until the function target succeeds" (docs.oracle.com/iaas/Content/connector-hub/queue-to-function.htm),
 * delivers the batch again. Every record is idempotent, so a redelivery is safe.
 */
export function createAllocatorHandler(
  runtimeFor: (config: Record<string, string | undefined>) => Promise<AllocatorRuntime>,
) {
  return async function handle(input: unknown, ctx: Context): Promise<InvocationResult> {
    const startedAt = Date.now();
    const callId = ctx.callID || `local-${startedAt}`;
    let runtime: AllocatorRuntime | undefined;
    try {
      runtime = await runtimeFor(ctx.config);
      const { deps } = runtime;
      const deadline = ctx.deadline ?? new Date(deps.now().getTime() + deps.config.defaultTimeoutSeconds * 1000);
      const decoded = runtime.decoder.decode(input);
      const rejected = decoded.rejected.map(skippedFromRejected);
      const once = () => settle(runPass(runtime!, decoded.records, deadline, callId));
      let pass = await once();
      if (unauthorized(pass) && runtime.reauthenticate) {
        await runtime.reauthenticate();
        pass = await once();
      }
      if ("error" in pass) throw pass.error;
      const outcomes = [...pass.nodes, ...pass.instances, ...pass.collections];
      const fatal = outcomes.find((r) => r.outcome === "failed" && WHOLE_INVOCATION_REASONS.has(r.error?.reason ?? ""));
      if (fatal) throw new InvocationError(fatal.error!.reason, fatal.error!.message, { callId });
      const result: InvocationResult = {
        ok: outcomes.every((r) => r.outcome !== "failed"),
        callId,
        records: decoded.records.length + decoded.rejected.length,
        nodes: pass.nodes,
        instances: pass.instances,
        collections: pass.collections,
        skipped: [...rejected, ...pass.skipped],
        durationMs: Date.now() - startedAt,
        deadline: deadline.toISOString(),
      };
      const counts = {
        nodes: result.nodes.length,
        instances: result.instances.length,
        collections: result.collections.length,
      };
      deps.log.info(
        {
          callId,
          records: result.records,
          ...counts,
          skipped: result.skipped.length,
          ok: result.ok,
          durationMs: result.durationMs,
        },
        "invocation done",
      );
      return result;
    } catch (err) {
      const failure = invocationErrorOf(err, callId);
      const line = { callId, reason: failure.reason, durationMs: Date.now() - startedAt };
      const msg = `invocation failed, the batch will be delivered again: ${failure.message}`;
      if (runtime) runtime.deps.log.error(line, msg);
      else process.stderr.write(`${JSON.stringify({ level: "error", ...line, msg })}\n`);
      throw failure;
    }
  };
}

/** What one pass over the invocation's records produced; `skipped` are records the work mapping set aside. */
interface Pass {
  nodes: NodeResult[];
  instances: InstanceResult[];
  collections: CollectionReport[];
  skipped: SkippedRecord[];
}

async function settle(p: Promise<Pass>): Promise<Pass | { error: unknown }> {
  try {
    return await p;
  } catch (error) {
    return { error };
  }
}

/** Kubernetes refused the token: in a result, or in an error that stopped the pass (mapping events to nodes). */
function unauthorized(pass: Pass | { error: unknown }): boolean {
  if ("error" in pass) return (pass.error as { reason?: unknown } | null)?.reason === "KubeUnauthorized";
  const outcomes = [...pass.nodes, ...pass.instances, ...pass.collections];
  return outcomes.some((r) => r.outcome === "failed" && r.error?.reason === "KubeUnauthorized");
}

/** Maps the records to work and runs it: nodes, prewarms and clean-ups in bounded parallel, then the collection. */
async function runPass(
  runtime: AllocatorRuntime,
  records: DecodedRecord[],
  deadline: Date,
  callId: string,
): Promise<Pass> {
  // One list of every CiliumNode answers the used-address check of all this invocation's releases.
  const usedAddresses = new UsedAddresses(runtime.deps.ciliumNodes, () => runtime.deps.now().getTime());
  // One list of every Node answers the first reconciles' "which Nodes name this instance" (claim-instance.ts).
  const nodeDirectory = new NodeDirectory(runtime.deps.nodes, () => runtime.deps.now().getTime());
  const { deps } = runtime;
  const pass: Pass = { nodes: [], instances: [], collections: [], skipped: [] };
  const work = await workOf(records, deps, pass.skipped);
  type Task =
    | { node: string; run: () => Promise<NodeResult> }
    | { instanceId: string; action: InstanceResult["action"]; run: () => Promise<InstanceResult> };
  const tasks: Task[] = [
    ...work.nodes.map(
      (t): Task => ({
        node: t.node,
        run: () =>
          reconcileNode(t.node, deps, {
            deadline,
            callId,
            usedAddresses,
            nodeDirectory,
            ...(t.instanceId ? { expectedInstanceId: t.instanceId } : {}),
          }),
      }),
    ),
    ...work.prewarms.map(
      (id): Task => ({ instanceId: id, action: "prewarm", run: () => prewarmInstance(id, deps, { deadline, callId }) }),
    ),
    ...work.terminations.map(
      (id): Task => ({
        instanceId: id,
        action: "terminate",
        run: () => cleanUpTerminatedInstance(id, deps, runtime.collector.inventory, { deadline, callId }),
      }),
    ),
  ];
  const settled = await mapSettledLimit(
    tasks,
    deps.config.maxParallelNodes,
    (task): Promise<NodeResult | InstanceResult> => task.run(),
  );
  settled.forEach((s, i) => {
    const task = tasks[i]!;
    if ("node" in task)
      pass.nodes.push(s.status === "fulfilled" ? (s.value as NodeResult) : failedNode(task.node, s.reason));
    else
      pass.instances.push(
        s.status === "fulfilled" ? (s.value as InstanceResult) : failedInstance(task.instanceId, task.action, s.reason),
      );
  });
  if (work.collect) pass.collections.push(await collectLeaks(deps, runtime.collector, { deadline, callId }));
  return pass;
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
  const position = (r: DecodedRecord) => ({
    index: r.index,
    ...(r.offset !== undefined ? { offset: r.offset } : {}),
    ...(r.partition !== undefined ? { partition: r.partition } : {}),
  });
  for (const record of records) {
    switch (record.kind) {
      case "nudge":
        if (!nodes.has(record.node)) nodes.set(record.node, { node: record.node });
        break;
      case "instance-event": {
        if (!deps.config.compartmentIds.includes(record.compartmentId)) {
          skipped.push({
            ...position(record),
            reason: "NotInClusterCompartment",
            message:
              `instance ${record.instanceId} is in compartment ` + `${record.compartmentId}, not one of the cluster's`,
          });
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
        skipped.push({
          ...position(record),
          reason: "NoNodeForInstance",
          message: `no Node has providerID ${record.instanceId} yet; its CiliumNode will be nudged when it joins`,
        });
        break;
      }
      case "cluster":
        if (record.cluster !== deps.config.planner.clusterName) {
          skipped.push({
            ...position(record),
            reason: "OtherCluster",
            message:
              `cluster event for ${record.cluster}, but this allocator serves ` + `${deps.config.planner.clusterName}`,
          });
          break;
        }
        collect = true;
        break;
    }
  }
  return { nodes: [...nodes.values()], prewarms: [...prewarms], terminations: [...terminations], collect };
}

/** The reason of an error that escaped a task: an OcipamError keeps its own (e.g. KubeUnauthorized). */
function reasonOf(err: unknown): string {
  const reason = (err as { reason?: unknown } | null)?.reason;
  return typeof reason === "string" && reason ? reason : "UnexpectedError";
}

function failedNode(node: string, err: unknown): NodeResult {
  const message = err instanceof Error ? err.message : String(err);
  const reason = reasonOf(err);
  return {
    node,
    outcome: "failed",
    state: "Error",
    reason: { code: reason, message },
    rounds: 0,
    ipsCreated: 0,
    ipsReleased: 0,
    vnicsAttached: 0,
    conflicts: 0,
    durationMs: 0,
    decision: [],
    apiCalls: {},
    error: { reason, message },
  };
}

function failedInstance(instanceId: string, action: InstanceResult["action"], err: unknown): InstanceResult {
  const message = err instanceof Error ? err.message : String(err);
  const reason = reasonOf(err);
  return {
    instanceId,
    action,
    outcome: "failed",
    reason: { code: reason, message },
    rounds: 0,
    ipsCreated: 0,
    vnicsAttached: 0,
    durationMs: 0,
    apiCalls: {},
    error: { reason, message },
  };
}
