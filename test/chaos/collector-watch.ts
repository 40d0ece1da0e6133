import { COLLECTOR_LOCK_KEY } from "../../lib/collect/collect-leaks";
import type { ConnectorMessage } from "../../lib/local/connector";
import type { Pipeline } from "../../lib/local/pipeline";

/** The CloudEvents type of the watcher's periodic cluster nudge (events/README.md). */
const COLLECT_LEAKS_TYPE = "io.ocipam.cluster.collect-leaks";

/**
 * Whether leak collection actually ran, seen from outside the function: each pass takes the cluster's collector Lease
 * (its annotation names the lock key) before it reads anything, so every write that gives that Lease a new holder in the
 * Kubernetes emulator is one pass starting. Also counts the collect-leaks nudges the Connector Hub stand-in delivered.
 */
export class CollectorWatch {
  /** Simulated times at which a pass took the collector Lease. */
  readonly passes: number[] = [];
  nudgesDelivered = 0;
  private readonly unsubscribe: () => void;

  constructor(pipeline: Pipeline) {
    this.unsubscribe = pipeline.cluster.kube.store.onChange((event) => {
      if (!event.typeKey.startsWith("leases") || event.type === "DELETED") return;
      const lease = event.object as { metadata?: { annotations?: Record<string, string> }; spec?: { holderIdentity?: string } };
      if (lease.metadata?.annotations?.["ocipam.io/node"] !== COLLECTOR_LOCK_KEY || !lease.spec?.holderIdentity) return;
      // A new holder (each invocation holds it under its own call id), not a renewal by the same one.
      const before = (event.previous as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
      if (before === lease.spec.holderIdentity) return;
      this.passes.push(pipeline.clock.nowMs());
    });
  }

  /** Counts the collect-leaks nudges of one batch (values are base64 CloudEvents JSON). */
  observeBatch(batch: readonly ConnectorMessage[]): void {
    for (const m of batch) {
      try {
        if ((JSON.parse(Buffer.from(m.value, "base64").toString("utf8")) as { type?: string }).type === COLLECT_LEAKS_TYPE) this.nudgesDelivered++;
      } catch {
        // Not JSON: the function rejects it; nothing to count.
      }
    }
  }

  stop(): void {
    this.unsubscribe();
  }
}
