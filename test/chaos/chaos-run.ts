import { calculateExcessIps, effectivePreAllocate } from "../../lib/core/formulas";
import { internalErrorFault } from "../../lib/kube-emulator";
import type { Log } from "../../lib/log";
import { startPipeline, type Pipeline } from "../../lib/local/pipeline";
import { addForeignIp, joinOutsider, settle } from "../../lib/local/run-local";
import { checkSafety, ipsInUseMissing, type SafetyCheck, type Witnesses } from "../../lib/local/safety";
import { seededRandom } from "../../lib/local/simulation/sim-clock";
import { BatchChaos, type BatchChaosStats } from "./batch-chaos";
import { type ChaosEvent, type ChaosKind, describeEvent, planChaos } from "./chaos-plan";

export interface ChaosOptions {
  seed: number;
  events: number;
  nodes: number;
  /** Real seconds per simulated second. Chaos makes no timing claims; faster runs leave the function fewer simulated seconds of work (its CPU time is scaled up), so the CLI uses 0.2 and the tests 0.05. */
  timeScale: number;
  /** Simulated length of the workload; injections fall inside it. */
  windowSimMs: number;
  /** Simulated time after the window during which faults armed with a count may still fire (then all are cleared). */
  drainSimMs: number;
  /** Simulated time allowed to reach quiescence after the last injection. */
  settleSimMs: number;
  log: Log;
  /** Called once per injection as it happens (live output). */
  onInjected?: (line: string) => void;
}

export interface InjectedEvent {
  atSimS: number;
  kind: ChaosKind;
  detail: string;
  /** What actually happened (e.g. whether a kill hit an invocation in flight). */
  outcome?: string;
}

export interface ChaosReport {
  seed: number;
  events: number;
  nodes: number;
  timeScale: number;
  injected: InjectedEvent[];
  /** Effects seen from outside: faults the emulator answered, restarts, redeliveries, conflicts. */
  observed: {
    ociFaultAnswers: Record<string, Record<string, number>>;
    functionStarts: number;
    functionKillsInFlight: number;
    connectorInvocations: number;
    connectorRedeliveries: number;
    agentWriteConflicts: number;
    batches: BatchChaosStats;
    ipsCreated: number;
    ipsReleased: number;
    vnicsAttached: number;
  };
  /** Each node at the end: pool, used, pods, excess by Cilium's formula. */
  finalNodes: Array<{ node: string; pool: number; used: number; pods: number; excess: number }>;
  quiesced: boolean;
  safety: SafetyCheck[];
  /** Sampled every simulated second during the run: IPs pods held that no longer existed in OCI. */
  inUseViolationsDuringRun: string[];
  ok: boolean;
  simulatedSeconds: number;
  wallSeconds: number;
}

