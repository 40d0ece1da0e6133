import type { NodeNudgeReason, ObservedCounts } from "../contracts";

/** What the watcher knows about one node at one moment (from its CiliumNode). */
export interface NodeSnapshot {
  name: string;
  uid: string;
  resourceVersion: string;
  /** Undefined: the node needs nothing. */
  reason: NodeNudgeReason | undefined;
  observed: ObservedCounts;
}

/** One nudge to publish now. `ticket` identifies this emission in {@link NudgeCoalescer.published}/`failed`. */
export interface EmitRequest {
  ticket: number;
  node: string;
  uid: string;
  resourceVersion: string;
  reason: NodeNudgeReason;
  observed: ObservedCounts;
  /** True when this is a re-emission of an unresolved node (resync timer or retry after a failed publish). */
  repeat: boolean;
}

export interface CoalescerOptions {
  /** A node still unresolved this long after its nudge was published is nudged again. */
  resyncMs: number;
  /**
   * Cap of the re-nudge interval of a node that stays unresolved without changing: the interval doubles from
   * `resyncMs` with each re-emission of the same state, up to this (default `resyncMs`: no backoff).
   */
  resyncMaxMs?: number;
  /** First delay before re-emitting a nudge whose publish failed; doubles per consecutive failure. */
  failureRetryMs: number;
  /** Cap of that delay (at most resyncMs). */
  failureRetryMaxMs: number;
}

interface Entry {
  snapshot: NodeSnapshot & { reason: NodeNudgeReason };
  ticket: number;
  /** Publish in progress: nothing more is emitted for the node until it resolves. */
  inFlight: boolean;
  /** When the node may be nudged again if it is still unresolved. */
  dueAt: number;
  failures: number;
  /** Re-emissions of an unchanged state since the node last changed: the re-nudge interval is resync × 2^repeats. */
  repeats: number;
  /** The node changed since its last emission (the next one is not a repeat of the same state). */
  changed: boolean;
  /** When its last nudge reached the stream (undefined before the first). */
  publishedAt?: number;
}

/**
 * At most one outstanding nudge per (node, reason). Pure state: every method takes `now` (milliseconds), so it is
 * tested with a fake clock.
 *
 * - A node that starts needing something (or needs it for a different reason) is emitted at once.
 * - While its nudge is outstanding (in flight, or published less than `resyncMs` ago), further changes of the
 *   same node for the same reason emit nothing: the function re-reads the node anyway.
 * - A node still unresolved `resyncMs` after its nudge was published is emitted again ({@link tick}).
 * - A node that needs nothing emits nothing and forgets its entry, so the function's own writes (pool grows →
 *   no deficit) end the conversation instead of looping; a later new need is emitted at once.
 * - A failed publish is retried after a backoff rather than waiting for the resync interval.
 * - A node that stays unresolved without changing (at capacity: the shape has no VNIC slot left; or an allocation
 *   that keeps failing) is re-nudged after growing intervals: resync, 2×, 4×, … up to `resyncMaxMs`. When what the
 *   decision reads changes (counts, watermarks, uid), the interval is back to `resyncMs`, counted from the last
 *   publish: a change that leaves the node short is nudged at once if that is already past, so each change still
 *   costs at most one nudge and a backed-off node is never stuck behind a stale timer.
 */
export class NudgeCoalescer {
  private readonly entries = new Map<string, Entry>();
  private nextTicket = 1;

  constructor(private readonly options: CoalescerOptions) {
    if (!(options.resyncMs > 0)) throw new RangeError("resyncMs must be positive");
    if (!(options.failureRetryMs > 0)) throw new RangeError("failureRetryMs must be positive");
  }

