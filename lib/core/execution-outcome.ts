import type { AllocationIp, ReleaseStatus } from "./model";
import { blockAddresses } from "./blocks/cidr";
import { sortPool } from "./pool";

/**
 * What the Kubernetes writes of a plan become once its OCI calls have run. The planner decides from an observation;
 * OCI then answers each call, and these pure steps turn the plan's writes into what is true after those answers, so
 * the executor only carries out calls and never decides anything itself.
 */

/**
 * The `status.ipam.release-ips` to write after the plan's deletes: an IP the plan moved to `released` stays
 * `ready-for-release` unless its delete succeeded now (or it was already gone from OCI when observed), so the agent
 * never drops an address OCI still holds and the next round retries the delete.
 */
export function releaseStatusAfterDeletes(
  planned: Record<string, ReleaseStatus>,
  observedStatus: Record<string, ReleaseStatus>,
  deleted: ReadonlySet<string>,
  observedAddresses: ReadonlySet<string>,
): Record<string, ReleaseStatus> {
  const next: Record<string, ReleaseStatus> = {};
  for (const [ip, status] of Object.entries(planned)) {
    const releasedNow = status === "released" && observedStatus[ip] !== "released";
    const goneBefore = !observedAddresses.has(ip);
    next[ip] = releasedNow && !deleted.has(ip) && !goneBefore ? "ready-for-release" : status;
  }
  return next;
}

export interface PoolAfterExecution {
  pool: Record<string, AllocationIp>;
  /** Created addresses held back because the agent still has a `released` entry for them. */
  heldBack: string[];
}

/**
 * `spec.ipam.pool` after the plan's calls: the planned pool plus the IPs created now, minus the IPs deleted now. A
 * created IP whose address is still `released` in status (OCI reused a just-deleted address while the agent holds the
 * entry) is held back: the agent drops a `released` entry only once the address has left the pool (Cilium crd.go), so
 * the new IP joins the pool on a later round, never as an address the agent considers gone.
 *
 * A created IP CIDR block offers its lowest `offer` addresses (what the plan asked for); the rest stay held but
 * unoffered, and an address still `released` in status is skipped the same way.
 */
export function poolAfterExecution(
  planned: Record<string, AllocationIp>,
  created: ReadonlyArray<{ ipAddress: string; vnicId: string }>,
  deleted: ReadonlySet<string>,
  releasedInStatus: ReadonlySet<string>,
  createdBlocks: ReadonlyArray<{ ipAddress: string; vnicId: string; cidrPrefixLength?: number; offer: number }> = [],
): PoolAfterExecution {
  const pool: Record<string, AllocationIp> = { ...planned };
  const heldBack: string[] = [];
  for (const ip of created) {
    if (releasedInStatus.has(ip.ipAddress)) heldBack.push(ip.ipAddress);
    else pool[ip.ipAddress] = { resource: ip.vnicId };
  }
  for (const block of createdBlocks) {
    let offered = 0;
    for (const address of blockAddresses(block.ipAddress, block.cidrPrefixLength ?? 32)) {
      if (offered >= block.offer) break;
      if (releasedInStatus.has(address)) {
        heldBack.push(address);
        continue;
      }
      pool[address] = { resource: block.vnicId };
      offered++;
    }
  }
  for (const ip of deleted) delete pool[ip];
  return { pool: sortPool(pool), heldBack };
}

/**
 * Pool addresses OCI no longer has on the VNIC the pool names, from a re-list of those VNICs after the pool was
 * written (an operator, or anything else, deleted them between the observation and the write). A pool must never
 * offer such an address: the caller re-plans from a fresh observation, which drops it.
 */
export function missingPoolAddresses(
  pool: Record<string, AllocationIp>,
  present: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  return Object.entries(pool)
    .filter(
      ([ip, entry]) =>
        entry.resource !== undefined && present.has(entry.resource) && !present.get(entry.resource)!.has(ip),
    )
    .map(([ip]) => ip);
}
