import { COLLECTOR_LOCK_KEY } from "../../lib/collect/collect-leaks";
import type { ConnectorMessage } from "../../lib/testbed/local/connector";
import type { Pipeline } from "../../lib/testbed/local/pipeline";

/** The CloudEvents type of the watcher's periodic cluster nudge (events/README.md). */
const COLLECT_LEAKS_TYPE = "io.ocipam.cluster.collect-leaks";

/**
 * Whether leak collection actually ran, seen from outside the function: each pass takes the cluster's collector
 * Lease (its annotation names the lock key) before it reads anything, so every write that gives that Lease a new
 * holder in the Kubernetes emulator is one pass starting. Also counts the collect-leaks nudges the Connector Hub
 * stand-in delivered, and which nodes each delivered batch nudged.
 */
export class CollectorWatch {
  /** Simulated times at which a pass took the collector Lease. */
  readonly passes: number[] = [];
  nudgesDelivered = 0;
  /** Node name (a nudge's stream key) → the connector invocation (its number) that first delivered a nudge for it. */
  private readonly firstDelivery = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(private readonly pipeline: Pipeline) {
    this.unsubscribe = pipeline.cluster.kube.store.onChange((event) => {
      if (!event.typeKey.startsWith("leases") || event.type === "DELETED") return;
      const lease = event.object as {
        metadata?: { annotations?: Record<string, string> };
        spec?: { holderIdentity?: string };
      };
      if (lease.metadata?.annotations?.["ocipam.io/node"] !== COLLECTOR_LOCK_KEY || !lease.spec?.holderIdentity) return;
      // A new holder (each invocation holds it under its own call id), not a renewal by the same one.
      const before = (event.previous as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
      if (before === lease.spec.holderIdentity) return;
      this.passes.push(pipeline.clock.nowMs());
    });
  }

  /**
   * Counts the collect-leaks nudges of one batch (values are base64 CloudEvents JSON) and notes which nodes it nudges
   * (keys are node names). Called just before the batch's first delivery, which is the connector's next invocation.
   */
  observeBatch(batch: readonly ConnectorMessage[]): void {
    const invocation = this.pipeline.connector.stats.invocations + 1;
    for (const m of batch) {
      const key = m.key ? Buffer.from(m.key, "base64").toString("utf8") : undefined;
      if (key && !this.firstDelivery.has(key)) this.firstDelivery.set(key, invocation);
      try {
        const nudge = JSON.parse(Buffer.from(m.value, "base64").toString("utf8")) as { type?: string };
        if (nudge.type === COLLECT_LEAKS_TYPE) this.nudgesDelivered++;
      } catch {
        // Not JSON: the function rejects it; nothing to count.
      }
    }
  }

  /**
   * Whether an invocation that delivered a nudge for `node` has ended: the connector delivers one batch at a time, so
   * it has once a later invocation started, or nothing is in flight.
   */
  nudgeHandled(node: string): boolean {
    const at = this.firstDelivery.get(node);
    if (at === undefined) return false;
    const started = this.pipeline.connector.stats.invocations;
    return started > at || (started === at && this.pipeline.fn.inFlight === 0);
  }

  stop(): void {
    this.unsubscribe();
  }
}
