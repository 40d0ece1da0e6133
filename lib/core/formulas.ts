/**
 * Cilium's IPAM watermark formulas, reproduced exactly from cilium/cilium `pkg/ipam/node.go`
 * (`calculateNeededIPs`, `calculateExcessIPs`, read at commit 0013798) and checked against the rows of
 * `pkg/ipam/node_test.go` (commit 1286c38). Pure functions: no I/O, no defaults hidden inside.
 */

/** Cilium's `defaults.IPAMPreAllocation`: used when `spec.ipam.pre-allocate` is 0 or absent. */
export const DEFAULT_PRE_ALLOCATE = 8;

/**
 * How many IPs must be added so that `pre` IPs stay free, at least `min` IPs exist, and never more than `max`
 * (when > 0). `pre` is taken as given: apply {@link effectivePreAllocate} first, as Cilium's `getPreAllocate` does.
 */
export function calculateNeededIps(available: number, used: number, pre: number, min: number, max: number): number {
  let needed = pre - (available - used);
  if (min > 0) needed = Math.max(needed, min - available);
  // With max-allocate set, only what can still be allocated under it.
  if (max > 0 && available + needed > max) needed = max - available;
  return Math.max(needed, 0);
}

/**
 * How many IPs are above what the watermarks want. Nothing is excess while the initial `min + maxAbove`
 * allocation has not been used up; above it, everything beyond used + pre + maxAbove is excess.
 *
 * Cilium main later added a branch returning `available - (min + maxAbove)` when `used + pre <= min + maxAbove`;
 * this project follows the formula of the design (the classic one), see the formula tests for the one row where
 * the two differ.
 */
export function calculateExcessIps(
  available: number,
  used: number,
  pre: number,
  min: number,
  maxAbove: number,
): number {
  if (used <= min + maxAbove && available <= min + maxAbove) return 0;
  return Math.max(available - used - pre - maxAbove, 0);
}

/** `spec.ipam.pre-allocate`, or Cilium's default 8 when it is 0 or absent (`getPreAllocate`). */
export function effectivePreAllocate(specPreAllocate: number | undefined): number {
  return specPreAllocate && specPreAllocate > 0 ? specPreAllocate : DEFAULT_PRE_ALLOCATE;
}

/**
 * The most IPs a node can hold in its pool: one secondary-IP budget per usable VNIC slot. Slots below
 * `firstInterfaceIndex` are not used for pods (Cilium ENI `GetMaximumAllocatableIPv4`: `(adapters - index) * ips`).
 * Returns 0 when no slot is usable.
 */
export function nodeMaximumIps(maxVnicAttachments: number, firstInterfaceIndex: number, ipsPerVnic: number): number {
  const usableSlots = maxVnicAttachments - firstInterfaceIndex;
  return usableSlots > 0 && ipsPerVnic > 0 ? usableSlots * ipsPerVnic : 0;
}

/**
 * The pre-allocate value Cilium writes into a CiliumNode whose `pre-allocate` is 0
 * (`GetMinimumAllocatableIPv4`: `min(8, capacity)`; 0 when no slot is usable).
 */
export function nodeMinimumIps(maxVnicAttachments: number, firstInterfaceIndex: number, ipsPerVnic: number): number {
  return Math.min(DEFAULT_PRE_ALLOCATE, nodeMaximumIps(maxVnicAttachments, firstInterfaceIndex, ipsPerVnic));
}

/** The max-allocate Cilium uses: `spec.ipam.max-allocate` when > 0, else the node maximum (`getMaxAllocate`). */
export function effectiveMaxAllocate(specMaxAllocate: number | undefined, nodeMaximum: number): number {
  return specMaxAllocate && specMaxAllocate > 0 ? specMaxAllocate : nodeMaximum;
}

/**
 * Pods waiting for an IP beyond what `needed` already covers (`determineMaintenanceAction`: surge =
 * pending - needed when positive).
 */
export function surgeAllocation(pendingPods: number, needed: number): number {
  return pendingPods > needed ? pendingPods - needed : 0;
}
