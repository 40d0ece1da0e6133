import type { StreamEntry } from "../contracts";
import { entryJsonBytes, REQUEST_ENVELOPE_BYTES } from "./publisher";
import type { Scheduler } from "./scheduler";

export interface BatchItem<T> {
  entry: StreamEntry;
  meta: T;
}

export interface BatcherOptions<T> {
  /** Most entries in one request. */
  maxMessages: number;
  /** Most bytes of one request's JSON body. */
  maxBytes: number;
  /** How long the first queued entry waits for company before a partial batch goes out. */
  flushMs: number;
  scheduler: Scheduler;
  /** Sends one batch; the batcher waits for it before sending the next. Must not reject. */
  send(items: Array<BatchItem<T>>): Promise<void>;
}

/**
 * Groups entries into PutMessages requests: a batch leaves when it is full (count or bytes) or `flushMs` after
 * its first entry was queued, so a burst (100 nodes joining) goes out in a few requests while a lone nudge waits at
 * most `flushMs`. One request at a time: entries about one node keep their order, and what piles up during a
 * request leaves right after it.
 */
export class PutBatcher<T> {
  private queue: Array<BatchItem<T> & { bytes: number }> = [];
  private queuedBytes = 0;
  private cancelTimer: (() => void) | undefined;
  private sending: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: BatcherOptions<T>) {
    if (!(options.maxMessages >= 1)) throw new RangeError("maxMessages must be at least 1");
    if (!(options.maxBytes > REQUEST_ENVELOPE_BYTES)) throw new RangeError("maxBytes is too small for any request");
  }

  /** Called for each nudge to publish. */
  add(entry: StreamEntry, meta: T): void {
    const bytes = entryJsonBytes(entry);
    this.queue.push({ entry, meta, bytes });
    this.queuedBytes += bytes;
    if (this.sending) return; // the running request's completion sends what piled up
    if (this.isFull()) this.kick();
    else if (!this.cancelTimer)
      this.cancelTimer = this.options.scheduler.after(this.options.flushMs, () => this.kick());
  }

  /** Called when leadership is lost or at shutdown: drops what has not been sent yet and returns it. */
  clear(): Array<BatchItem<T>> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const dropped = this.queue.map(({ entry, meta }) => ({ entry, meta }));
    this.queue = [];
    this.queuedBytes = 0;
    this.notifyIdle();
    return dropped;
  }

  /** Entries queued and not yet handed to `send`. */
  pending(): number {
    return this.queue.length;
  }

  /** Resolves once nothing is queued and no request is running. */
  idle(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isFull(): boolean {
    return (
      this.queue.length >= this.options.maxMessages ||
      REQUEST_ENVELOPE_BYTES + this.queuedBytes >= this.options.maxBytes
    );
  }

  private kick(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.sending || this.queue.length === 0) return;
    const batch = this.take();
    this.sending = this.options
      .send(batch)
      // send must not reject; if it does anyway, the batch is lost but the batcher keeps going.
      .catch(() => undefined)
      .finally(() => {
        this.sending = undefined;
        // Whatever queued meanwhile has waited at least one request already: send it now.
        if (this.queue.length > 0) this.kick();
        else this.notifyIdle();
      });
  }

  /** The next batch: entries in order while count and bytes stay within limits (always at least one). */
  private take(): Array<BatchItem<T>> {
    let bytes = REQUEST_ENVELOPE_BYTES;
    let n = 0;
    while (n < this.queue.length && n < this.options.maxMessages) {
      const next = this.queue[n]!.bytes;
      if (n > 0 && bytes + next > this.options.maxBytes) break;
      bytes += next;
      n++;
    }
    const taken = this.queue.splice(0, n);
    for (const t of taken) this.queuedBytes -= t.bytes;
    return taken.map(({ entry, meta }) => ({ entry, meta }));
  }

  private notifyIdle(): void {
    if (this.sending || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
