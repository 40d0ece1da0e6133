import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { NodeNudgeReason, ObservedCounts } from "../contracts";
import type { WatchRestartCause } from "./adapters/list-watch";
import { PROGRESS_STATES, type ProgressState } from "./node-progress";
import type { RequestOutcome } from "./adapters/oci-stream-publisher";

/** What the metrics read at scrape time. */
export interface MetricsSource {
  /** Called at each scrape: every CiliumNode the watcher sees, with its counts. */
  nodes(): Iterable<{ name: string; observed: ObservedCounts }>;
  /** Called at each scrape for ocipam_watcher_is_leader: whether this replica publishes now. */
  isLeader(): boolean;
  /** Called at each scrape for ocipam_watcher_nodes and ocipam_watcher_node_stalled_seconds (node-progress.ts). */
  progress?: {
    stateCounts(): Record<ProgressState, number>;
    stalledSeconds(): Iterable<{ name: string; seconds: number }>;
  };
  /** Called at each scrape for ocipam_watcher_backed_off_nodes: unresolved nodes re-nudged less often (coalescer). */
  backedOff?(): number;
}

/**
 * Buckets of the join → ready histogram, in seconds: a prewarmed node is ready about one write after it joins,
 * a node nudged on join after one function run (attach ≈ 8-30 s), a cold start or a second VNIC adds tens of
 * seconds; beyond 5 minutes something is wrong.
 */
export const JOIN_TO_READY_BUCKETS = [1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600];

/**
 * The watcher's Prometheus metrics, in a Registry of its own (never prom-client's global one). Names follow
 * Cilium's operator where the meaning is the same (cilium/cilium pkg/ipam/metrics/metrics.go @0887d92):
 * `cilium_operator_ipam_{available,used,needed}_ips{target_node}` and `cilium_operator_ipam_nodes{category}`.
 * As in Cilium, available = len(spec.ipam.pool) and used = len(status.ipam.used); needed is Cilium's formula with
 * the max-allocate the CiliumNode states (the watcher does not know the shape). Gauges are computed at scrape time
 * from the watcher's cache, so a deleted node's series disappear with it.
 */
export class WatcherMetrics {
  readonly registry = new Registry();
  private readonly published: Counter<"reason">;
  private readonly errors: Counter;
  private readonly duration: Histogram;
  private readonly restarts: Counter<"cause">;
  private readonly joinReady: Histogram;

  constructor(source: MetricsSource, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const perNode = (name: string, help: string, pick: (o: ObservedCounts) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["target_node"],
        registers,
        collect() {
          this.reset();
          for (const n of source.nodes()) this.set({ target_node: n.name }, pick(n.observed));
        },
      });
    perNode("cilium_operator_ipam_available_ips", "IPs in the node's pool (len(spec.ipam.pool))", (o) => o.available);
    perNode("cilium_operator_ipam_used_ips", "IPs of the pool in use (len(status.ipam.used))", (o) => o.used);
    perNode(
      "cilium_operator_ipam_needed_ips",
      "IPs the node needs to reach its watermarks (Cilium's calculateNeededIPs)",
      (o) => o.needed,
    );
    new Gauge({
      name: "cilium_operator_ipam_nodes",
      // Cilium also has category="at-capacity". The watcher cannot know it from the CiliumNode (it does not know the
      // shape) and its RBAC (infra/kubernetes/rbac/watcher.yaml) does not grant reading the OciIpamNode records
      // that hold it, so that series is not exported here.
      help: "Number of nodes by category: total, in-deficit (needed > 0)",
      labelNames: ["category"],
      registers,
      collect() {
        let total = 0;
        let deficit = 0;
        for (const n of source.nodes()) {
          total++;
          if (n.observed.needed > 0) deficit++;
        }
        this.reset();
        this.set({ category: "total" }, total);
        this.set({ category: "in-deficit" }, deficit);
      },
    });
    this.published = new Counter({
      name: "ocipam_watcher_nudges_published_total",
      help: "Nudges appended to the stream, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.errors = new Counter({
      name: "ocipam_watcher_publish_errors_total",
      help: "PutMessages requests that failed in whole or in part (each attempt counts)",
      registers,
    });
    this.duration = new Histogram({
      name: "ocipam_watcher_publish_duration_seconds",
      help: "Duration of one PutMessages request",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: "ocipam_watcher_is_leader",
      help: "1 while this replica holds the leader Lease and publishes",
      registers,
      collect() {
        this.set(source.isLeader() ? 1 : 0);
      },
    });
    this.restarts = new Counter({
      name: "ocipam_watcher_watch_restarts_total",
      help:
        "CiliumNode watches that ended and were restarted, by cause: closed " +
        "(server timeout), expired (410 Gone, relist), watchdog (silent too " +
        "long), error (backoff)",
      labelNames: ["cause"],
      registers,
    });
    new Gauge({
      name: "ocipam_watcher_backed_off_nodes",
      help:
        "Unresolved CiliumNodes that did not change across re-nudges (at capacity, or allocations failing) and are " +
        "re-nudged after a doubling interval, up to OCIPAM_WATCHER_RESYNC_MAX_SECONDS, instead of every resync",
      registers,
      collect() {
        this.set(source.backedOff?.() ?? 0);
      },
    });
    const progress = source.progress;
    new Gauge({
      name: "ocipam_watcher_nodes",
      help:
        "CiliumNodes by state as the watcher sees them: ready (needed = 0), allocating (needed > 0, pool changed " +
        "lately), stalled (needed > 0, pool unchanged for 5 min: at capacity or allocations failing), releasing " +
        "(release handshake)",
      labelNames: ["state"],
      registers,
      collect() {
        this.reset();
        if (!progress) return;
        const counts = progress.stateCounts();
        for (const state of PROGRESS_STATES) this.set({ state }, counts[state]);
      },
    });
    new Gauge({
      name: "ocipam_watcher_node_stalled_seconds",
      help: "For each CiliumNode short of IPs (needed > 0): seconds its pool has not changed while short",
      labelNames: ["target_node"],
      registers,
      collect() {
        this.reset();
        if (!progress) return;
        for (const n of progress.stalledSeconds()) this.set({ target_node: n.name }, n.seconds);
      },
    });
    this.joinReady = new Histogram({
      name: "ocipam_watcher_join_to_ready_seconds",
      help: "Seconds from a CiliumNode's creation to its pool first holding pre-allocate IPs (join -> ready SLI)",
      buckets: JOIN_TO_READY_BUCKETS,
      registers,
    });
    for (const cause of ["closed", "expired", "watchdog", "error"] as const) this.restarts.inc({ cause }, 0);
    for (const reason of ["needs-addresses", "excess-addresses", "resync"] as const) this.published.inc({ reason }, 0);
    this.errors.inc(0);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Called for each nudge the stream accepted. */
  nudgePublished(reason: NodeNudgeReason): void {
    this.published.inc({ reason });
  }

  /** Called each time the CiliumNode watch restarts. */
  watchRestarted(cause: WatchRestartCause): void {
    this.restarts.inc({ cause });
  }

  /** Called once per CiliumNode when its pool first holds pre-allocate IPs (node-progress.ts). */
  joinedToReady(seconds: number): void {
    this.joinReady.observe(seconds);
  }

  /** Called after each PutMessages request. */
  publishRequest(durationSeconds: number, outcome: RequestOutcome): void {
    this.duration.observe(durationSeconds);
    if (outcome !== "ok") this.errors.inc();
  }
}
