import type { Reason } from "../core/model";
import { instanceIdFromProviderId } from "../core/provider-id";
import type { IpamRecord, KubeNodeInfo, LockHandle } from "../ports/kube";
import type { ReconcileDeps } from "./deps";
import type { NodeDirectory } from "./node-directory";

/**
 * The key of the lock taken on an instance (a Lease through the same NodeLocks port as a node's reconcile): by a
 * prewarm of the instance, and by a node's first reconcile on it. Node names are DNS names and never contain ':', so
 * this key can never be a node's; the Lease adapter turns it into a valid, hashed Lease name.
 */
export function instanceLockKey(instanceId: string): string {
  return `instance:${instanceId}`;
}

export type InstanceClaim =
  | { kind: "claimed"; instanceId?: string; node: KubeNodeInfo | undefined; record: IpamRecord | undefined }
  | { kind: "refused"; instanceId: string; reason: Reason; others: string[] }
  | { kind: "skipped"; instanceId: string; reason: Reason };

/**
 * One instance, one node. Two Nodes can name the same instance in their providerID (a stale Node left behind when the
 * kubelet re-registered under another name, or a forged providerID), and both would then take the prewarmed IPs as
 * theirs and release addresses the other's pods use. The node's OciIpamNode record is its claim on the instance:
 * - a node whose record already claims the instance goes on, unless a contender (a Node whose reconcile was refused
 *   because of this claim) still names the instance: then it is refused too, until an operator deletes the stale Node;
 * - a node's first reconcile on an instance takes the instance's lock through `lock` (a prewarm or another first
 *   reconcile may be acting there), and is refused when another live node's record claims the instance, or another
 *   Node names it (a claim can be missing: a record that could not be saved); a claiming node is told (it becomes a
 *   contender of the claim), and a Node without a claim is refused on its own first reconcile by the same check. The
 *   caller holds the lock until its record — the new claim — is saved.
 * A claim whose node is gone, or whose Node now names another instance, is stale and does not count.
 * Costs nothing in the steady state (the node and its record are read anyway); a first reconcile adds one labelled
 * list of records, one list of the Nodes (no field selector exists for spec.providerID) and one Node read per claimant.
 */
export async function claimInstance(
  name: string,
  deps: ReconcileDeps,
  lock: (key: string) => Promise<LockHandle | undefined>,
  directory?: NodeDirectory,
): Promise<InstanceClaim> {
  const [node, record] = await Promise.all([deps.nodes.get(name), deps.records.get(name)]);
  const instanceId = instanceIdFromProviderId(node?.providerId);
  // Without an instance the observation refuses the node with the precise reason.
  const read = { node, record };
  if (!instanceId) return { kind: "claimed", ...read };
  const namesInstance = async (other: string): Promise<boolean> => {
    if (other === name) return false;
    const n = await deps.nodes.get(other);
    return instanceIdFromProviderId(n?.providerId) === instanceId;
  };

  if (record?.instanceId === instanceId) {
    if (record.contenders.length === 0) return { kind: "claimed", instanceId, ...read };
    const live = await filterAsync(record.contenders, namesInstance);
    if (live.length > 0) {
      return {
        kind: "refused",
        instanceId,
        others: live,
        reason: {
          code: "InstanceNamedByTwoNodes",
          message:
            `Node ${live.join(", ")} also names instance ${instanceId} in its ` +
            `providerID: neither node is reconciled until the stale Node is deleted`,
        },
      };
    }
    await deps.records.clearContenders(name);
    // Read again: the record just changed.
    return { kind: "claimed", instanceId, node, record: await deps.records.get(name) };
  }

  const instanceLock = await lock(instanceLockKey(instanceId));
  if (!instanceLock) {
    return {
      kind: "skipped",
      instanceId,
      reason: {
        code: "InstanceLocked",
        message:
          `instance ${instanceId} is being prepared or reconciled by another ` + `invocation; the next nudge continues`,
      },
    };
  }
  try {
    // Every other Node naming the instance, and every other live node whose record claims it: a claim can be missing
    // (a record that could not be saved), a second Node never hides.
    const [claims, namers] = await Promise.all([
      deps.records.findByInstance(instanceId),
      directory ? directory.namingInstance(instanceId) : deps.nodes.listByInstanceId(instanceId),
    ]);
    const claimants = await filterAsync(
      claims.map((c) => c.name),
      namesInstance,
    );
    const others = [...new Set([...claimants, ...namers.map((n) => n.name).filter((n) => n !== name)])].sort();
    if (others.length === 0) return { kind: "claimed", instanceId, ...read };
    await Promise.all(claimants.map((other) => deps.records.addContender(other, name)));
    await instanceLock.release();
    const code = claimants.length > 0 ? "InstanceClaimedByAnotherNode" : "InstanceNamedByTwoNodes";
    const why =
      claimants.length > 0
        ? `instance ${instanceId} belongs to node ${claimants.join(", ")} (its ` +
          `OciIpamNode record claims it) and Node ${name} names it too`
        : `Node ${others.join(", ")} also names instance ${instanceId} in its providerID`;
    return {
      kind: "refused",
      instanceId,
      others,
      reason: { code, message: `${why}: neither node is reconciled until the stale Node is deleted` },
    };
  } catch (err) {
    await instanceLock.release();
    throw err;
  }
}

async function filterAsync(items: string[], keep: (item: string) => Promise<boolean>): Promise<string[]> {
  const verdicts = await Promise.all(items.map(keep));
  return items.filter((_, i) => verdicts[i]);
}
