import { blockSize, intToIpv4, type Ipv4Range, mergeRanges, parseCidr, subtractRanges } from "./cidr";

/**
 * Where new IP CIDR blocks go inside a subnet. OCI makes the caller choose: `cidrPrefixLength` is used "when combined
 * with the ipAddress field" and the block "must be within the subnet's CIDR and … should not collide with any
 * existing IPv4 address allocation" (oci-core lib/model/create-private-ip-details.d.ts, SDK 2.139.1). Pure: the
 * answer depends only on the subnet's blocks and what OCI reported as allocated.
 */

export interface SubnetSpace {
  /** Every IPv4 CIDR block of the subnet (Subnet.ipv4CidrBlocks). */
  cidrBlocks: readonly string[];
  /**
   * What is allocated in it, in CIDR notation ("10.0.1.7/32", "10.0.1.16/28"): the subnet's IP inventory entries
   * plus anything the caller already chose this round.
   */
  allocations: readonly string[];
}

/** One block to create, with the addresses to try in order: the first is the best fit, the others are fall-backs. */
export interface BlockPlacement {
  candidates: string[];
}

/** Candidates per block: the first choice and two alternatives when another allocator takes it first (409). */
export const BLOCK_CANDIDATES = 3;

/**
 * Each block of the subnet reserves its first two and its last address ("the first two addresses and the last in the
 * subnet's CIDR are reserved", docs.oracle.com/iaas/Content/Network/Tasks/Overview_of_VCNs_and_Subnets.htm; applied
 * per block, as the emulator does). An IP CIDR address may not cover them.
 */
export function reservedRanges(cidrBlocks: readonly string[]): Ipv4Range[] {
  return cidrBlocks.flatMap((b) => {
    const r = parseCidr(b);
    return r.size < 4
      ? [r]
      : [
          { start: r.start, size: 2 },
          { start: r.start + r.size - 1, size: 1 },
        ];
  });
}

/** Free space of the subnet: its blocks minus the reserved addresses minus every allocation. */
export function freeRanges(space: SubnetSpace): Ipv4Range[] {
  const blocks = space.cidrBlocks.map(parseCidr);
  const taken = [...reservedRanges(space.cidrBlocks), ...space.allocations.map(parseAllocation)];
  return subtractRanges(blocks, taken);
}

/** Number of disjoint aligned free blocks of this prefix length: the subnet's capacity in blocks. */
export function freeAlignedBlocks(space: SubnetSpace, prefixLength: number): number {
  return alignedCandidates(freeRanges(space), prefixLength).length;
}

/**
 * Chooses `count` blocks of `prefixLength` (fewer when the subnet has fewer aligned free blocks), each with up to
 * {@link BLOCK_CANDIDATES} distinct candidate addresses no other block of the answer uses. Best fit: a candidate whose
 * enclosing free aligned region is the smallest comes first (a hole that fits exactly before a piece of a large free
 * region), then the lowest address; each choice is taken out of the free space before the next, so large aligned
 * regions stay whole for as long as possible.
 */
export function placeBlocks(space: SubnetSpace, prefixLength: number, count: number): BlockPlacement[] {
  if (count <= 0) return [];
  let free = freeRanges(space);
  const picks: number[] = [];
  const wanted = count * BLOCK_CANDIDATES;
  const size = blockSize(prefixLength);
  while (picks.length < wanted) {
    const best = bestFit(free, prefixLength);
    if (best === undefined) break;
    picks.push(best);
    free = subtractRanges(free, [{ start: best, size }]);
  }
  const blocks = Math.min(count, picks.length);
  return Array.from({ length: blocks }, (_, i) => ({
    candidates: Array.from({ length: BLOCK_CANDIDATES }, (_, k) => picks[i + k * blocks])
      .filter((p): p is number => p !== undefined)
      .map(intToIpv4),
  }));
}

function bestFit(free: readonly Ipv4Range[], prefixLength: number): number | undefined {
  let best: { start: number; region: number } | undefined;
  const size = blockSize(prefixLength);
  for (const range of free) {
    for (let start = Math.ceil(range.start / size) * size; start + size <= range.start + range.size; start += size) {
      const region = enclosingRegion(range, start, size);
      // Ranges and candidates come in address order: the first exact fit is the answer.
      if (region === size) return start;
      if (!best || region < best.region) best = { start, region };
    }
  }
  return best?.start;
}

/** The largest aligned power-of-two region containing the block `start/size` that lies wholly inside `range`. */
function enclosingRegion(range: Ipv4Range, start: number, size: number): number {
  let region = size;
  for (;;) {
    const next = region * 2;
    const base = start - (start % next);
    if (next > 2 ** 32 || base < range.start || base + next > range.start + range.size) return region;
    region = next;
  }
}

function alignedCandidates(free: readonly Ipv4Range[], prefixLength: number): number[] {
  const size = blockSize(prefixLength);
  const out: number[] = [];
  for (const range of free) {
    const end = range.start + range.size;
    for (let start = Math.ceil(range.start / size) * size; start + size <= end; start += size) out.push(start);
  }
  return out;
}

/** An inventory entry: "10.0.1.7", "10.0.1.7/32" or "10.0.1.16/28". */
function parseAllocation(entry: string): Ipv4Range {
  return parseCidr(entry);
}

/** Allocations as merged ranges (for callers that add what they chose). */
export function mergedAllocations(entries: readonly string[]): Ipv4Range[] {
  return mergeRanges(entries.map(parseAllocation));
}
