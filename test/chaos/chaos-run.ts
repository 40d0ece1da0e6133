import { calculateExcessIps, effectivePreAllocate } from "../../lib/core/formulas";
import { internalErrorFault } from "../../lib/testbed/kube-emulator";
import type { Log } from "../../lib/log";
import { startPipeline, type Pipeline } from "../../lib/testbed/local/pipeline";
import { addForeignIp, joinOutsider, settle } from "../../lib/testbed/local/run-local";
import { checkSafety, type SafetyCheck, type Witnesses } from "../../lib/testbed/local/safety";
import { seededRandom } from "../../lib/testbed/local/simulation/seeded-random";
import { poll } from "../support/poll";
import { BatchChaos, type BatchChaosStats } from "./batch-chaos";
import { type ChaosEvent, type ChaosKind, describeEvent, planChaos } from "./chaos-plan";
import { injectionLine, renderChaos } from "./chaos-render";
import { CollectorWatch } from "./collector-watch";
import { DeletionLedger } from "./deletion-ledger";
import { deletionChecks, staleChecks, type DeletionSummary } from "./chaos-checks";
import { NodeChurn, PODS_AT_JOIN } from "./node-churn";
import { ChaosOperator } from "./operator";
import { WorldSampler, type InUseViolation } from "./sampler";
import { ciliumNode, successes, worldOf, type CiliumNodeView } from "./world-view";

export interface ChaosOptions {
  seed: number;
  events: number;
  nodes: number;
  /**
   * Real seconds per simulated second. Chaos makes no timing claims; faster runs leave the function fewer simulated
   * seconds of work (its CPU time is scaled up), so the CLI uses 0.2 and the tests 0.1.
   */
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
  /** Keep the function's last N log lines in the report (`functionLogs`), for finding out what went wrong. */
  keepFunctionLogs?: number;
}

export interface InjectedEvent {
  atSimS: number;
  kind: ChaosKind;
  detail: string;
  /** What actually happened (e.g. whether a kill hit an invocation in flight, which node was replaced). */
  outcome?: string;
}

export interface ChaosReport {
  seed: number;
  events: number;
  nodes: number;
  timeScale: number;
  windowSimS: number;
  injected: InjectedEvent[];
  injectedByKind: Record<string, number>;
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
    vnicsAttached: number;
  };
  /** Every deletion the run exercised, from the OCI emulator's counters and world (not the allocator's claims). */
  deletions: DeletionSummary;
  /** Each allocator IP that left OCI: when, whose, and how (DeletionLedger). */
  disappearances: DeletionLedger["log"];
  functionLogs?: Array<Record<string, unknown>>;
  /** The in-use sampler's coverage. */
  sampler: { samples: number; simulatedSeconds: number; maxGapS: number };
  /** Each node at the end: pool, used, pods, excess by Cilium's formula. */
  finalNodes: Array<{ node: string; pool: number; used: number; pods: number; excess: number }>;
  quiesced: boolean;
  /** checkSafety's five properties, then the chaos run's own (6 stale Nodes, 7 deletions exercised). */
  safety: SafetyCheck[];
  /** Sampled every simulated second during the run: "node ip at T s" of IPs pods held that no longer existed in OCI. */
  inUseViolationsDuringRun: string[];
  firstInUseViolation?: InUseViolation;
  ok: boolean;
  simulatedSeconds: number;
  wallSeconds: number;
}

/** A simulated duration as the whole real seconds the allocator's settings take (at least 1). */
const realSeconds = (simSeconds: number, timeScale: number) => String(Math.max(1, Math.round(simSeconds * timeScale)));

/** How often the watcher nudges leak collection, simulated: several passes fall in any window of a minute or more. */
export const COLLECT_EVERY_SIM_S = 15;
/**
 * The collector's grace period, simulated: longer than the longest injected latency spike (20 s), so that a reconcile
 * slowed down between its creates and its pool write is not taken for a leak (the product's default is 600 s).
 */
export const COLLECT_GRACE_SIM_S = 30;
/** How long an IP must stay excess before the allocator marks it for release, simulated. */
export const RELEASE_DELAY_SIM_S = 20;

