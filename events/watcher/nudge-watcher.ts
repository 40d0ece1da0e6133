import { OcipamError } from "../../lib/errors";
import { silentLogger, type Log } from "../../lib/log";
import {
  buildNudge,
  encodeNudgeForStream,
  type EventValidators,
  type NodeNudgeReason,
  type NodeNudgeType,
  type ObservedCounts,
} from "../contracts";
import { PutBatcher, type BatchItem } from "./batcher";
import { NudgeCoalescer, type EmitRequest, type NodeSnapshot } from "./coalescer";
import { decideFrom } from "./decision";
import type { ListWatchEvent } from "./adapters/list-watch";
import type { CiliumNodeSummary } from "./node-summary";
import type { EntryResult, NudgePublisher } from "./publisher";
import type { Scheduler } from "./scheduler";

export interface NudgeWatcherOptions {
  clusterName: string;
  nudgeExcess: boolean;
  resyncMs: number;
  /** Cap of the re-nudge interval of an unresolved node that does not change (coalescer.ts); default resyncMs. */
  resyncMaxMs?: number;
  failureRetryMs: number;
  batch: { flushMs: number; maxMessages: number; maxBytes: number };
  publisher: NudgePublisher;
  scheduler: Scheduler;
  /** Asked right before each PutMessages: false drops the batch (leadership was lost meanwhile). */
  isLeader(): boolean;
  log?: Log;
  /** Called for each nudge the stream accepted. */
  onPublished?(reason: NodeNudgeReason): void;
  idFactory?: () => string;
  validators?: EventValidators;
}

/** What the watcher holds about one CiliumNode. */
export interface WatchedNode {
  name: string;
  uid: string;
  resourceVersion: string;
  reason: NodeNudgeReason | undefined;
  observed: ObservedCounts;
}

export interface PublishHealth {
  /** Time of the last batch handed to the publisher, 0 before any. */
  lastAttemptAt: number;
  /** Whether that batch was accepted in full (true before any). */
  lastOk: boolean;
  lastError?: string;
  consecutiveFailures: number;
}

const TYPE_BY_REASON: Record<NodeNudgeReason, NodeNudgeType> = {
  "needs-addresses": "io.ocipam.node.needs-addresses",
  "excess-addresses": "io.ocipam.node.excess-addresses",
  resync: "io.ocipam.node.resync",
};

/**
 * The watcher's logic, free of Kubernetes and OCI clients: it reads list/watch events into a cache, decides per
 * node (decision.ts), coalesces (coalescer.ts), batches (batcher.ts) and hands batches to the publisher — only
 * while this replica leads. Followers keep the cache warm and emit nothing; a new leader re-emits every unresolved
 * node once, since it cannot know what its predecessor published.
 */
export class NudgeWatcher {
  private readonly nodes = new Map<string, WatchedNode>();
  private readonly coalescer: NudgeCoalescer;
  private readonly batcher: PutBatcher<EmitRequest>;
  private readonly log: Log;
  private leading = false;
  private publishAbort = new AbortController();
  private readonly health: PublishHealth = { lastAttemptAt: 0, lastOk: true, consecutiveFailures: 0 };

  constructor(private readonly options: NudgeWatcherOptions) {
    this.log = options.log ?? silentLogger();
    this.coalescer = new NudgeCoalescer({
      resyncMs: options.resyncMs,
      ...(options.resyncMaxMs !== undefined ? { resyncMaxMs: options.resyncMaxMs } : {}),
      failureRetryMs: options.failureRetryMs,
      failureRetryMaxMs: options.resyncMs,
    });
    this.batcher = new PutBatcher<EmitRequest>({
      ...options.batch,
      scheduler: options.scheduler,
      send: (items) => this.send(items),
    });
  }

  /** Called with every list/watch event about CiliumNodes. */
  apply(event: ListWatchEvent<CiliumNodeSummary>): void {
    switch (event.type) {
      case "synced": {
        const present = new Set(event.items.map((n) => n.name));
        for (const name of [...this.nodes.keys()]) if (!present.has(name)) this.remove(name);
        for (const node of event.items) this.upsert(node);
        return;
      }
      case "upsert":
        this.upsert(event.item);
        return;
      case "delete":
        this.remove(event.name);
        return;
    }
  }