/**
 * One chaos run of the whole local pipeline: nodes join and pods come and go while the planned injections happen
 * (OCI faults, Kubernetes conflicts and errors, duplicated / reordered / dropped nudges, the function killed). Release
 * of excess IPs is on, so the handshake is exercised too. After the window every fault is cleared, the system is left
 * to settle, and every safety property (lib/local/safety.ts) is checked against the emulated world.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = seededRandom(options.seed);
  const plan = planChaos(random, { events: options.events, windowSimMs: options.windowSimMs, nodes: options.nodes });
  const scaled = (simMs: number) => Math.max(Math.round(simMs * options.timeScale), 1);
  const pipeline = await startPipeline({
    timeScale: options.timeScale,
    latency: "realistic",
    shape: "VM.Standard.E4.Flex",
    ocpus: 2,
    log: options.log,
    allocatorConfig: { OCIPAM_RELEASE_EXCESS_IPS: "true", OCIPAM_EXCESS_IP_RELEASE_DELAY: "20" },
    watcherConfig: { OCIPAM_WATCHER_NUDGE_EXCESS: "true", OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS: String(300 * options.timeScale) },
    // A killed invocation's per-node Lease lasts until its deadline: keep it short in real time.
    functionTimeoutMs: Math.max(scaled(200_000), 8_000),
  });
  const batchChaos = new BatchChaos(seededRandom(options.seed ^ 0x5eed));
  pipeline.connector.transformBatch = batchChaos.transform;
  const injected: InjectedEvent[] = [];
  const violations: string[] = [];
  let killsInFlight = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const v of ipsInUseMissing(pipeline)) if (!violations.includes(v)) violations.push(`${v} at ${(pipeline.clock.nowMs() / 1000).toFixed(1)} s`);
      await pipeline.clock.sleep(1_000);
    }
  })();
  try {
    const witnesses: Witnesses = { foreignIpIds: [], primaryIpIds: [] };
    witnesses.outsider = joinOutsider(pipeline);
    const names = Array.from({ length: options.nodes }, (_, i) => `chaos-${String(i).padStart(2, "0")}`);

    // Plan times count from the start of the workload (starting the pipeline took simulated time already).
    const t0 = pipeline.clock.nowMs();
    const workload = runWorkload(pipeline, names, random, options.windowSimMs);
    const pending: Array<Promise<void>> = [];
    for (const { atSimMs, event } of plan) {
      const wait = t0 + atSimMs - pipeline.clock.nowMs();
      if (wait > 0) await pipeline.clock.sleep(wait);
      const record: InjectedEvent = { atSimS: (pipeline.clock.nowMs() - t0) / 1000, kind: event.kind, detail: describeEvent(event) };
      injected.push(record);
      // Not awaited in turn: a kill waits for an invocation to hit, and must not hold back the injections after it.
      pending.push((async () => {
        record.outcome = await inject(pipeline, event, batchChaos, options.timeScale);
        if (record.outcome === "killed during an invocation") killsInFlight++;
        options.onInjected?.(`${record.atSimS.toFixed(1).padStart(6)} s  ${record.kind.padEnd(18)} ${record.detail}${record.outcome ? ` → ${record.outcome}` : ""}`);
      })());
    }
    await Promise.all([workload, ...pending]);

    // Faults armed for the next N calls or writes stay armed for a while longer, so that they hit the work the window
    // left behind (at a fast time scale the function's own CPU time makes invocations rare in simulated time). Then
    // the end of chaos: nothing more is injected, the system must heal on its own.
    await pipeline.clock.sleep(options.drainSimMs);
    pipeline.cluster.oci.admin.clearFaults();
    pipeline.cluster.kube.store.clearFaults();
    batchChaos.disarm();
    // Witnesses for property 3: "another tool's" untagged IP on a node, and every primary IP.
    const foreign = await addForeignIp(pipeline);
    if (foreign) witnesses.foreignIpIds.push(foreign);
    const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as { privateIps: Array<{ id: string; isPrimary: boolean }> };
    witnesses.primaryIpIds = snapshot.privateIps.filter((ip) => ip.isPrimary).map((ip) => ip.id);
    const quiesced = await quiesce(pipeline, options.settleSimMs);
    sampling = false;
    await sampler;
    const safety = checkSafety(pipeline, witnesses, true);
    const byStatus = pipeline.cluster.oci.admin.countersByStatus();
    const faultAnswers: Record<string, Record<string, number>> = {};
    for (const [op, statuses] of Object.entries(byStatus)) {
      const faults = Object.fromEntries(Object.entries(statuses).filter(([status]) => status === "0" || status === "429" || Number(status) >= 500));
      if (Object.keys(faults).length > 0) faultAnswers[op] = faults;
    }
    const world = pipeline.cluster.oci.admin.snapshot() as unknown as { vnics: Array<{ isPrimary: boolean; lifecycleState: string; freeformTags: Record<string, string> }> };
    return {
      seed: options.seed,
      events: options.events,
      nodes: options.nodes,
      timeScale: options.timeScale,
      injected,
      observed: {
        ociFaultAnswers: faultAnswers,
        functionStarts: pipeline.fn.starts,
        functionKillsInFlight: killsInFlight,
        connectorInvocations: pipeline.connector.stats.invocations,
        connectorRedeliveries: pipeline.connector.stats.redeliveries,
        agentWriteConflicts: [...pipeline.sim.nodes.values()].reduce((a, n) => a + n.agent.conflicts, 0),
        batches: { ...batchChaos.stats },
        ipsCreated: byStatus.CreatePrivateIp?.["200"] ?? 0,
        ipsReleased: byStatus.DeletePrivateIp?.["204"] ?? byStatus.DeletePrivateIp?.["200"] ?? 0,
        vnicsAttached: world.vnics.filter((v) => !v.isPrimary && v.freeformTags["ocipam-cluster"] === "local" && v.lifecycleState !== "TERMINATED").length,
      },
      finalNodes: [...pipeline.sim.nodes.values()].map((n) => {
        const { pool, used, pre } = countsOf(pipeline, n.name);
        return { node: n.name, pool, used, pods: n.pods.size, excess: calculateExcessIps(pool, used, pre, 0, 0) };
      }),
      quiesced,
      safety,
      inUseViolationsDuringRun: violations,
      ok: quiesced && safety.every((c) => c.ok) && violations.length === 0,
      simulatedSeconds: pipeline.clock.nowMs() / 1000,
      wallSeconds: pipeline.clock.wallSeconds(),
    };
  } finally {
    sampling = false;
    await sampler;
    await pipeline.stop();
  }
}

/**
 * Nodes join (one every simulated second) with 10 pods each, then every 5 simulated seconds each node loses 0–4 pods
 * and gains 0–4 (balanced, within the node's 62 IPs), until the window ends; half-way and at the end, half of every
 * node's pods are deleted at once, so release has excess to work on while the faults go on.
 */
