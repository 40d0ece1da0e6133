import { effectivePreAllocate } from "../../lib/core/formulas";
import { countsFrom } from "./decision";
import type { ListWatchEvent } from "./adapters/list-watch";
import { summarizeCiliumNode, type CiliumNodeSummary } from "./node-summary";

/** A CiliumNode as the watcher keeps it (map sizes, watermarks, creation time: node-summary.ts). */
export type ProgressView = CiliumNodeSummary;

/** Maps a CiliumNode object as served (the watch's map function): its summary, with its creation time. */
export const toProgressView: (object: unknown) => ProgressView = summarizeCiliumNode;

/** Where a node stands, as far as the CiliumNode tells (the function's OciIpamNode record knows more). */
export type ProgressState = "ready" | "allocating" | "stalled" | "releasing";
export const PROGRESS_STATES: readonly ProgressState[] = ["ready", "allocating", "stalled", "releasing"];

export interface NodeProgressOptions {
  /** Milliseconds since the epoch (the watcher's scheduler). */
  now(): number;
  /** A node short of IPs whose pool has not changed for this long counts as `stalled` (default 300 s). */
  stallAfterMs?: number;
  /** Called once per node when its pool first holds pre-allocate IPs, with seconds since its creation. */
  onJoinToReady?(seconds: number): void;
}

interface Tracked {
  uid: string;
  /** Pool size at the last event. */
  available: number;
  /** While the node is short of IPs: since when its pool has been unchanged (or it has been short, if later). */
  shortSince?: number;
  releasing: boolean;
  /** The join → ready time was recorded, or cannot be (the node was ready when this process first saw it). */
  readyDone: boolean;
}

/**
 * Follows each CiliumNode's progress from the list/watch events, for two things the CiliumNode alone cannot say at
 * one instant:
 * - the join → ready SLI: seconds from `metadata.creationTimestamp` to the first event in which
 *   `len(spec.ipam.pool)` reaches the node's pre-allocate (8 when unset, capped by a non-zero max-allocate), the
 *   same definition as `ocipam local`'s joinToReady. Nodes that were already ready in this process's first list are
 *   not recorded (their ready moment is unknown); nodes created later, or first seen short, are.
 * - stalls: how long a node short of IPs (Cilium's needed > 0) has gone without its pool changing. The function
 *   acts within seconds of a nudge, so a long stall means the node is at capacity (its shape's VNIC limit; the
 *   OciIpamNode record says `AtCapacity`) or allocations fail (the record's reason says why).
 * Times are this replica's clock; the creation time is the API server's (whole seconds), so a duration is accurate to
 * about a second and never negative.
 */
export class NodeProgress {
  private readonly nodes = new Map<string, Tracked>();
  private listedOnce = false;
  private readonly stallAfterMs: number;

  constructor(private readonly options: NodeProgressOptions) {
    this.stallAfterMs = options.stallAfterMs ?? 300_000;
  }

  /** Called with every list/watch event about CiliumNodes, after the nudge logic saw it. */
  apply(event: ListWatchEvent<ProgressView>): void {
    switch (event.type) {
      case "synced": {
        const first = !this.listedOnce;
        this.listedOnce = true;
        const present = new Set(event.items.map((n) => n.name));
        for (const name of [...this.nodes.keys()]) if (!present.has(name)) this.nodes.delete(name);
        for (const view of event.items) this.upsert(view, first);
        return;
      }
      case "upsert":
        this.upsert(event.item, false);
        return;
      case "delete":
        this.nodes.delete(event.name);
        return;
    }
  }

  /** Called at scrape time: nodes per state. */
  stateCounts(): Record<ProgressState, number> {
    const counts: Record<ProgressState, number> = { ready: 0, allocating: 0, stalled: 0, releasing: 0 };
    const now = this.options.now();
    for (const t of this.nodes.values()) counts[this.stateOf(t, now)]++;
    return counts;
  }

  /** Called at scrape time: for every node short of IPs, seconds its pool has been unchanged while short. */
  *stalledSeconds(): Iterable<{ name: string; seconds: number }> {
    const now = this.options.now();
    for (const [name, t] of this.nodes) {
      if (t.shortSince !== undefined) yield { name, seconds: Math.max(0, now - t.shortSince) / 1000 };
    }
  }

  private stateOf(t: Tracked, now: number): ProgressState {
    if (t.shortSince !== undefined) return now - t.shortSince >= this.stallAfterMs ? "stalled" : "allocating";
    return t.releasing ? "releasing" : "ready";
  }

  private upsert(view: ProgressView, initialList: boolean): void {
    const now = this.options.now();
    const counts = countsFrom(view);
    const known = this.nodes.get(view.name);
    // Same name, new uid: the node was deleted and created again while the watch was away (a relist shows it).
    const previous = known && known.uid === view.uid ? known : undefined;
    const short = counts.needed > 0;
    let shortSince: number | undefined;
    if (short) {
      const unchanged = previous?.shortSince !== undefined && previous.available === counts.available;
      shortSince = unchanged ? previous.shortSince : now;
    }
    const ready = counts.available >= readyThreshold(view);
    let readyDone = previous?.readyDone ?? false;
    if (!previous && ready && initialList) readyDone = true; // ready before we looked: its ready moment is unknown
    if (!readyDone && ready) {
      readyDone = true;
      if (view.createdAtMs !== undefined) this.options.onJoinToReady?.(Math.max(0, now - view.createdAtMs) / 1000);
    }
    const releasing = view.releasing > 0;
    const tracked: Tracked = { uid: view.uid, available: counts.available, releasing, readyDone };
    if (shortSince !== undefined) tracked.shortSince = shortSince;
    this.nodes.set(view.name, tracked);
  }
}

/** Pre-allocate (Cilium's default 8 when 0 or unset), capped by a non-zero max-allocate. */
function readyThreshold(view: ProgressView): number {
  const pre = effectivePreAllocate(view.preAllocate);
  const max = view.maxAllocate ?? 0;
  return max > 0 ? Math.min(pre, max) : pre;
}