  /**
   * Called for every observed state of a node (watch event, relist, leadership gained). Returns the nudge to emit
   * now, or undefined.
   */
  observe(snapshot: NodeSnapshot, now: number): EmitRequest | undefined {
    const { reason } = snapshot;
    if (reason === undefined) {
      this.entries.delete(snapshot.name);
      return undefined;
    }
    const current = { ...snapshot, reason };
    const entry = this.entries.get(snapshot.name);
    if (entry && entry.snapshot.reason === reason) {
      // Same need: keep the latest counts for a later re-emission, emit only if the entry is due anyway.
      if (changed(entry.snapshot, current)) {
        // The node changed: back to the base interval, counted from the last publish (a failure keeps its retry).
        if (!entry.inFlight && entry.failures === 0 && entry.publishedAt !== undefined) {
          entry.dueAt = Math.min(entry.dueAt, entry.publishedAt + this.options.resyncMs);
        }
        entry.repeats = 0;
        entry.changed = true;
      }
      entry.snapshot = current;
      return !entry.inFlight && entry.dueAt <= now ? this.emit(entry, true) : undefined;
    }
    const fresh: Entry = {
      snapshot: current,
      ticket: 0,
      inFlight: false,
      dueAt: now,
      failures: 0,
      repeats: 0,
      changed: false,
    };
    this.entries.set(snapshot.name, fresh);
    return this.emit(fresh, false);
  }

  /** Called when the node's CiliumNode is deleted: its state is dropped. */
  forget(name: string): void {
    this.entries.delete(name);
  }

  /** Names of the nodes the coalescer tracks (unresolved ones). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Unresolved nodes whose re-nudge interval has grown past `resyncMs` because they did not change (metrics). */
  backedOff(): number {
    let n = 0;
    for (const entry of this.entries.values()) if (this.intervalOf(entry) > this.options.resyncMs) n++;
    return n;
  }

  /** Called periodically: the re-emissions that are due (unresolved nodes past their resync or retry time). */
  tick(now: number): EmitRequest[] {
    const due: EmitRequest[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.inFlight && entry.dueAt <= now) due.push(this.emit(entry, true));
    }
    return due;
  }

  /** Called when the nudge with `ticket` reached the stream: the node is quiet for `resyncMs`. */
  published(node: string, ticket: number, now: number): void {
    const entry = this.current(node, ticket);
    if (!entry) return;
    entry.inFlight = false;
    entry.failures = 0;
    entry.publishedAt = now;
    entry.dueAt = now + this.intervalOf(entry);
  }

  /** Called when the nudge with `ticket` could not be published: it is retried after a growing delay. */
  failed(node: string, ticket: number, now: number): void {
    const entry = this.current(node, ticket);
    if (!entry) return;
    entry.inFlight = false;
    entry.failures += 1;
    const cap = Math.min(this.options.failureRetryMaxMs, this.options.resyncMs);
    entry.dueAt = now + Math.min(cap, this.options.failureRetryMs * 2 ** (entry.failures - 1));
  }

  /**
   * Called when leadership changes: forgets what was emitted. A new leader does not know what its predecessor
   * published, so it re-emits every unresolved node once (duplicates are harmless: nudges are hints).
   */
  reset(): void {
    this.entries.clear();
  }

  private current(node: string, ticket: number): Entry | undefined {
    const entry = this.entries.get(node);
    // A late answer about an emission that was superseded (new reason, forgotten node, reset) changes nothing.
    return entry && entry.ticket === ticket ? entry : undefined;
  }

  /** The re-nudge interval after a publish: resync × 2^repeats, capped. */
  private intervalOf(entry: Entry): number {
    const cap = Math.max(this.options.resyncMs, this.options.resyncMaxMs ?? this.options.resyncMs);
    return Math.min(cap, this.options.resyncMs * 2 ** Math.min(entry.repeats, 30));
  }

  private emit(entry: Entry, repeat: boolean): EmitRequest {
    // A re-emission of the same state after a successful publish (not a retry of a failed one) backs off.
    if (repeat && !entry.changed && entry.failures === 0 && entry.publishedAt !== undefined) entry.repeats++;
    entry.changed = false;
    entry.ticket = this.nextTicket++;
    entry.inFlight = true;
    const s = entry.snapshot;
    return {
      ticket: entry.ticket,
      node: s.name,
      uid: s.uid,
      resourceVersion: s.resourceVersion,
      reason: s.reason,
      observed: { ...s.observed },
      repeat,
    };
  }
}

/** Whether what the decision reads differs between two snapshots of a node (resourceVersion alone is no change). */
function changed(a: NodeSnapshot, b: NodeSnapshot): boolean {
  const x = a.observed;
  const y = b.observed;
  if (a.uid !== b.uid) return true;
  return x.available !== y.available || x.used !== y.used || x.needed !== y.needed || x.excess !== y.excess;
}