async function runWorkload(pipeline: Pipeline, names: string[], random: () => number, windowSimMs: number): Promise<void> {
  const end = pipeline.clock.nowMs() + windowSimMs;
  for (const name of names) {
    await pipeline.sim.joinNode(name);
    pipeline.sim.schedulePods(name, 10);
    await pipeline.clock.sleep(1_000);
  }
  const shuffle = (pods: string[]) => pods.map((p) => [random(), p] as const).sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  const scaleDownAt = end - windowSimMs / 2;
  let scaledDown = false;
  while (pipeline.clock.nowMs() < end - 5_000) {
    await pipeline.clock.sleep(5_000);
    if (!scaledDown && pipeline.clock.nowMs() >= scaleDownAt) {
      // Half of every node's pods go at once: excess for release to work on, under chaos.
      scaledDown = true;
      for (const name of names) pipeline.sim.deletePods(name, Math.ceil(pipeline.sim.nodes.get(name)!.pods.size / 2), shuffle);
      continue;
    }
    for (const name of names) {
      pipeline.sim.deletePods(name, Math.floor(random() * 5), shuffle);
      pipeline.sim.schedulePods(name, Math.floor(random() * 5));
    }
  }
  // And again at the end, with no churn after it: this excess can only go through release (while the faults drain).
  for (const name of names) pipeline.sim.deletePods(name, Math.ceil(pipeline.sim.nodes.get(name)!.pods.size / 2), shuffle);
}

/** Applies one injection; answers what happened when that is not obvious from the event. */
async function inject(pipeline: Pipeline, event: ChaosEvent, batches: BatchChaos, timeScale: number): Promise<string | undefined> {
  const oci = pipeline.cluster.oci.admin;
  const kube = pipeline.cluster.kube.store;
  switch (event.kind) {
    case "oci-429":
      oci.injectFault({ operation: event.operation, status: 429, count: event.count });
      return undefined;
    case "oci-5xx":
      oci.injectFault({ operation: event.operation, status: event.status, count: event.count });
      return undefined;
    case "oci-reset":
      oci.injectFault({ operation: event.operation, resetConnection: true, count: event.count });
      return undefined;
    case "oci-latency-spike":
      oci.injectFault({ operation: event.operation, delayMs: Math.max(Math.round(event.delaySimMs * timeScale), 1), count: event.count });
      return undefined;
    case "kube-conflict":
    case "kube-error": {
      // The event's node among those joined so far.
      const joined = [...pipeline.sim.nodes.keys()];
      if (joined.length === 0) return "no node joined yet: skipped";
      const node = joined[event.node % joined.length]!;
      if (event.kind === "kube-conflict") kube.injectConflict("ciliumnodes", node, { times: event.times });
      else kube.injectFault({ verb: ["update", "patch"], resource: "ciliumnodes", name: node, times: event.times, error: internalErrorFault("chaos") });
      return `on ${node}`;
    }
    case "nudge-duplicate":
    case "nudge-reorder":
    case "nudge-drop":
      batches.arm(event.kind, event.batches);
      return undefined;
    case "function-kill": {
      // Wait (a little) for an invocation to be in flight, so kills land in the middle of work.
      const until = pipeline.clock.nowMs() + 10_000;
      while (pipeline.fn.inFlight === 0 && pipeline.clock.nowMs() < until) await pipeline.clock.sleep(100);
      const inFlight = pipeline.fn.inFlight > 0;
      if (inFlight) await pipeline.clock.sleep(event.delaySimMs);
      const stillInFlight = pipeline.fn.inFlight > 0;
      await pipeline.fn.kill();
      return inFlight && stillInFlight ? "killed during an invocation" : "killed while idle";
    }
  }
}

