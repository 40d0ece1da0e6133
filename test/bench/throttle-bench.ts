import type { Log } from "../../lib/log";
import { startPipeline } from "../../lib/testbed/local/pipeline";
import { BENCH_SHAPE, coreCalls, waitFor, warmFunction } from "./pipeline-bench";
import { changeOf, PoolTimeline } from "./pool-timeline";

export interface ThrottleOptions {
  nodes: number;
  /**
   * CreatePrivateIp calls per simulated second the emulator lets through (a token bucket of `burst`); null: no throttle
   * (the comparison row).
   */
  ratePerSecond: number | null;
  burst: number;
  /** The allocator's OCI request budget (OCIPAM_OCI_REQUEST_RATE / _BURST); default the shipped 10/s, burst 20. */
  allocatorBudget?: { rate: number; burst: number };
  /**
   * Function containers at once (default 1), each its own process with its own budget, all against the one emulator
   * limit: Connector Hub runs up to one per stream partition.
   */
  containers?: number;
  /**
   * Must be 1: the allocator's own request budget and retry backoff run on real time, so a scaled run would cap them.
   */
  timeScale: number;
  log: Log;
}

export interface ThrottleResult {
  nodes: number;
  ratePerSecond: number | null;
  burst: number;
  /** The allocator's request budget as configured for this run (the shipped defaults). */
  allocatorRate: string;
  allocatorBurst: string;
  ipsCreated: number;
  /** Simulated seconds from the first CreatePrivateIp to the last joining node's pool ready. */
  windowS: number;
  ipsPerSecond: number;
  /** ipsPerSecond ÷ ratePerSecond (null without a throttle). */
  ofLimit: number | null;
  /** 429 answers to CreatePrivateIp (wasted calls), and per IP created. */
  throttled: number;
  throttledPerIp: number;
  complete: boolean;
  /** Function containers (each with the budget above). */
  containers: number;
  /**
   * OCI Core calls of all containers together (stream operations excluded), per second: the highest count in any
   * one-second window (sampled every 100 ms) and the mean over the window — against the containers' budgets summed.
   */
  peakCallsPerSecond: number;
  meanCallsPerSecond: number;
}

/**
 * Throughput under a fixed throttle: the emulator answers 429 TooManyRequests to CreatePrivateIp beyond
 * `ratePerSecond` (a token bucket refilled in simulated time), `nodes` nodes join at once (8 IPs each), and the IPs
 * created per second from the first CreatePrivateIp until the last node's pool is ready are compared with the limit.
 * The allocator runs with its shipped request budget by default (OCIPAM_OCI_REQUEST_RATE 10/s, burst 20, halved on
 * every 429 and regained by 1/s per s), not the generous one local runs use, because that budget is what reacts to
 * throttling.
 */
export async function measureThrottle(options: ThrottleOptions): Promise<ThrottleResult> {
  const allocatorRate = String(options.allocatorBudget?.rate ?? 10);
  const allocatorBurst = String(options.allocatorBudget?.burst ?? 20);
  const pipeline = await startPipeline({
    timeScale: options.timeScale,
    latency: "realistic",
    ...BENCH_SHAPE,
    log: options.log,
    allocatorConfig: { OCIPAM_OCI_REQUEST_RATE: allocatorRate, OCIPAM_OCI_REQUEST_BURST: allocatorBurst },
    functionContainers: options.containers ?? 1,
  });
  let sampler: NodeJS.Timeout | undefined;
  const timeline = new PoolTimeline();
  const unsubscribe = pipeline.cluster.kube.store.onChange((event) => {
    if (event.typeKey !== "ciliumnodes.cilium.io") return;
    const change = changeOf(event.type, event.object);
    if (change) timeline.record(change, pipeline.clock.nowMs());
  });
  const calls = () => Object.values(coreCalls(pipeline)).reduce((a, b) => a + b, 0);
  const samples: Array<{ ms: number; calls: number }> = [];
  try {
    for (const fn of pipeline.fns) await warmFunction({ ...pipeline, fn });
    const admin = pipeline.cluster.oci.admin;
    if (options.ratePerSecond !== null)
      admin.setThrottle("CreatePrivateIp", { capacity: options.burst, refillPerSecond: options.ratePerSecond });
    const created = () => admin.countersByStatus().CreatePrivateIp?.["200"] ?? 0;
    const attempted = () => admin.counters().CreatePrivateIp ?? 0;
    let first: { simMs: number; created: number } | undefined;
    // Sampled every 10 real ms: that is the resolution of the window's start, against windows of seconds.
    let tick = 0;
    sampler = setInterval(() => {
      if (first === undefined && attempted() > 0) first = { simMs: pipeline.clock.nowMs(), created: created() };
      if (first !== undefined && tick++ % 10 === 0) samples.push({ ms: pipeline.clock.nowMs(), calls: calls() });
    }, 10);
    for (let i = 0; i < options.nodes; i++) await pipeline.sim.joinNode(`throttled-${String(i).padStart(3, "0")}`);
    // The window is the joins: every node needs its 8 IPs at once, so demand never pauses while it lasts (the agents'
    // later top-ups come one nudge at a time, with batch windows in between, and would measure the pipeline instead).
    const complete = await waitFor(
      pipeline,
      600_000,
      () => timeline.firstEpisodes().filter((e) => e.endSimMs !== undefined).length === options.nodes,
    );
    clearInterval(sampler);
    const joins = timeline.firstEpisodes();
    const lastReady = Math.max(...joins.map((e) => e.endSimMs ?? Number.NaN));
    // Every IP created in the window counts (an early node's top-up for its agent's router and health IPs too).
    const ips = created() - (first?.created ?? 0);
    const windowS = first !== undefined && Number.isFinite(lastReady) ? (lastReady - first.simMs) / 1000 : 0;
    const ipsPerSecond = windowS > 0 ? ips / windowS : 0;
    const throttled = admin.countersByStatus().CreatePrivateIp?.["429"] ?? 0;
    const rates = callRates(samples);
    return {
      nodes: options.nodes,
      ratePerSecond: options.ratePerSecond,
      burst: options.burst,
      allocatorRate,
      allocatorBurst,
      ipsCreated: ips,
      windowS,
      ipsPerSecond,
      ofLimit: options.ratePerSecond === null ? null : ipsPerSecond / options.ratePerSecond,
      throttled,
      throttledPerIp: ips > 0 ? throttled / ips : 0,
      complete,
      containers: options.containers ?? 1,
      ...rates,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    unsubscribe();
    await pipeline.stop();
  }
}

/**
 * From cumulative call counts sampled over time: the most calls in any window of 1,000 ms (between two samples at
 * least that far apart, scaled to one second) and the mean rate from the first sample to the last.
 */
export function callRates(samples: ReadonlyArray<{ ms: number; calls: number }>): {
  peakCallsPerSecond: number;
  meanCallsPerSecond: number;
} {
  if (samples.length < 2) return { peakCallsPerSecond: 0, meanCallsPerSecond: 0 };
  let peak = 0;
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    while (j < samples.length && samples[j]!.ms - samples[i]!.ms < 1000) j++;
    if (j >= samples.length) break;
    const span = (samples[j]!.ms - samples[i]!.ms) / 1000;
    peak = Math.max(peak, (samples[j]!.calls - samples[i]!.calls) / span);
  }
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const mean = last.ms > first.ms ? (last.calls - first.calls) / ((last.ms - first.ms) / 1000) : 0;
  return { peakCallsPerSecond: peak, meanCallsPerSecond: mean };
}
