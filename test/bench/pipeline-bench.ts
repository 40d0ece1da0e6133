import type { Log } from "../../lib/log";
import { LOCAL_CLUSTER_NAME } from "../../lib/testbed/local/local-cluster";
import { startPipeline, type Pipeline } from "../../lib/testbed/local/pipeline";
import { settle } from "../../lib/testbed/local/run-local";
import type { WorldSpec } from "../../lib/testbed/oci-emulator";
import { criticalPath } from "./critical-path";
import { marksFromLogs, type NodeMarks, phaseTable, type PhaseRow } from "./phase-timeline";
import { changeOf, PoolTimeline } from "./pool-timeline";
import { poll } from "../support/poll";

/** One allocation strategy of the allocator, as configuration keys. */
export interface Strategy {
  name: string;
  description: string;
  allocatorConfig: Record<string, string>;
}

/**
 * The allocator as shipped, and the baseline the issue compares it with (other OCI ports: one private IP call at a
 * time).
 */
export const STRATEGIES: Record<"parallel" | "sequential", Strategy> = {
  parallel: {
    name: "parallel",
    description: "as shipped: up to OCIPAM_CREATE_CONCURRENCY=8 CreatePrivateIp in flight per node",
    allocatorConfig: {},
  },
  sequential: {
    name: "sequential",
    description: "baseline: OCIPAM_CREATE_CONCURRENCY=1, one CreatePrivateIp at a time per node",
    allocatorConfig: { OCIPAM_CREATE_CONCURRENCY: "1" },
  },
};

export const BENCH_SHAPE = { shape: "VM.Standard.E4.Flex", ocpus: 2 } as const;

/** Operations of the stream (the watcher's PutMessages, the Connector Hub stand-in's reads): not allocator calls. */
export const STREAM_OPERATIONS = new Set(["PutMessages", "CreateCursor", "GetMessages"]);

export interface ScaleRunOptions {
  nodes: number;
  strategy: Strategy;
  /** Real seconds per simulated second (1: real time). */
  timeScale: number;
  /** Pods scheduled on every node at once for the usage jump (16 keeps the jump on the primary VNIC). */
  jumpPods: number;
  log: Log;
  /** Simulated time allowed for each phase to settle. */
  phaseLimitSimMs: number;
  /** Progress lines (phase changes), for the console. */
  progress?: (line: string) => void;
  /**
   * Collect the per-phase timeline of join → ready (phase-timeline.ts): the function logs at debug level (one line
   * per OCI call, a little more CPU in the function) and the bench keeps its lines.
   */
  timeline?: boolean;
  /** The OCI world (default: the emulator's default world). */
  world?: WorldSpec;
}

export interface ScaleRunResult {
  nodes: number;
  strategy: string;
  timeScale: number;
  /** Per node, simulated seconds from the CiliumNode's creation to a pool of pre-allocate IPs. */
  joinToReadyS: number[];
  /** Per node, simulated seconds from the agent's status write that showed the jump to a pool back at the watermark. */
  jumpToRefilledS: number[];
  /** Whether every node finished both phases and the system settled within the limits. */
  complete: boolean;
  /** OCI Core calls (stream operations excluded) during both phases, by operation. */
  ociCalls: Record<string, number>;
  ociCallsTotal: number;
  ipsCreated: number;
  callsPerIp: number | null;
  invocations: number;
  nudgesPublished: number;
  /**
   * Nodes that got a secondary VNIC: their path includes the 8 s attach (with many nodes the workers subnets of the
   * emulator's default world, two /24s, run out of addresses and new IPs go to a VNIC on the pods subnet).
   */
  nodesWithNewVnic: number;
  wallSeconds: { join: number; jump: number };
  /** 429 answers of the emulator (any operation) during both phases. */
  throttled: number;
  /** Invocations that did not answer 200 (the connector delivered the batch again). */
  failedInvocations: number;
  /**
   * CPU ms (user + system) during both phases: the bench process (both emulators, the watcher, the Connector Hub
   * stand-in and the agents all run in it) and the function process. Real CPU, not scaled.
   */
  cpuMs: { benchProcess: number; functionProcess: number | null };
  /** The per-phase timeline of join → ready, when `timeline` was asked for. */
  phases?: PhaseRow[];
}

