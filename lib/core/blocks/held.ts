import type { AllocationIp, ObservedPrivateIp, ObservedState, PlannerConfig } from "../model";
import { isOwnedSecondaryIp } from "../ownership";
import { blockAddresses, blockSize, compareAddresses } from "./cidr";

/**
 * The node's IP CIDR blocks: private-IP objects that carry a whole aligned block. OCI counts one such object as ONE
 * of the VNIC's private-IP objects ("Private IP Addresses", docs.oracle.com/iaas/Content/Network/Tasks/
 * managingIPaddresses.htm, 2026), so a VNIC of 31 objects holds 31 × 16 addresses with /28 blocks.
 */

/** The allowed prefix lengths: OCI documents /18 to /31; the core reasons about at most 256 addresses per object. */
export const MIN_BLOCK_PREFIX_LENGTH = 24;
export const MAX_BLOCK_PREFIX_LENGTH = 32;

export interface HeldBlock {
  privateIpId: string;
  vnicId: string;
  /** The block's first address (PrivateIp.ipAddress). */
  ipAddress: string;
  prefixLength: number;
  addresses: string[];
}

/** True for an IP CIDR address (a block of two or more addresses), false for a single address. */
export function isBlock(ip: Pick<ObservedPrivateIp, "cidrPrefixLength">): boolean {
  return ip.cidrPrefixLength !== undefined && ip.cidrPrefixLength < 32;
}

/** The prefix length new objects get: 32 (single addresses) unless block mode is configured. */
export function configuredPrefixLength(config: Pick<PlannerConfig, "ipBlockPrefixLength">): number {
  return config.ipBlockPrefixLength ?? 32;
}

export function blockMode(config: Pick<PlannerConfig, "ipBlockPrefixLength">): boolean {
  return configuredPrefixLength(config) < 32;
}

/** Addresses one new object carries (1 for single addresses). */
export function addressesPerObject(config: Pick<PlannerConfig, "ipBlockPrefixLength">): number {
  return blockSize(configuredPrefixLength(config));
}

/** Every address of an allocator-owned block on the given VNICs, block by block, each with its VNIC. */
export function heldBlocks(
  observed: ObservedState,
  vnics: ReadonlyArray<{ vnicId: string; privateIps: ObservedPrivateIp[] }>,
): HeldBlock[] {
  const node = observed.ciliumNode.name;
  const out: HeldBlock[] = [];
  for (const vnic of vnics) {
    for (const ip of vnic.privateIps) {
      if (!isBlock(ip) || !isOwnedSecondaryIp(ip, observed.config, node, observed.instance.id)) continue;
      const prefixLength = ip.cidrPrefixLength!;
      const addresses = blockAddresses(ip.ipAddress, prefixLength);
      out.push({ privateIpId: ip.id, vnicId: vnic.vnicId, ipAddress: ip.ipAddress, prefixLength, addresses });
    }
  }
  return out.sort((a, b) => compareAddresses(a.ipAddress, b.ipAddress));
}

/** How many addresses of the block are offered (in `pool`) or used. */
export function blockFill(
  block: HeldBlock,
  pool: Record<string, AllocationIp>,
  used: Record<string, AllocationIp>,
): number {
  return block.addresses.filter((a) => pool[a] !== undefined || used[a] !== undefined).length;
}

/**
 * Cilium's agent in crd mode takes pool addresses in no order (it ranges over a Go map, pkg/ipam/crd.go), so a block
 * whose addresses were all offered would fragment and never empty. Only the addresses the watermarks ask for are
 * offered: `count` more of the held-but-unoffered addresses, from the fullest blocks first (then the lowest block,
 * then the lowest address), never one the agent still lists as `released` (it drops that entry only once the address
 * has left the pool).
 */
export function addressesToOffer(
  blocks: readonly HeldBlock[],
  pool: Record<string, AllocationIp>,
  observed: ObservedState,
  count: number,
): Array<{ address: string; vnicId: string }> {
  if (count <= 0) return [];
  const { used, releaseIps } = observed.ciliumNode;
  const fill = (b: HeldBlock) => blockFill(b, pool, used);
  const ordered = [...blocks].sort((a, b) => fill(b) - fill(a) || compareAddresses(a.ipAddress, b.ipAddress));
  const out: Array<{ address: string; vnicId: string }> = [];
  for (const block of ordered) {
    for (const address of block.addresses) {
      if (out.length >= count) return out;
      if (pool[address] !== undefined || releaseIps[address] !== undefined) continue;
      out.push({ address, vnicId: block.vnicId });
    }
  }
  return out;
}

/** Addresses of the blocks not in the pool (held in OCI, not offered to Cilium). */
export function unofferedCount(blocks: readonly HeldBlock[], pool: Record<string, AllocationIp>): number {
  return blocks.reduce((n, b) => n + b.addresses.filter((a) => pool[a] === undefined).length, 0);
}

/**
 * Blocks that may be deleted in OCI: none of their addresses offered in `pool` (the pool this plan writes) or used
 * by the agent, and none with a release entry still open (marked or ready: such an address is still in the pool).
 */
export function releasableBlocks(
  blocks: readonly HeldBlock[],
  pool: Record<string, AllocationIp>,
  observed: ObservedState,
): HeldBlock[] {
  const { used, releaseIps } = observed.ciliumNode;
  const idle = (a: string) =>
    pool[a] === undefined && used[a] === undefined && (releaseIps[a] === undefined || releaseIps[a] === "released");
  return blocks.filter((b) => b.addresses.every(idle));
}