/**
 * One chaos run of the whole local pipeline: nodes join and pods come and go while the planned injections happen
 * (OCI faults on every mutation, Kubernetes conflicts and list/patch errors, duplicated / reordered / dropped nudges,
 * the function killed, nodes deleted and re-created, stale Nodes, an operator's out-of-band deletions). Release of
 * excess IPs and leak collection are on, so deletion is exercised. After the window every fault is cleared, the
 * system is left to settle, and every safety property is checked against the emulated world.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = seededRandom(options.seed);
  const plan = planChaos(random, { events: options.events, windowSimMs: options.windowSimMs, nodes: options.nodes });
  const scaled = (simMs: number) => Math.max(Math.round(simMs * options.timeScale), 1);
  const ts = options.timeScale;
  const pipeline = await startPipeline({
    timeScale: ts,
    latency: "realistic",
    shape: "VM.Standard.E4.Flex",
    ocpus: 2,
    log: options.log,
    allocatorConfig: {
      OCIPAM_RELEASE_EXCESS_IPS: "true",
      OCIPAM_EXCESS_IP_RELEASE_DELAY: realSeconds(RELEASE_DELAY_SIM_S, ts),
      OCIPAM_COLLECT_GRACE_PERIOD: realSeconds(COLLECT_GRACE_SIM_S, ts),
    },
    watcherConfig: {
      OCIPAM_WATCHER_NUDGE_EXCESS: "true",
      OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS: String(COLLECT_EVERY_SIM_S * ts),
    },
    // A killed invocation's per-node Leases last until its deadline, locking its nodes out of reconciles until then:
    // keep it to a simulated minute (at least 5 real s, room for a slow invocation on a busy machine).
    functionTimeoutMs: Math.max(scaled(60_000), 5_000),
    ...(options.keepFunctionLogs ? { keepFunctionLogs: options.keepFunctionLogs } : {}),
  });
  const batchChaos = new BatchChaos(seededRandom(options.seed ^ 0x5eed));
  const collector = new CollectorWatch(pipeline);
  pipeline.connector.transformBatch = (batch) => {
    collector.observeBatch(batch);
    return batchChaos.transform(batch);
  };
  const operator = new ChaosOperator(pipeline, seededRandom(options.seed ^ 0x0b0b));
  // The sampler (created below) tells churn when a stale Node has been refused: bound late, called only later.
  const churn = new NodeChurn(
    pipeline,
    (node) => collector.nudgeHandled(node),
    (stale) => sampler.staleDone(stale),
  );
  const ledger = new DeletionLedger((id) => operator.deletedOutOfBand(id));
  const sampler = new WorldSampler(pipeline, ledger, operator, churn);
  const unsubscribe = pipeline.cluster.kube.store.onChange((event) => {
    if (event.typeKey === "events" && event.type === "ADDED") {
      sampler.observeEvent(event.object as Parameters<WorldSampler["observeEvent"]>[0]);
    }
    if (event.typeKey !== "ciliumnodes.cilium.io") return;
    const cn = event.object as unknown as CiliumNodeView & { metadata: { name: string } };
    ledger.observeCiliumNode(cn.metadata.name, cn.status?.ipam?.["release-ips"], pipeline.clock.nowMs());
  });
  sampler.start();
  const injected: InjectedEvent[] = [];
  let killsInFlight = 0;
  try {
    const witnesses: Witnesses = { foreignIpIds: [], primaryIpIds: [] };
    witnesses.outsider = joinOutsider(pipeline);
    const names = Array.from({ length: options.nodes }, (_, i) => `chaos-${String(i).padStart(2, "0")}`);

    // Plan times count from the start of the workload (starting the pipeline took simulated time already).
    const t0 = pipeline.clock.nowMs();
    sampler.originSimMs = t0;
    ledger.originMs = t0;
    const workload = runWorkload(pipeline, names, churn, random, options.windowSimMs);
    const pending: Array<Promise<void>> = [];
    for (const { atSimMs, event } of plan) {
      const wait = t0 + atSimMs - pipeline.clock.nowMs();
      if (wait > 0) await pipeline.clock.sleep(wait);
      const atSimS = (pipeline.clock.nowMs() - t0) / 1000;
      const record: InjectedEvent = { atSimS, kind: event.kind, detail: describeEvent(event) };
      injected.push(record);
      // Not awaited in turn: a kill waits for an invocation, a churn for its node to return; later injections go on.
      pending.push(
        (async () => {
          try {
            record.outcome = await inject(pipeline, event, { batches: batchChaos, churn, operator }, ts);
          } catch (err) {
            record.outcome = `harness error: ${err instanceof Error ? err.message : String(err)}`;
          }
          if (record.outcome === "killed during an invocation") killsInFlight++;
          options.onInjected?.(injectionLine(record).trimStart());
        })(),
      );
    }
    await Promise.all([workload, ...pending]);

    // Faults armed for the next N calls or writes stay armed for a while longer, so that they hit the work the window
    // left behind (at a fast time scale the function's own CPU time makes invocations rare in simulated time). Then
    // the end of chaos: nothing more is injected, the system must heal on its own.
    await pipeline.clock.sleep(options.drainSimMs);
    pipeline.cluster.oci.admin.clearFaults();
    pipeline.cluster.kube.store.clearFaults();
    batchChaos.disarm();
    const chaosEnd = pipeline.clock.nowMs();
    // Witnesses for property 3: "another tool's" untagged IP on a node, and every primary IP.
    const foreign = await addForeignIp(pipeline);
    if (foreign) witnesses.foreignIpIds.push(foreign);
    witnesses.primaryIpIds = worldOf(pipeline)
      .privateIps.filter((ip) => ip.isPrimary)
      .map((ip) => ip.id);
    const quiesced = await quiesce(pipeline, witnesses, options.settleSimMs);
    await sampler.stop();
    witnesses.excusedInUse = [...sampler.excused];
    for (const v of sampler.violations) {
      const gone = ledger.log.filter((d) => d.node === v.node && d.ip === v.ip && d.atSimS <= v.atSimS + 1).pop();
      v.went = gone ? `${gone.how} at ${gone.atSimS.toFixed(1)} s` : "not seen leaving (other VNIC, or within 1 s)";
    }
    const safety = checkSafety(pipeline, witnesses, true);
    const deletions: DeletionSummary = {
      releasedThroughHandshake: ledger.counts.release,
      collectorIps: ledger.counts.collector,
      collectorVnicDetaches: successes(pipeline, "DetachVnic") - operator.vnicsDetached,
      outOfBandIps: operator.ipsDeleted,
      outOfBandVnicDetaches: operator.vnicsDetached,
      ipsGoneWithDetachedVnic: ledger.counts["with-vnic"],
      ipsGoneWithTerminatedInstance: ledger.counts["with-instance"],
      allocatorDeletePrivateIp: successes(pipeline, "DeletePrivateIp") - operator.ipsDeleted,
      collectorPasses: collector.passes.length,
      collectorPassesUnderChaos: collector.passes.filter((at) => at >= t0 && at <= chaosEnd).length,
      collectLeaksNudgesDelivered: collector.nudgesDelivered,
      orphanedInstances: churn.orphanedInstances.length,
      orphanedInstancesWithObjects: sampler.orphansWithObjects.size,
    };
    safety.push(...staleChecks(sampler.stale, churn.staleOverlaps));
    safety.push(...deletionChecks(deletions, { releaseOn: true }));
    const byStatus = pipeline.cluster.oci.admin.countersByStatus();
    const faultAnswers: Record<string, Record<string, number>> = {};
    for (const [op, statuses] of Object.entries(byStatus)) {
      const isFault = (status: string) => status === "0" || status === "429" || Number(status) >= 500;
      const faults = Object.fromEntries(Object.entries(statuses).filter(([status]) => isFault(status)));
      if (Object.keys(faults).length > 0) faultAnswers[op] = faults;
    }
    const world = worldOf(pipeline);
    const violations = sampler.violations.map((v) => `${v.node} ${v.ip} at ${v.atSimS.toFixed(1)} s`);
    const injectedByKind: Record<string, number> = {};
    for (const e of injected) injectedByKind[e.kind] = (injectedByKind[e.kind] ?? 0) + 1;
    return {
      seed: options.seed,
      events: options.events,
      nodes: options.nodes,
      timeScale: ts,
      windowSimS: options.windowSimMs / 1000,
      injected,
      injectedByKind,
      observed: {
        ociFaultAnswers: faultAnswers,
        functionStarts: pipeline.fn.starts,
        functionKillsInFlight: killsInFlight,
        connectorInvocations: pipeline.connector.stats.invocations,
        connectorRedeliveries: pipeline.connector.stats.redeliveries,
        agentWriteConflicts: [...pipeline.sim.nodes.values()].reduce((a, n) => a + n.agent.conflicts, 0),
        batches: { ...batchChaos.stats },
        ipsCreated: successes(pipeline, "CreatePrivateIp"),
        vnicsAttached: world.vnics
          .filter((v) => !v.isPrimary && v.freeformTags["ocipam-cluster"] === "local")
          .filter((v) => v.lifecycleState !== "TERMINATED").length,
      },
      deletions,
      disappearances: ledger.log,
      ...(options.keepFunctionLogs ? { functionLogs: pipeline.fn.logLines } : {}),
      sampler: {
        samples: sampler.samples,
        simulatedSeconds: (sampler.lastAtSimMs - sampler.startedAtSimMs) / 1000,
        maxGapS: sampler.maxGapSimMs / 1000,
      },
      finalNodes: [...pipeline.sim.nodes.values()].map((n) => {
        const { pool, used, pre } = countsOf(pipeline, n.name);
        return { node: n.name, pool, used, pods: n.pods.size, excess: calculateExcessIps(pool, used, pre, 0, 0) };
      }),
      quiesced,
      safety,
      inUseViolationsDuringRun: violations,
      ...(sampler.violations[0] ? { firstInUseViolation: sampler.violations[0] } : {}),
      ok: quiesced && safety.every((c) => c.ok) && violations.length === 0,
      simulatedSeconds: pipeline.clock.nowMs() / 1000,
      wallSeconds: pipeline.clock.wallSeconds(),
    };
  } finally {
    unsubscribe();
    collector.stop();
    await sampler.stop();
    operator.close();
    await pipeline.stop();
  }
}

/**
 * Nodes join (one every simulated second) with 10 pods each (the first with 26, so it needs a second VNIC), then
 * every 5 simulated seconds each node loses 0–4 pods
 * and gains 0–4 (balanced, within the node's 62 IPs), until the window ends; half-way and at the end, half of every
 * node's pods are deleted at once (the second time once pools have filled), so release has excess to work on while
 * the faults go on. A node that node churn has taken away is left alone until it is back.
 */
