import type { AllocationIp, ObservedState, ObservedVnic } from "./model";
import { blockAddresses } from "./blocks/cidr";
import { isBlock } from "./blocks/held";
import { isOwnedSecondaryIp, vnicExclusion } from "./ownership";

/**
 * `spec.ipam.pool` rebuilt from OCI: every allocator-owned secondary IP on a usable VNIC (created for this node, or
 * by a prewarm on its instance before the node existed: adopted here), with the VNIC OCID as resource and no owner
 * (Cilium's cloud IPAM replaces the pool wholesale from the cloud the same way). A VNIC's primary IP never enters the
 * pool. IPs already `released` in the handshake stay out.
 *
 * An address in `status.ipam.used` stays in the pool whatever happened to its VNIC's eligibility (first-interface-
 * index raised, an exclusion tag added, the attachment briefly not ATTACHED) as long as OCI still has it on the
 * instance, or its VNIC cannot be seen right now: the agent would otherwise see a pod's address leave the pool, and
 * the only way out of the pool for an address is Cilium's release handshake (see {@link keptInUse}).
 *
 * An IP CIDR block (lib/core/blocks) is one object of many addresses: only those already offered (in the pool as
 * read) or used stay offered; the others are held in OCI but unoffered until the watermarks ask for them (the
 * planner adds them, fullest block first).
 */
export function rebuildPool(observed: ObservedState): Record<string, AllocationIp> {
  const node = observed.ciliumNode.name;
  const pool: Record<string, AllocationIp> = {};
  for (const vnic of usableVnics(observed)) {
    for (const ip of vnic.privateIps) {
      if (!isOwnedSecondaryIp(ip, observed.config, node, observed.instance.id)) continue;
      if (isBlock(ip)) {
        for (const address of blockAddresses(ip.ipAddress, ip.cidrPrefixLength!)) {
          if (observed.ciliumNode.releaseIps[address] === "released") continue;
          const { pool: current, used } = observed.ciliumNode;
          if (current[address] !== undefined || used[address] !== undefined) pool[address] = { resource: vnic.vnicId };
        }
        continue;
      }
      if (observed.ciliumNode.releaseIps[ip.ipAddress] === "released") continue;
      pool[ip.ipAddress] = { resource: vnic.vnicId };
    }
  }
  Object.assign(pool, keptInUse(observed, pool));
  return sortPool(pool);
}

/**
 * Addresses in `status.ipam.used` and in the current pool that the usable-VNIC rule would drop, kept with their
 * resource: the address is still a secondary IP of one of the instance's VNICs in OCI (whatever that VNIC's
 * eligibility now), or it sits on a VNIC whose attachment is observed but not ATTACHED (its IPs cannot be listed
 * now). An address OCI no longer has on any observed VNIC is not kept: it is gone, and keeping it would hand it out.
 */
export function keptInUse(observed: ObservedState, pool: Record<string, AllocationIp>): Record<string, AllocationIp> {
  const { ciliumNode: node } = observed;
  const kept: Record<string, AllocationIp> = {};
  const onInstance = new Map<string, string>();
  const unobservable = new Set<string>();
  for (const vnic of observed.vnics) {
    if (!vnic.vnicId) continue;
    if (vnic.attachmentState !== "ATTACHED") unobservable.add(vnic.vnicId);
    for (const ip of vnic.privateIps) {
      if (ip.isPrimary) continue;
      for (const address of isBlock(ip) ? blockAddresses(ip.ipAddress, ip.cidrPrefixLength!) : [ip.ipAddress])
        onInstance.set(address, vnic.vnicId);
    }
  }
  for (const address of Object.keys(node.used)) {
    const current = node.pool[address];
    if (pool[address] || !current) continue;
    const vnicId = onInstance.get(address);
    if (vnicId) kept[address] = { resource: vnicId };
    else if (current.resource && unobservable.has(current.resource)) kept[address] = { resource: current.resource };
  }
  return kept;
}

/** VNICs the allocator may put pod IPs on, in the deterministic order used everywhere: index, then OCID. */
export function usableVnics(observed: ObservedState): Array<ObservedVnic & { vnicId: string }> {
  return observed.vnics
    .filter(
      (vnic): vnic is ObservedVnic & { vnicId: string } =>
        vnicExclusion(vnic, observed.config, observed.ciliumNode.name, observed.instance.id) === undefined,
    )
    .sort(compareVnics);
}

export function compareVnics(a: ObservedVnic, b: ObservedVnic): number {
  return a.index - b.index || (a.vnicId ?? a.attachmentId).localeCompare(b.vnicId ?? b.attachmentId);
}

/** Secondary IPs on a VNIC, whoever created them: all count against the VNIC's limit. */
export function secondaryIpCount(vnic: ObservedVnic): number {
  return vnic.privateIps.filter((ip) => !ip.isPrimary).length;
}

/** Orders a pool map by IP address so that written maps and printed plans are stable. */
export function sortPool(pool: Record<string, AllocationIp>): Record<string, AllocationIp> {
  return Object.fromEntries(Object.entries(pool).sort(([a], [b]) => compareIpv4(a, b)));
}

export function compareIpv4(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}
