/**
 * Watches CiliumNodes in the Kubernetes emulator's store and turns their changes into "deficit episodes": an episode
 * starts at the first version of a node whose pool is short of Cilium's watermark (`len(pool) − len(used) <
 * pre-allocate`, i.e. Cilium's `needed > 0` with no min/max set) and ends at the first later version where it no
 * longer is. The first episode of a node starts when its CiliumNode is created (empty pool): that one is "join →
 * pool ready". An episode opened by an agent's status write (usage went up) is "usage jump → pool refilled".
 *
 * Pure bookkeeping: `record` is fed every change with the simulated time it happened at; nothing here reads a clock.
 */

export interface Episode {
  node: string;
  /**
   * Simulated ms when the deficit became visible in the API (CiliumNode created, or the status write that raised used).
   */
  startSimMs: number;
  /** Simulated ms of the first version without deficit; undefined while open. */
  endSimMs?: number;
  /** What opened it: the CiliumNode's creation, a change of status.ipam.used (the agent's write), or anything else. */
  cause: "created" | "usage" | "other";
  /** Pool and used at the start. */
  pool: number;
  used: number;
}

export interface CiliumNodeChange {
  type: "ADDED" | "MODIFIED" | "DELETED";
  name: string;
  pool: number;
  used: number;
  preAllocate: number;
}

/** Cilium's default pre-allocate when the CiliumNode says 0 or nothing (pkg/ipam/node.go). */
export const DEFAULT_PRE_ALLOCATE = 8;

export class PoolTimeline {
  readonly episodes: Episode[] = [];
  private readonly open = new Map<string, Episode>();
  private readonly lastUsed = new Map<string, number>();

  /** Called with every change of every CiliumNode, in the order the store made them. */
  record(change: CiliumNodeChange, simMs: number): void {
    if (change.type === "DELETED") {
      this.open.delete(change.name);
      this.lastUsed.delete(change.name);
      return;
    }
    const pre = change.preAllocate > 0 ? change.preAllocate : DEFAULT_PRE_ALLOCATE;
    const short = change.pool - change.used < pre;
    const usageChanged = this.lastUsed.has(change.name) && this.lastUsed.get(change.name) !== change.used;
    this.lastUsed.set(change.name, change.used);
    const current = this.open.get(change.name);
    if (current && !short) {
      current.endSimMs = simMs;
      this.open.delete(change.name);
    } else if (!current && short) {
      const episode: Episode = {
        node: change.name,
        startSimMs: simMs,
        cause: change.type === "ADDED" ? "created" : usageChanged ? "usage" : "other",
        pool: change.pool,
        used: change.used,
      };
      this.episodes.push(episode);
      this.open.set(change.name, episode);
    }
  }

  /** Durations in simulated seconds of the closed episodes that started in [fromSimMs, toSimMs) and match `cause`. */
  durations(cause: Episode["cause"], fromSimMs = 0, toSimMs = Number.POSITIVE_INFINITY): number[] {
    return this.episodes
      .filter(
        (e) => e.cause === cause && e.endSimMs !== undefined && e.startSimMs >= fromSimMs && e.startSimMs < toSimMs,
      )
      .map((e) => (e.endSimMs! - e.startSimMs) / 1000);
  }

  /** The first episode of each node (its join), closed or not. */
  firstEpisodes(): Episode[] {
    const seen = new Set<string>();
    return this.episodes.filter((e) => (seen.has(e.node) ? false : (seen.add(e.node), true)));
  }

  /** Nodes with an episode still open. */
  openNodes(): string[] {
    return [...this.open.keys()];
  }
}

/** Reads the counts a CiliumNode change carries (the store hands over whole objects). */
export function changeOf(type: string, object: unknown): CiliumNodeChange | undefined {
  const o = object as {
    metadata?: { name?: string };
    spec?: { ipam?: { pool?: object; "pre-allocate"?: number } };
    status?: { ipam?: { used?: object } };
  };
  const name = o?.metadata?.name;
  if (!name || (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED")) return undefined;
  return {
    type,
    name,
    pool: Object.keys(o.spec?.ipam?.pool ?? {}).length,
    used: Object.keys(o.status?.ipam?.used ?? {}).length,
    preAllocate: o.spec?.ipam?.["pre-allocate"] ?? 0,
  };
}