async function runWorkload(
  pipeline: Pipeline,
  names: string[],
  churn: NodeChurn,
  random: () => number,
  windowSimMs: number,
): Promise<void> {
  const end = pipeline.clock.nowMs() + windowSimMs;
  for (const name of names) {
    await pipeline.sim.joinNode(name);
    // The first node outgrows its primary VNIC (31 IPs), so a second VNIC is attached (and may empty and be detached).
    pipeline.sim.schedulePods(name, name === names[0] ? BIG_NODE_PODS : PODS_AT_JOIN);
    await pipeline.clock.sleep(1_000);
  }
  const present = () => names.filter((n) => pipeline.sim.nodes.has(n) && !churn.isBusy(n));
  const shuffle = (pods: string[]) =>
    pods
      .map((p) => [random(), p] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, p]) => p);
  const halve = () => {
    for (const name of present()) {
      pipeline.sim.deletePods(name, Math.ceil(pipeline.sim.nodes.get(name)!.pods.size / 2), shuffle);
    }
  };
  const scaleDownAt = end - windowSimMs / 2;
  let scaledDown = false;
  while (pipeline.clock.nowMs() < end - 5_000) {
    await pipeline.clock.sleep(5_000);
    if (!scaledDown && pipeline.clock.nowMs() >= scaleDownAt) {
      // Half of every node's pods go at once: excess for release to work on, under chaos.
      scaledDown = true;
      halve();
      continue;
    }
    // Draws stay the same whichever nodes are away, so a seed's workload does not depend on churn timing.
    for (const name of names) {
      const [gone, come] = [Math.floor(random() * 5), Math.floor(random() * 5)];
      if (!present().includes(name)) continue;
      pipeline.sim.deletePods(name, gone, shuffle);
      pipeline.sim.schedulePods(name, come);
    }
  }
  // And again at the end, with no churn after it: this excess can only go through release (while the faults drain).
  // First the pools are let fill (bounded): a function slowed down by the chaos may not have caught up yet, and
  // halving pods under pools that never grew leaves no excess, so release would go unexercised.
  await settle(pipeline, FILL_BEFORE_RELEASE_SIM_MS);
  halve();
}

