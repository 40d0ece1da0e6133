import type { BlockRequest, ObservedSubnet, Reason } from "../model";
import { blockSize } from "./cidr";
import { placeBlocks, type SubnetSpace } from "./placement";

/**
 * The block-mode step of an allocation on one VNIC (pure): how many blocks the remaining need takes, where they go,
 * how many of each block's addresses are offered, and the retry token of every candidate.
 */
export interface VnicBlocks {
  blocks: BlockRequest[];
  /** Addresses offered from the blocks (≤ remaining). */
  offered: number;
}

/** The planning view of one subnet: its blocks and what is allocated, updated as the plan chooses blocks. */
export interface PlanningSpace extends SubnetSpace {
  allocations: string[];
  /** False when the subnet's allocations were not read: no block is placed blind. */
  known: boolean;
}

export function subnetSpace(subnet: ObservedSubnet): PlanningSpace {
  const cidrBlocks = subnet.cidrBlocks && subnet.cidrBlocks.length > 0 ? subnet.cidrBlocks : [subnet.cidrBlock];
  return { cidrBlocks, allocations: [...(subnet.allocations ?? [])], known: subnet.allocations !== undefined };
}

/**
 * Up to `room` blocks for `remaining` addresses in `space` (mutated: every candidate chosen is added to its
 * allocations, so the next VNIC in the same subnet never plans over it). Each block offers min(block size, what is
 * still needed); the last may be offered partly.
 */
export function planVnicBlocks(
  space: PlanningSpace,
  prefixLength: number,
  room: number,
  remaining: number,
  token: (candidate: string) => string,
): VnicBlocks {
  if (!space.known) return { blocks: [], offered: 0 };
  const size = blockSize(prefixLength);
  const wanted = Math.min(room, Math.ceil(remaining / size));
  const placements = placeBlocks(space, prefixLength, wanted);
  let left = remaining;
  const blocks = placements.map((p) => {
    const offer = Math.min(size, left);
    left -= offer;
    for (const c of p.candidates) space.allocations.push(`${c}/${prefixLength}`);
    return { candidates: p.candidates, retryTokens: p.candidates.map(token), offer };
  });
  return { blocks, offered: remaining - left };
}

/** The typed decision of a round that cannot place blocks in a subnet and creates single addresses instead. */
export function fallbackReason(
  subnetId: string,
  vnicId: string,
  prefixLength: number,
  count: number,
  hasInventory: boolean,
): Reason {
  const why = hasInventory
    ? `no aligned free /${prefixLength} block is left in subnet ${subnetId}`
    : `subnet ${subnetId}'s allocations are unknown`;
  const message = `${why}: ${count} single addresses on VNIC ${vnicId} this round; blocks are tried again next round`;
  return { code: "BlockFallbackSingle", message };
}