/**
 * One measured run of the whole local pipeline (both emulators with the realistic latency profile, the watcher, the
 * Connector Hub stand-in, the function bundle behind its FDK socket, Cilium agent stand-ins):
 * 1. the function is warmed with an empty batch (the runtime is composed, the Vault token read), so the measured path
 *    is the warm one; cold start is measured on its own (cold-start-bench.ts);
 * 2. `nodes` nodes join at once; each node's join → pool ready is measured from its CiliumNode's creation;
 * 3. after everything settles, `jumpPods` pods are scheduled on every node at once; each node's usage jump → pool
 *    refilled is measured from the agent's status write that shows the new usage (the first moment anything outside
 *    the node can know) to the first CiliumNode version back at the watermark.
 * Every counter is read within this run; nothing here compares with another run.
 */
export async function measureScale(options: ScaleRunOptions): Promise<ScaleRunResult> {
  const pipeline = await startPipeline({
    timeScale: options.timeScale,
    latency: "realistic",
    ...BENCH_SHAPE,
    log: options.log,
    allocatorConfig: options.strategy.allocatorConfig,
    ...(options.world ? { world: options.world } : {}),
    ...(options.timeline ? { functionLogLevel: "debug", keepFunctionLogs: 2_000_000 } : {}),
  });
  const timeline = new PoolTimeline();
  // The same changes on the wall clock, for the phase timeline (its other timestamps are wall-clock ones).
  const wallTimeline = new PoolTimeline();
  const unsubscribe = pipeline.cluster.kube.store.onChange((event) => {
    if (event.typeKey !== "ciliumnodes.cilium.io") return;
    const change = changeOf(event.type, event.object);
    if (change) timeline.record(change, pipeline.clock.nowMs());
    if (change && options.timeline) wallTimeline.record(change, Date.now());
  });
  const stream = new Map<string, { putMs: number; batchSentMs: number }>();
  if (options.timeline)
    pipeline.connector.transformBatch = (batch) => {
      const now = Date.now();
      for (const m of batch) {
        const node = m.key === null ? undefined : Buffer.from(m.key, "base64").toString("utf8");
        if (node !== undefined && !stream.has(node))
          stream.set(node, { putMs: Date.parse(m.timestamp), batchSentMs: now });
      }
      return batch;
    };
  let ticker: NodeJS.Timeout | undefined;
  let cpuSampler: NodeJS.Timeout | undefined;
  try {
    await warmFunction(pipeline);
    options.progress?.("function warm; nodes join");
    const before = coreCalls(pipeline);
    const throttledBefore = throttledCalls(pipeline);
    const failedBefore = pipeline.connector.stats.failedInvocations;
    const cpuBefore = process.cpuUsage();
    // Per function process (a container that died is replaced: each pid's last reading counts), sampled every 2 s.
    const fnCpu = new Map<number, { first: number; last: number }>();
    const sampleFnCpu = async () => {
      for (const fn of pipeline.fns) {
        const c = await fn.cpuMs();
        if (!c) continue;
        const seen = fnCpu.get(c.pid);
        fnCpu.set(c.pid, { first: seen?.first ?? (fnCpu.size === 0 ? c.ms : 0), last: c.ms });
      }
    };
    await sampleFnCpu();
    cpuSampler = setInterval(() => void sampleFnCpu(), 2_000);
    const nudgesBefore = nudgesPublished(pipeline);
    const invocationsBefore = pipeline.connector.stats.invocations;

    // With many nodes, a line every 30 real seconds says how far the run is (and where a backlog builds up).
    if (options.nodes >= 100 && options.progress) {
      const say = options.progress;
      const wallStart = Date.now();
      ticker = setInterval(() => {
        const ready = timeline.firstEpisodes().filter((e) => e.endSimMs !== undefined).length;
        const published = nudgesPublished(pipeline);
        const delivered = pipeline.connector.stats.messages;
        say(
          `${Math.round((Date.now() - wallStart) / 1000)} s: ${ready}/${options.nodes} joined ready, ` +
            (`${pipeline.connector.stats.invocations} invocations, nudges ` +
              `${published} published / ${delivered} delivered`),
        );
      }, 30_000);
    }
    const names = Array.from({ length: options.nodes }, (_, i) => `bench-${String(i).padStart(3, "0")}`);
    const joinWall = Date.now();
    await Promise.all(names.map((n) => pipeline.sim.joinNode(n)));
    const joinSettled = await settle(pipeline, options.phaseLimitSimMs);
    const joinWallS = (Date.now() - joinWall) / 1000;
    const joined = timeline.firstEpisodes().filter((e) => e.endSimMs !== undefined);

    options.progress?.(
      `joined (${joinSettled ? "settled" : "NOT settled"} after ${joinWallS.toFixed(0)} s); usage jump`,
    );
    const jumpWall = Date.now();
    const jumpAt = pipeline.clock.nowMs();
    for (const n of names) pipeline.sim.schedulePods(n, options.jumpPods);
    // Every node's first refill after the jump, then a quiet pipeline (no nudge queued, no batch in flight). Later
    // refills (the agent reports the rest of the pods 15 s later) are not waited for: they measure the same path.
    const jumpSettled = await waitFor(pipeline, options.phaseLimitSimMs, async () => {
      if (firstPerNode(timeline, "usage", jumpAt).length < options.nodes) return false;
      await pipeline.watcher.idle();
      return pipeline.connector.idle && pipeline.fn.inFlight === 0;
    });
    const jumpWallS = (Date.now() - jumpWall) / 1000;
    const jumps = firstPerNode(timeline, "usage", jumpAt);

    const after = coreCalls(pipeline);
    const ociCalls = diff(after, before);
    const ociCallsTotal = Object.values(ociCalls).reduce((a, b) => a + b, 0);
    const ipsCreated = ownedIps(pipeline);
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(cpuSampler);
    await sampleFnCpu();
    const fnCpuMs = [...fnCpu.values()].reduce((a, c) => a + c.last - c.first, 0);
    const phases = options.timeline ? phaseRows(pipeline, wallTimeline, stream) : undefined;
    return {
      nodes: options.nodes,
      strategy: options.strategy.name,
      timeScale: options.timeScale,
      joinToReadyS: joined.map((e) => (e.endSimMs! - e.startSimMs) / 1000),
      jumpToRefilledS: jumps,
      complete: joinSettled && jumpSettled && joined.length === options.nodes && jumps.length === options.nodes,
      ociCalls,
      ociCallsTotal,
      ipsCreated,
      callsPerIp: ipsCreated > 0 ? ociCallsTotal / ipsCreated : null,
      invocations: pipeline.connector.stats.invocations - invocationsBefore,
      nudgesPublished: nudgesPublished(pipeline) - nudgesBefore,
      nodesWithNewVnic: nodesWithSecondaryVnic(pipeline),
      wallSeconds: { join: joinWallS, jump: jumpWallS },
      throttled: throttledCalls(pipeline) - throttledBefore,
      failedInvocations: pipeline.connector.stats.failedInvocations - failedBefore,
      cpuMs: {
        benchProcess: (cpu.user + cpu.system) / 1000,
        // Up to 2 s of a process that died is not seen (its last sample counts).
        functionProcess: fnCpu.size > 0 ? fnCpuMs : null,
      },
      ...(phases ? { phases } : {}),
    };
  } finally {
    if (ticker) clearInterval(ticker);
    if (cpuSampler) clearInterval(cpuSampler);
    unsubscribe();
    await pipeline.stop();
  }
}

