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
      entry.snapshot = current;
      return !entry.inFlight && entry.dueAt <= now ? this.emit(entry, true) : undefined;
    }
    const fresh: Entry = { snapshot: current, ticket: 0, inFlight: false, dueAt: now, failures: 0 };
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
    entry.dueAt = now + this.options.resyncMs;
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

  private emit(entry: Entry, repeat: boolean): EmitRequest {
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
