/**
 * The stream of CiliumNode changes the watcher benchmark applies: what agents and the allocator write in a steady,
 * busy cluster. Pure and seeded, so the same seed gives the same changes.
 *
 * Every node starts with a pool of 18 and 10 IPs used (pool − used = 8 = pre-allocate: nothing needed). Each change
 * picks a node at random:
 * - a node short of its watermark (pool − used < 8) gets, half of the time, the allocator's pool write that refills it
 *   (pool = used + 8), and otherwise another agent status write;
 * - an agent status write moves `used` by −2…+2 (pods come and go; never below 0 nor above the pool).
 */

export interface NodeCounts {
  pool: number;
  used: number;
}

export type WatcherChange =
  | { kind: "status"; node: number; used: number }
  | { kind: "pool"; node: number; pool: number };

export const PRE_ALLOCATE = 8;
export const INITIAL: NodeCounts = { pool: 18, used: 10 };

export function needsAddresses(n: NodeCounts): boolean {
  return n.pool - n.used < PRE_ALLOCATE;
}

/** Picks and applies the next change to `nodes` (mutated), returning it. */
export function nextChange(nodes: NodeCounts[], random: () => number): WatcherChange {
  const i = Math.floor(random() * nodes.length);
  const node = nodes[i]!;
  if (needsAddresses(node) && random() < 0.5) {
    node.pool = node.used + PRE_ALLOCATE;
    return { kind: "pool", node: i, pool: node.pool };
  }
  const step = Math.floor(random() * 5) - 2;
  node.used = Math.min(Math.max(node.used + step, 0), node.pool);
  return { kind: "status", node: i, used: node.used };
}

/** `n` IPs named deterministically (10.64.0.0/10 is plenty for 5,000 × 60). */
export function ips(node: number, n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, k) => {
    const v = node * 64 + k + offset;
    return `10.${64 + Math.floor(v / 65536)}.${Math.floor(v / 256) % 256}.${v % 256}`;
  });
}