/** Pods the first node starts with: with the infrastructure IPs and pre-allocate 8, more than one VNIC holds. */
const BIG_NODE_PODS = 26;

/** How long the workload waits at the end of the window for pools to reach the watermark before the last halving. */
const FILL_BEFORE_RELEASE_SIM_MS = 120_000;

interface Injectors {
  batches: BatchChaos;
  churn: NodeChurn;
  operator: ChaosOperator;
}

/** Applies one injection; answers what happened when that is not obvious from the event. */
async function inject(
  pipeline: Pipeline,
  event: ChaosEvent,
  to: Injectors,
  timeScale: number,
): Promise<string | undefined> {
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
    case "oci-latency-spike": {
      const delayMs = Math.max(Math.round(event.delaySimMs * timeScale), 1);
      oci.injectFault({ operation: event.operation, delayMs, count: event.count });
      return undefined;
    }
    case "kube-conflict":
    case "kube-error": {
      // The event's node among those joined so far.
      const joined = [...pipeline.sim.nodes.keys()];
      if (joined.length === 0) return "no node joined yet: skipped";
      const node = joined[event.node % joined.length]!;
      const [error, times] = [internalErrorFault("chaos"), event.times];
      if (event.kind === "kube-conflict") kube.injectConflict("ciliumnodes", node, { times });
      else kube.injectFault({ verb: ["update", "patch"], resource: "ciliumnodes", name: node, times, error });
      return `on ${node}`;
    }
    // The harness itself reads the store by name (get), so list and patch faults hit only the product's calls.
    case "kube-list-error":
      kube.injectFault({ verb: "list", resource: event.resource, times: event.times, error: internalErrorFault() });
      return undefined;
    case "kube-patch-error":
      kube.injectFault({ verb: "patch", resource: event.resource, times: event.times, error: internalErrorFault() });
      return undefined;
    case "nudge-duplicate":
    case "nudge-reorder":
    case "nudge-drop":
      to.batches.arm(event.kind, event.batches);
      return undefined;
    case "function-kill": {
      // Wait (a little) for an invocation to be in flight, so kills land in the middle of work.
      await poll(() => pipeline.fn.inFlight > 0, { clock: pipeline.clock, timeoutMs: 10_000, intervalMs: 100 });
      const inFlight = pipeline.fn.inFlight > 0;
      if (inFlight) await pipeline.clock.sleep(event.delaySimMs);
      const stillInFlight = pipeline.fn.inFlight > 0;
      await pipeline.fn.kill();
      return inFlight && stillInFlight ? "killed during an invocation" : "killed while idle";
    }
    case "node-replace":
    case "node-replace-orphan":
    case "node-rejoin":
    case "stale-node":
      return to.churn.apply(event);
    case "oob-delete-ip":
      return to.operator.deleteIps(event.count);
    case "oob-detach-vnic":
      return to.operator.detachVnic();
  }
}