  /**
   * Called when this replica starts (true) or stops (false) leading. Stopping drops queued nudges and cancels
   * retries at once; starting re-emits every unresolved node.
   */
  setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.coalescer.reset();
    if (!leading) {
      this.publishAbort.abort();
      this.publishAbort = new AbortController();
      const dropped = this.batcher.clear();
      if (dropped.length > 0) this.log.info({ dropped: dropped.length }, "leadership lost: dropped queued nudges");
      return;
    }
    const now = this.options.scheduler.now();
    for (const node of this.nodes.values()) this.enqueue(this.coalescer.observe(snapshotOf(node), now));
  }

  /** Called periodically: re-emits unresolved nodes whose resync (or retry) time has come. */
  tick(): void {
    if (!this.leading) return;
    for (const request of this.coalescer.tick(this.options.scheduler.now())) this.enqueue(request);
  }

  /** Every node the watcher sees (for metrics). */
  watched(): Iterable<WatchedNode> {
    return this.nodes.values();
  }

  /** Unresolved nodes whose re-nudge interval backed off past the resync interval (for metrics). */
  backedOff(): number {
    return this.coalescer.backedOff();
  }

  publishHealth(): Readonly<PublishHealth> {
    return this.health;
  }

  /** Nudges queued and not yet sent. */
  pending(): number {
    return this.batcher.pending();
  }

  /** Resolves when nothing is queued or being sent (tests, shutdown). */
  idle(): Promise<void> {
    return this.batcher.idle();
  }

  /** Drops what is queued, cancels retries and waits for a running request to end. */
  async stop(): Promise<void> {
    this.setLeading(false);
    await this.batcher.idle();
  }

  private upsert(view: CiliumNodeSummary): void {
    const decision = decideFrom(view, { nudgeExcess: this.options.nudgeExcess });
    const node: WatchedNode = {
      name: view.name,
      uid: view.uid,
      resourceVersion: view.resourceVersion,
      reason: decision.reason,
      observed: decision.observed,
    };
    this.nodes.set(view.name, node);
    if (this.leading) this.enqueue(this.coalescer.observe(snapshotOf(node), this.options.scheduler.now()));
  }

  private remove(name: string): void {
    this.nodes.delete(name);
    this.coalescer.forget(name);
  }

  private enqueue(request: EmitRequest | undefined): void {
    if (!request) return;
    let entry: ReturnType<typeof encodeNudgeForStream>;
    try {
      const nudge = buildNudge(
        {
          type: TYPE_BY_REASON[request.reason],
          cluster: this.options.clusterName,
          node: request.node,
          // Hints only; an object the API server served always has them, but an empty one would not validate.
          ...(request.uid && { uid: request.uid }),
          ...(request.resourceVersion && { resourceVersion: request.resourceVersion }),
          observed: request.observed,
        },
        {
          now: () => new Date(this.options.scheduler.now()),
          idFactory: this.options.idFactory,
          validators: this.options.validators,
        },
      );
      entry = encodeNudgeForStream(nudge);
    } catch (err) {
      // Cannot become a valid event (it never will): wait for the resync interval rather than spin.
      this.log.error(
        { node: request.node, err: err instanceof Error ? err.message : String(err) },
        "cannot build a nudge for this node",
      );
      this.coalescer.published(request.node, request.ticket, this.options.scheduler.now());
      return;
    }
    this.log.debug(
      { node: request.node, reason: request.reason, repeat: request.repeat, observed: request.observed },
      "nudge queued",
    );
    this.batcher.add(entry, request);
  }

  private async send(items: Array<BatchItem<EmitRequest>>): Promise<void> {
    // Checked at the last moment: a replica that lost the Lease never puts, even what it had queued.
    if (!this.leading || !this.options.isLeader()) {
      this.log.info({ dropped: items.length }, "not leading: batch dropped");
      return;
    }
    const signal = this.publishAbort.signal;
    const now = () => this.options.scheduler.now();
    this.health.lastAttemptAt = now();
    let results: EntryResult[];
    try {
      results = await this.options.publisher.publish(
        items.map((i) => i.entry),
        signal,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const error = err instanceof OcipamError ? err.reason : "RequestFailed";
      results = items.map(() => ({ ok: false, error, message }));
    }
    let failed = 0;
    items.forEach((item, i) => {
      const r = results[i] ?? { ok: false, error: "MissingResult" };
      const { node, ticket, reason } = item.meta;
      if (r.ok) {
        this.coalescer.published(node, ticket, now());
        this.options.onPublished?.(reason);
      } else {
        failed++;
        this.coalescer.failed(node, ticket, now());
      }
    });
    if (signal.aborted) return; // leadership lost meanwhile: the coalescer was reset, health is a leader's concern
    if (failed === 0) {
      this.health.lastOk = true;
      this.health.consecutiveFailures = 0;
      delete this.health.lastError;
      this.log.info({ nudges: items.length, nodes: summarize(items) }, "nudges published");
    } else {
      this.health.lastOk = false;
      this.health.consecutiveFailures++;
      const firstFailure = results.find((r) => !r.ok) as { error: string; message?: string } | undefined;
      this.health.lastError = firstFailure
        ? `${firstFailure.error}${firstFailure.message ? `: ${firstFailure.message}` : ""}`
        : "unknown";
      this.log.warn(
        { failed, of: items.length, error: this.health.lastError },
        "nudges not published; they will be retried",
      );
    }
  }
}

function snapshotOf(node: WatchedNode): NodeSnapshot {
  return {
    name: node.name,
    uid: node.uid,
    resourceVersion: node.resourceVersion,
    reason: node.reason,
    observed: node.observed,
  };
}

/** A few node names for the log line (a burst of 500 should not make a 500-name line). */
function summarize(items: Array<BatchItem<EmitRequest>>): string[] {
  const names = items.slice(0, 10).map((i) => `${i.meta.node}:${i.meta.reason}`);
  if (items.length > 10) names.push(`+${items.length - 10} more`);
  return names;
}
