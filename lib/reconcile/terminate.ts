import type { InstanceInfo } from "../ports/oci";
import { OciApiError } from "../ports/oci-errors";
import type { ReconcileDeps } from "./deps";
import type { InstanceResult } from "./result";
import { runUseCase } from "./use-case";

/** The record listing the clean-up needs (the collector's ClusterInventory provides it). */
export interface RecordDirectory {
  /** Called once per termination event: every OciIpamNode record with the instance it names. */
  listRecords(): Promise<Array<{ name: string; instanceId: string }>>;
}

/** Lifecycle states of an instance that is going or gone (Instance.LifecycleState in oci-core). */
const ENDING = new Set(["TERMINATING", "TERMINATED"]);

/**
 * Cleans the project's own records after an instance's `terminateinstance.begin|end` event. OCI detaches and
 * deletes the instance's VNICs and private IPs itself ("When you terminate an instance, all attached VNICs … are
 * automatically detached and deleted", oci-core ComputeClient.detachVnic), so nothing is done in OCI: only the
 * OciIpamNode records naming the instance are removed (found by the Node whose providerID names it, if it is still
 * there, and by the records' spec.instanceId, once it is gone). Both phases are handled: a record a reconcile wrote
 * back after `begin` is removed at `end`.
 *
 * The event is a hint: an instance OCI still reports in another state (RUNNING, STOPPED, ...) keeps its records.
 */
export async function cleanUpTerminatedInstance(
  instanceId: string,
  baseDeps: ReconcileDeps,
  directory: RecordDirectory,
  options: { callId?: string; deadline: Date },
): Promise<InstanceResult> {
  const result: InstanceResult = {
    instanceId,
    action: "terminate",
    outcome: "cleaned",
    reason: { code: "NotStarted", message: "" },
    rounds: 1,
    ipsCreated: 0,
    vnicsAttached: 0,
    recordsRemoved: [],
    durationMs: 0,
    apiCalls: {},
  };
  const finish = (outcome: InstanceResult["outcome"], code: string, message: string): void => {
    result.outcome = outcome;
    result.reason = { code, message };
  };
  const spec = {
    action: "terminate",
    deadline: options.deadline,
    ...(options.callId ? { callId: options.callId } : {}),
    result,
    logFields: () => ({ instance: instanceId, recordsRemoved: result.recordsRemoved }),
    failedOutcome: "failed" as const,
  };
  return runUseCase(baseDeps, spec, async ({ deps, budget }) => {
    let instance: InstanceInfo | undefined;
    try {
      instance = await deps.compute.getInstance(instanceId, { deadline: budget.workDeadline });
    } catch (err) {
      // Terminated instances stay visible for a while, then answer 404: gone either way.
      if (!(err instanceof OciApiError && err.notFound)) throw err;
    }
    if (instance && !ENDING.has(instance.lifecycleState)) {
      return finish(
        "refused",
        "InstanceNotTerminating",
        `instance ${instanceId} is ${instance.lifecycleState}: its records are kept`,
      );
    }
    if (instance && !deps.config.compartmentIds.includes(instance.compartmentId)) {
      return finish(
        "refused",
        "NotInClusterCompartment",
        `instance ${instanceId} is in compartment ${instance.compartmentId}, not one of the cluster's`,
      );
    }
    const [node, records] = await Promise.all([deps.nodes.findByInstanceId(instanceId), directory.listRecords()]);
    const names = new Set(records.filter((r) => r.instanceId === instanceId).map((r) => r.name));
    if (node) {
      const record = await deps.records.get(node.name);
      // Only the record of this instance: a node name reused by a newer instance keeps its record.
      if (record && (record.instanceId === instanceId || record.instanceId === "")) names.add(node.name);
    }
    for (const name of [...names].sort()) {
      await deps.records.remove(name);
      result.recordsRemoved!.push(name);
    }
    return result.recordsRemoved!.length > 0
      ? finish(
          "cleaned",
          "RecordsRemoved",
          `removed the OciIpamNode records ${result.recordsRemoved!.join(", ")} ` +
            `of instance ${instanceId}; OCI deletes its VNICs and IPs`,
        )
      : finish(
          "cleaned",
          "NoRecords",
          `no OciIpamNode record names instance ${instanceId}; OCI deletes its VNICs and IPs`,
        );
  });
}