/**
 * Quiescence for the checks: the run's settle (pools at the watermark, agents written, nothing queued), then no
 * excess left to release (Cilium's calculateExcessIPs, release being on), no release handshake in progress, no
 * invocation in flight and nothing leaked left to collect (property 2 holds), twice in a row.
 */
async function quiesce(pipeline: Pipeline, witnesses: Witnesses, maxSimMs: number): Promise<boolean> {
  const deadline = pipeline.clock.nowMs() + maxSimMs;
  let calm = 0;
  while (pipeline.clock.nowMs() < deadline) {
    const settled = await settle(pipeline, Math.max(deadline - pipeline.clock.nowMs(), 1));
    const busy = [...pipeline.sim.nodes.keys()].some((name) => {
      const { pool, used, pre, releasing } = countsOf(pipeline, name);
      return calculateExcessIps(pool, used, pre, 0, 0) > 0 || releasing > 0;
    });
    const leakFree = checkSafety(pipeline, witnesses, true).find((c) => c.property.startsWith("2."))?.ok === true;
    calm = settled && !busy && leakFree && pipeline.fn.inFlight === 0 ? calm + 1 : 0;
    if (calm >= 2) return true;
    await pipeline.clock.sleep(5_000);
  }
  return false;
}

/** A node's pool and used counts, effective pre-allocate and release handshake entries, from its CiliumNode. */
function countsOf(pipeline: Pipeline, name: string): { pool: number; used: number; pre: number; releasing: number } {
  const cn = ciliumNode(pipeline, name);
  return {
    pool: Object.keys(cn?.spec?.ipam?.pool ?? {}).length,
    used: Object.keys(cn?.status?.ipam?.used ?? {}).length,
    pre: effectivePreAllocate(cn?.spec?.ipam?.["pre-allocate"] ?? 0),
    releasing: Object.keys(cn?.status?.ipam?.["release-ips"] ?? {}).length,
  };
}

export { renderChaos };
