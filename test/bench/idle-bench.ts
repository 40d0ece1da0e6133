import type { Log } from "../../lib/log";
import { DEFAULT_COMPARTMENT, DEFAULT_VCN } from "../../lib/testbed/local/local-cluster";
import { startPipeline } from "../../lib/testbed/local/pipeline";
import { settle } from "../../lib/testbed/local/run-local";
import { fullPollPass } from "./full-poller";
import type { Pipeline } from "../../lib/testbed/local/pipeline";
import { BENCH_SHAPE, coreCalls, diff, nudgesPublished, waitFor, warmFunction } from "./pipeline-bench";

/** OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS's default: the watcher nudges one leak-collection pass this often. */
export const LEAK_COLLECTION_PERIOD_S = 300;

export interface IdleOptions {
  nodes: number;
  /** Only calls are counted here, so a fast time scale is fine (nothing runs: there is no compute to distort). */
  timeScale: number;
  /**
   * Length of the idle window, simulated. At least one watcher resync interval (60 s) and one leak-collection period
   * (300 s), so that periodic work shows.
   */
  windowSimMs: number;
  podsPerNode: number;
  log: Log;
}

export interface IdleResult {
  nodes: number;
  windowSimMinutes: number;
  settled: boolean;
  /** OCI Core calls (stream operations excluded) per simulated minute in the window, by operation. */
  ociCallsPerMinute: number;
  ociCallsByOperation: Record<string, number>;
  nudgesPerMinute: number;
  invocationsPerMinute: number;
  /** The watcher's leak-collection period (simulated s): the one periodic source of calls in an idle cluster. */
  leakCollectionPeriodS: number;
  /** Calls of one pass of the full poll (fullPollPass): a poller's calls per minute at a 1-minute period. */
  pollerCallsPerPass: number;
  pollerCallsByOperation: Record<string, number>;
}

/**
 * OCI calls once the cluster is idle: nodes join with pods, everything settles (pools at the watermark, agents'
 * status written, nothing queued), then the emulator's counters are read before and after `windowSimMs` of nothing
 * happening. Then one pass of the polling baseline runs against the same world and its calls are counted the same way.
 */
export async function measureIdle(options: IdleOptions): Promise<IdleResult> {
  const pipeline = await startPipeline({
    timeScale: options.timeScale,
    latency: "realistic",
    ...BENCH_SHAPE,
    log: options.log,
    // The leak collector's period (default 300 s) in simulated time like every other timer of the run, so that the
    // window shows what it costs; startPipeline leaves this one unscaled.
    watcherConfig: { OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS: String(LEAK_COLLECTION_PERIOD_S * options.timeScale) },
  });
  try {
    await warmFunction(pipeline);
    for (let i = 0; i < options.nodes; i++) await pipeline.sim.joinNode(`idle-${String(i).padStart(3, "0")}`);
    for (const node of pipeline.sim.nodes.keys()) pipeline.sim.schedulePods(node, options.podsPerNode);
    // Generous limits in simulated time: at a fast time scale the function's CPU time (100 nodes' worth) counts
    // 1 / timeScale times over. The window only starts once everything has settled.
    const settled = await settle(pipeline, 4 * 3_600_000);
    // The agents' last status writes may still be due (15 s rate): let two intervals pass, then settle again.
    await pipeline.clock.sleep(30_000);
    const settledAgain = await settle(pipeline, 3_600_000);
    // settle() looks at pools, agents and queues; a long delivery in flight or a backlog on the stream (the function's
    // CPU time is scaled up at this time scale) would still bring reconciles into the window: wait until every nudge
    // published so far has been delivered and answered.
    const drainedAll = await waitFor(pipeline, 8 * 3_600_000, async () => {
      await pipeline.watcher.idle();
      return pipeline.fn.inFlight === 0 && streamDrained(pipeline);
    });

    const before = coreCalls(pipeline);
    const nudgesBefore = nudgesPublished(pipeline);
    const invocationsBefore = pipeline.connector.stats.invocations;
    const startSim = pipeline.clock.nowMs();
    await pipeline.clock.sleep(options.windowSimMs);
    const minutes = (pipeline.clock.nowMs() - startSim) / 60_000;
    const idleCalls = diff(coreCalls(pipeline), before);
    const nudges = nudgesPublished(pipeline) - nudgesBefore;
    const invocations = pipeline.connector.stats.invocations - invocationsBefore;

    const beforePoll = coreCalls(pipeline);
    const nodeInstances = new Set([...pipeline.sim.nodes.values()].map((n) => n.instanceId));
    await fullPollPass(pipeline.cluster.oci, DEFAULT_COMPARTMENT, DEFAULT_VCN, (id) => nodeInstances.has(id));
    const pollCalls = diff(coreCalls(pipeline), beforePoll);
    const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
    return {
      nodes: options.nodes,
      windowSimMinutes: minutes,
      settled: settled && settledAgain && drainedAll,
      ociCallsPerMinute: total(idleCalls) / minutes,
      ociCallsByOperation: idleCalls,
      nudgesPerMinute: nudges / minutes,
      invocationsPerMinute: invocations / minutes,
      leakCollectionPeriodS: LEAK_COLLECTION_PERIOD_S,
      pollerCallsPerPass: total(pollCalls),
      pollerCallsByOperation: pollCalls,
    };
  } finally {
    await pipeline.stop();
  }
}

/**
 * Every message on the stream has been delivered by the Connector Hub stand-in (its committed offsets are the last
 * ones).
 */
function streamDrained(pipeline: Pipeline): boolean {
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as {
    streams: Array<{ id: string; messagesPerPartition: number[] }>;
  };
  const stream = snapshot.streams.find((st) => st.id === pipeline.cluster.streamId);
  if (!stream) return true;
  return stream.messagesPerPartition.every(
    (count, partition) => count === 0 || (pipeline.connector.stats.committed[String(partition)] ?? -1) >= count - 1,
  );
}
