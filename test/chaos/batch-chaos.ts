import type { ConnectorMessage } from "../../lib/testbed/local/connector";

/** What the Connector Hub stand-in does to the next batches (LocalConnector.transformBatch). */
export type BatchFault = "nudge-duplicate" | "nudge-reorder" | "nudge-drop";

export interface BatchChaosStats {
  batchesTouched: number;
  duplicated: number;
  reordered: number;
  dropped: number;
}

/**
 * Armed batch faults, applied to the next batches in arming order: duplicate (every message twice, the copy right
 * after the original, as a redelivery would), reorder (the batch reversed), drop (every other message, starting at
 * a random one, lost: Connector Hub would never do that, a lost nudge is what the watcher's resync must repair).
 */
export class BatchChaos {
  readonly stats: BatchChaosStats = { batchesTouched: 0, duplicated: 0, reordered: 0, dropped: 0 };
  private readonly armed: Array<{ fault: BatchFault; remaining: number }> = [];

  constructor(private readonly random: () => number) {}

  arm(fault: BatchFault, batches: number): void {
    this.armed.push({ fault, remaining: batches });
  }

  disarm(): void {
    this.armed.length = 0;
  }

  /** The transform to install as LocalConnector.transformBatch. */
  readonly transform = (batch: ConnectorMessage[]): ConnectorMessage[] => {
    let out = batch;
    let touched = false;
    for (const a of this.armed) {
      if (a.remaining <= 0) continue;
      a.remaining--;
      touched = true;
      out = this.apply(a.fault, out);
    }
    this.armed.splice(0, this.armed.length, ...this.armed.filter((a) => a.remaining > 0));
    if (touched) this.stats.batchesTouched++;
    return out;
  };

  private apply(fault: BatchFault, batch: ConnectorMessage[]): ConnectorMessage[] {
    switch (fault) {
      case "nudge-duplicate":
        this.stats.duplicated += batch.length;
        return batch.flatMap((m) => [m, m]);
      case "nudge-reorder":
        if (batch.length > 1) this.stats.reordered += batch.length;
        return [...batch].reverse();
      case "nudge-drop": {
        const start = Math.floor(this.random() * 2);
        const kept = batch.filter((_, i) => (i + start) % 2 === 1);
        this.stats.dropped += batch.length - kept.length;
        return kept;
      }
    }
  }
}