/**
 * Quiescence for the checks: the run's settle (pools at the watermark, agents written, nothing queued), then no
 * excess left to release (Cilium's calculateExcessIPs, release being on), no release handshake in progress and no
 * invocation in flight, twice in a row.
 */
async function quiesce(pipeline: Pipeline, maxSimMs: number): Promise<boolean> {
  const deadline = pipeline.clock.nowMs() + maxSimMs;
  let calm = 0;
  while (pipeline.clock.nowMs() < deadline) {
    const settled = await settle(pipeline, Math.max(deadline - pipeline.clock.nowMs(), 1));
    const busy = [...pipeline.sim.nodes.keys()].some((name) => {
      const { pool, used, pre, releasing } = countsOf(pipeline, name);
      return calculateExcessIps(pool, used, pre, 0, 0) > 0 || releasing > 0;
    });
    calm = settled && !busy && pipeline.fn.inFlight === 0 ? calm + 1 : 0;
    if (calm >= 2) return true;
    await pipeline.clock.sleep(5_000);
  }
  return false;
}

/** A node's pool and used counts, effective pre-allocate and release handshake entries, from its CiliumNode. */
function countsOf(pipeline: Pipeline, name: string): { pool: number; used: number; pre: number; releasing: number } {
  const cn = pipeline.cluster.kube.store.get("ciliumnodes", name) as { spec?: { ipam?: { pool?: object; "pre-allocate"?: number } }; status?: { ipam?: { used?: object; "release-ips"?: object } } } | undefined;
  return {
    pool: Object.keys(cn?.spec?.ipam?.pool ?? {}).length,
    used: Object.keys(cn?.status?.ipam?.used ?? {}).length,
    pre: effectivePreAllocate(cn?.spec?.ipam?.["pre-allocate"] ?? 0),
    releasing: Object.keys(cn?.status?.ipam?.["release-ips"] ?? {}).length,
  };
}

/** The summary `npm run chaos` prints. */
export function renderChaos(report: ChaosReport): string {
  const counts = new Map<string, number>();
  for (const e of report.injected) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  const o = report.observed;
  const faults = Object.entries(o.ociFaultAnswers).map(([op, st]) => `${op} ${Object.entries(st).map(([s, n]) => `${s === "0" ? "reset" : s}×${n}`).join(" ")}`).join(", ") || "none";
  const lines = [
    `chaos run: seed ${report.seed}, ${report.events} events, ${report.nodes} nodes, ${report.simulatedSeconds.toFixed(0)} simulated s in ${report.wallSeconds.toFixed(1)} wall s (time scale ${report.timeScale})`,
    "",
    "injected:",
    ...report.injected.map((e) => `  ${e.atSimS.toFixed(1).padStart(6)} s  ${e.kind.padEnd(18)} ${e.detail}${e.outcome ? ` → ${e.outcome}` : ""}`),
    `  by kind: ${[...counts].map(([k, n]) => `${k} ${n}`).join(", ")}`,
    "",
    "observed:",
    `  OCI fault answers: ${faults}`,
    `  function starts ${o.functionStarts} (kills during an invocation ${o.functionKillsInFlight}), connector invocations ${o.connectorInvocations} (${o.connectorRedeliveries} redelivered)`,
    `  batches touched ${o.batches.batchesTouched}: nudges duplicated ${o.batches.duplicated}, reordered ${o.batches.reordered}, dropped ${o.batches.dropped}; agent write conflicts ${o.agentWriteConflicts}`,
    `  IPs created ${o.ipsCreated}, released ${o.ipsReleased}, secondary VNICs attached ${o.vnicsAttached}`,
    `  at the end: ${report.finalNodes.map((n) => `${n.node} pool ${n.pool} used ${n.used} pods ${n.pods}${n.excess ? ` excess ${n.excess}` : ""}`).join("; ")}`,
    "",
    "found:",
    `  ${report.quiesced ? "PASS" : "FAIL"}  quiescence after the last injection`,
    `  ${report.inUseViolationsDuringRun.length === 0 ? "PASS" : "FAIL"}  sampled every simulated second: no IP a pod held disappeared from OCI${report.inUseViolationsDuringRun.length ? ` — ${report.inUseViolationsDuringRun.slice(0, 5).join("; ")}` : ""}`,
    ...report.safety.map((c) => `  ${c.ok ? "PASS" : "FAIL"}  ${c.property} — ${c.detail}`),
    "",
    report.ok ? "result: PASS" : "result: FAIL",
  ];
  return lines.join("\n");
}