/** 429 answers of the emulator so far, every operation. */
export function throttledCalls(pipeline: Pipeline): number {
  return Object.values(pipeline.cluster.oci.admin.countersByStatus()).reduce(
    (a, byStatus) => a + (byStatus["429"] ?? 0),
    0,
  );
}

/** The join → ready phases (phase-timeline.ts) of every node whose first pool became ready. */
function phaseRows(
  pipeline: Pipeline,
  wall: PoolTimeline,
  stream: Map<string, { putMs: number; batchSentMs: number }>,
): PhaseRow[] {
  const marks = new Map<string, NodeMarks>();
  for (const e of wall.firstEpisodes()) {
    if (e.endSimMs === undefined) continue;
    const s = stream.get(e.node);
    marks.set(e.node, { node: e.node, createdMs: e.startSimMs, readyMs: e.endSimMs, calls: [], ...(s ?? {}) });
  }
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as {
    vnics: Array<{ id: string; instanceId: string }>;
  };
  const vnics = new Map<string, Set<string>>();
  for (const v of snapshot.vnics) {
    const set = vnics.get(v.instanceId) ?? new Set<string>();
    set.add(v.id);
    vnics.set(v.instanceId, set);
  }
  const instanceOf = (node: string) => pipeline.sim.nodes.get(node)?.instanceId;
  marksFromLogs(marks, pipeline.fn.logLines, instanceOf, (node) => vnics.get(instanceOf(node) ?? "") ?? new Set());
  return phaseTable([...marks.values()], Math.max(pipeline.clock.real(1000), 1), criticalPath().steps);
}

/** Polls `ready` once per simulated second until it holds twice in a row; false when `limitSimMs` passes first. */
export async function waitFor(
  pipeline: Pipeline,
  limitSimMs: number,
  ready: () => Promise<boolean> | boolean,
): Promise<boolean> {
  return (
    (await poll(ready, { clock: pipeline.clock, timeoutMs: limitSimMs, intervalMs: 1_000, stableFor: 2 })) === true
  );
}

/** The first closed episode of `cause` per node that started at or after `fromSimMs`, in simulated seconds. */
function firstPerNode(timeline: PoolTimeline, cause: "usage", fromSimMs: number): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const e of timeline.episodes) {
    if (e.cause !== cause || e.startSimMs < fromSimMs || e.endSimMs === undefined || seen.has(e.node)) continue;
    seen.add(e.node);
    out.push((e.endSimMs - e.startSimMs) / 1000);
  }
  return out;
}

/**
 * One invocation with an empty batch: the function process starts and composes its runtime (OCI clients, the
 * Kubernetes token from Vault), as the first invocation of a container does. Later invocations are warm.
 */
export async function warmFunction(pipeline: Pipeline): Promise<void> {
  const res = await pipeline.fn.invoke("[]", "bench-warm-up", new Date(Date.now() + 60_000));
  if (res.statusCode !== 200) throw new Error(`warming the function failed: ${res.statusCode} ${res.body}`);
}

/** OCI calls answered so far by operation, without the stream's operations. */
export function coreCalls(pipeline: Pipeline): Record<string, number> {
  return Object.fromEntries(
    Object.entries(pipeline.cluster.oci.admin.counters()).filter(([op, n]) => n > 0 && !STREAM_OPERATIONS.has(op)),
  );
}

export function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d > 0) out[op] = d;
  }
  return out;
}

export function nudgesPublished(pipeline: Pipeline): number {
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as {
    streams: Array<{ messagesPerPartition: number[] }>;
  };
  return snapshot.streams.reduce((a, s) => a + s.messagesPerPartition.reduce((x, y) => x + y, 0), 0);
}

/** Secondary private IPs the allocator created (tagged with the cluster) that exist now. */
export function ownedIps(pipeline: Pipeline): number {
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as {
    privateIps: Array<{ isPrimary: boolean; freeformTags: Record<string, string> }>;
  };
  return snapshot.privateIps.filter((ip) => !ip.isPrimary && ip.freeformTags["ocipam-cluster"] === LOCAL_CLUSTER_NAME)
    .length;
}

/** Nodes of the simulation with at least one allocator-attached (secondary) VNIC. */
export function nodesWithSecondaryVnic(pipeline: Pipeline): number {
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as {
    vnics: Array<{ instanceId: string; isPrimary: boolean; lifecycleState: string }>;
  };
  const withVnic = new Set(
    snapshot.vnics.filter((v) => !v.isPrimary && v.lifecycleState !== "TERMINATED").map((v) => v.instanceId),
  );
  return [...pipeline.sim.nodes.values()].filter((n) => withVnic.has(n.instanceId)).length;
}
