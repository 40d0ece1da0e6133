import * as common from "oci-common";
import * as core from "oci-core";
import type { Log } from "../../log";
import { routeInstanceEvents } from "./events-rule";
import { DEFAULT_COMPARTMENT, LOCAL_CLUSTER_NAME } from "./local-cluster";
import { startPipeline, type Pipeline } from "./pipeline";
import { OPERATION_FAMILY } from "../oci-emulator/operations";
import type { OciOperation } from "../../oci/permissions";
import { percentile, type LocalReport, type NodeReport } from "./report";
import { judgeRun } from "./report-verdict";
import { checkSafety, fingerprintInstance, type Witnesses } from "./safety";
import { SCENARIOS } from "./simulation/scenarios";
import { seededRandom } from "./simulation/seeded-random";

export interface LocalRunOptions {
  scenario: string;
  nodes: number;
  shape: string;
  ocpus?: number;
  timeScale: number;
  seed: number;
  log: Log;
  /** Simulated time allowed for the system to settle after the workload. */
  settleSimMs?: number;
  allocatorConfig?: Record<string, string>;
  watcherConfig?: Record<string, string>;
  /** Called about once a second with the running pipeline (progress display). */
  onProgress?: (pipeline: Pipeline) => void;
  /** The watcher manifest the fresh-cluster scenario schedules (tests feed a modified copy). */
  watcherManifest?: string;
}

/**
 * Runs a scenario through the whole local pipeline and reports times, API calls and the safety properties.
 * Everything it starts is stopped before it returns.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalReport> {
  const scenario = SCENARIOS[options.scenario];
  if (!scenario)
    throw new Error(`unknown scenario "${options.scenario}" (known: ${Object.keys(SCENARIOS).join(", ")})`);
  const settings = scenario.settings?.(options.timeScale) ?? {};
  const pipeline = await startPipeline({
    timeScale: options.timeScale,
    latency: "realistic",
    shape: options.shape,
    ...(options.ocpus ? { ocpus: options.ocpus } : {}),
    log: options.log,
    allocatorConfig: { ...settings.allocator, ...options.allocatorConfig },
    watcherConfig: { ...settings.watcher, ...options.watcherConfig },
    ...(settings.deferWatcher ? { deferWatcher: true } : {}),
  });
  const stopEvents = settings.instanceEvents
    ? routeInstanceEvents(
        pipeline.cluster.oci,
        (payload, callId, deadline) => pipeline.fn.invoke(payload, callId, deadline),
        { compartmentIds: [DEFAULT_COMPARTMENT], log: options.log },
      )
    : undefined;
  const progress = options.onProgress ? setInterval(() => options.onProgress!(pipeline), 1000) : undefined;
  try {
    const witnesses: Witnesses = { foreignIpIds: [], primaryIpIds: [] };
    witnesses.outsider = joinOutsider(pipeline);
    // The "another tool" witness goes on the first node's primary VNIC before the allocator can know the node, so it
    // never competes with the allocator for that VNIC's room (which made seeded runs differ, and a small shape's run
    // crash when the chosen VNIC filled up in between).
    pipeline.sim.onInstanceLaunched = async (_name, instanceId) => {
      pipeline.sim.onInstanceLaunched = undefined;
      witnesses.foreignIpIds.push(await addForeignIpOn(pipeline, primaryVnicOf(pipeline, instanceId)));
    };
    const ctx = {
      pipeline,
      nodes: options.nodes,
      random: seededRandom(options.seed),
      notes: {},
      ...(options.watcherManifest ? { watcherManifest: options.watcherManifest } : {}),
    };
    await scenario.run(ctx);
    pipeline.sim.onInstanceLaunched = undefined;
    const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as {
      privateIps: Array<{ id: string; isPrimary: boolean }>;
    };
    witnesses.primaryIpIds = snapshot.privateIps.filter((ip) => ip.isPrimary).map((ip) => ip.id);
    const quiesced = await settle(pipeline, options.settleSimMs ?? 180_000);
    options.onProgress?.(pipeline);
    const safety = [
      ...checkSafety(pipeline, witnesses, settings.deletionsExpected ?? false),
      ...(scenario.checks?.(ctx) ?? []),
    ];
    return buildReport(pipeline, options, quiesced, safety);
  } finally {
    if (progress) clearInterval(progress);
    stopEvents?.();
    await pipeline.stop();
  }
}

/** An instance of another compartment joins as a node: the allocator must refuse it and change nothing. */
export function joinOutsider(pipeline: Pipeline): Witnesses["outsider"] {
  const admin = pipeline.cluster.oci.admin;
  const compartment = admin.createCompartment({ name: "not-the-cluster" });
  const instance = admin.launchInstance(
    { name: "outsider", shape: "VM.Standard.E4.Flex", ocpus: 2, subnet: "workers-ad1", compartment: compartment.id },
    { running: true },
  ) as { id: string };
  pipeline.cluster.joinNode("outsider-000", instance.id);
  return {
    node: "outsider-000",
    instanceId: instance.id,
    fingerprint: fingerprintInstance(admin.snapshot() as never, instance.id),
  };
}

/**
 * Another tool adds an untagged secondary IP on a cluster node's VNIC (the one with the most room): it must never be
 * touched. Undefined when every VNIC of every node is full. Chaos runs call it mid-run, where it races the
 * allocator on purpose; `ocipam local` places its witness before the allocator acts instead (addForeignIpOn).
 */
export async function addForeignIp(pipeline: Pipeline): Promise<string | undefined> {
  const instances = new Set([...pipeline.sim.nodes.values()].map((n) => n.instanceId));
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as {
    vnics: Array<{ id: string; instanceId: string; lifecycleState: string; secondaryIpCount: number }>;
  };
  const vnic = snapshot.vnics
    .filter((v) => instances.has(v.instanceId) && v.lifecycleState === "AVAILABLE" && v.secondaryIpCount < 31)
    .sort((a, b) => a.secondaryIpCount - b.secondaryIpCount)[0];
  if (!vnic) return undefined;
  try {
    return await addForeignIpOn(pipeline, vnic.id);
  } catch (err) {
    // Racing the allocator on purpose, the VNIC may fill up or go away between the snapshot and the call: then there
    // is no witness this time, which is not the run's failure (the crash of a small-shape run came from here).
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 400 || status === 404 || status === 409) return undefined;
    throw err;
  }
}

/** The primary VNIC of an instance (it exists from launch, PROVISIONING included). */
function primaryVnicOf(pipeline: Pipeline, instanceId: string): string {
  type Vnics = { vnics: Array<{ id: string; instanceId: string; isPrimary: boolean }> };
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as Vnics;
  const vnic = snapshot.vnics.find((v) => v.instanceId === instanceId && v.isPrimary);
  if (!vnic) throw new Error(`instance ${instanceId} has no primary VNIC in the emulator`);
  return vnic.id;
}

/**
 * Another tool (the emulator's administrator key, not the allocator's) creates an untagged secondary IP on `vnicId`
 * through the public API, as an operator's script would. Returns its OCID.
 */
export async function addForeignIpOn(pipeline: Pipeline, vnicId: string): Promise<string> {
  const c = pipeline.cluster.oci.credentials;
  const client = new core.VirtualNetworkClient(
    {
      authenticationDetailsProvider: new common.SimpleAuthenticationDetailsProvider(
        c.tenancyId,
        c.userId,
        c.fingerprint,
        c.privateKeyPem,
        null,
        common.Region.US_ASHBURN_1,
      ),
    },
    { circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }) },
  );
  client.endpoint = pipeline.cluster.oci.endpoint;
  try {
    const res = await client.createPrivateIp({ createPrivateIpDetails: { vnicId, displayName: "another-tool" } });
    return res.privateIp.id!;
  } finally {
    client.shutdownCircuitBreaker();
  }
}

/**
 * Waits until the system is at rest: every pod has an IP, every agent has written its status, every node's pool holds
 * what the watermarks ask (or its record says AtCapacity/Error), and neither the watcher nor the connector has work —
 * for three checks in a row. False if that does not happen within `maxSimMs`.
 */
export async function settle(pipeline: Pipeline, maxSimMs: number): Promise<boolean> {
  const deadline = pipeline.clock.nowMs() + maxSimMs;
  let calm = 0;
  while (pipeline.clock.nowMs() < deadline) {
    await pipeline.watcher.idle();
    const atRest =
      pipeline.connector.idle &&
      [...pipeline.sim.nodes.values()].every((node) => {
        const record = pipeline.cluster.kube.store.get("ociipamnodes", node.name) as
          | { status?: { state?: string } }
          | undefined;
        const full = record?.status?.state === "AtCapacity" || record?.status?.state === "Error";
        if (node.agent.hasPendingWrite || (node.agent.waitingPods.length > 0 && !full)) return false;
        const cn = pipeline.cluster.kube.store.get("ciliumnodes", node.name) as
          | {
              spec?: { ipam?: { pool?: object; "pre-allocate"?: number } };
              status?: { ipam?: { used?: object; "release-ips"?: object } };
            }
          | undefined;
        const pool = Object.keys(cn?.spec?.ipam?.pool ?? {}).length;
        const used = Object.keys(cn?.status?.ipam?.used ?? {}).length;
        const pre = cn?.spec?.ipam?.["pre-allocate"] ?? 8;
        const handshake = Object.keys(cn?.status?.ipam?.["release-ips"] ?? {}).length > 0;
        return (pool - used >= pre || full) && !handshake;
      });
    calm = atRest ? calm + 1 : 0;
    if (calm >= 3) return true;
    await pipeline.clock.sleep(1_000);
  }
  return false;
}

function buildReport(
  pipeline: Pipeline,
  options: LocalRunOptions,
  quiesced: boolean,
  safety: LocalReport["safety"],
): LocalReport {
  const store = pipeline.cluster.kube.store;
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as {
    privateIps: Array<{ isPrimary: boolean; freeformTags: Record<string, string> }>;
    vnics: Array<{
      instanceId: string;
      lifecycleState: string;
      isPrimary: boolean;
      freeformTags: Record<string, string>;
    }>;
    streams: Array<{ messagesPerPartition: number[] }>;
    instances: Array<{ id: string; shapeConfig?: { maxVnicAttachments?: number } }>;
  };
  const perNode: NodeReport[] = [...pipeline.sim.nodes.values()].map((node) => {
    const cn = store.get("ciliumnodes", node.name) as
      | { spec?: { ipam?: { pool?: object } }; status?: { ipam?: { used?: object } } }
      | undefined;
    const record = store.get("ociipamnodes", node.name) as { status?: { state?: string; reason?: string } } | undefined;
    return {
      node: node.name,
      instanceId: node.instanceId,
      joinedAtS: node.joinedAtSimMs / 1000,
      joinToReadyS: node.readyAtSimMs === undefined ? null : (node.readyAtSimMs - node.joinedAtSimMs) / 1000,
      pool: Object.keys(cn?.spec?.ipam?.pool ?? {}).length,
      used: Object.keys(cn?.status?.ipam?.used ?? {}).length,
      pods: node.pods.size,
      vnics: snapshot.vnics.filter((v) => v.instanceId === node.instanceId && v.lifecycleState !== "TERMINATED").length,
      vnicSlots: snapshot.instances.find((i) => i.id === node.instanceId)?.shapeConfig?.maxVnicAttachments ?? 0,
      podsWaiting: pipeline.sim.pendingPods(node.name),
      atShapeCapacity: false,
      state: record?.status?.state ?? "Pending",
      reason: record?.status?.reason ?? "",
    };
  });
  const verdict = judgeRun({ quiesced, safety, nodes: perNode });
  for (const n of perNode) n.atShapeCapacity = verdict.nodesAtShapeCapacity.includes(n.node);
  const ready = perNode.map((n) => n.joinToReadyS).filter((v): v is number => v !== null);
  const ociCalls = Object.fromEntries(Object.entries(pipeline.cluster.oci.admin.counters()).filter(([, n]) => n > 0));
  const ociCallsAllocator = allocatorCoreCalls(pipeline);
  const ociCallsTotal = Object.values(ociCallsAllocator).reduce((a, n) => a + n, 0);
  const ipsAllocated = snapshot.privateIps.filter(
    (ip) => !ip.isPrimary && ip.freeformTags["ocipam-cluster"] === LOCAL_CLUSTER_NAME,
  ).length;
  const report: LocalReport = {
    scenario: options.scenario,
    nodes: options.nodes,
    shape: options.shape,
    timeScale: options.timeScale,
    speedup: 1 / options.timeScale,
    simulatedSeconds: pipeline.clock.nowMs() / 1000,
    wallSeconds: pipeline.clock.wallSeconds(),
    joinToReady: {
      p50: percentile(ready, 50),
      p95: percentile(ready, 95),
      max: ready.length ? Math.max(...ready) : null,
      unit: "simulated seconds",
    },
    perNode,
    ociCalls,
    ociCallsAllocator,
    ociCallsTotal,
    ociCallsPerAllocatedIp: ipsAllocated > 0 ? ociCallsTotal / ipsAllocated : null,
    ipsAllocated,
    vnicsAttached: snapshot.vnics.filter(
      (v) =>
        !v.isPrimary && v.freeformTags["ocipam-cluster"] === LOCAL_CLUSTER_NAME && v.lifecycleState !== "TERMINATED",
    ).length,
    nudgesPublished: snapshot.streams.reduce((a, s) => a + s.messagesPerPartition.reduce((x, y) => x + y, 0), 0),
    invocations: pipeline.connector.stats.invocations,
    batches: pipeline.connector.stats.batches,
    redeliveries: pipeline.connector.stats.redeliveries,
    functionStarts: pipeline.fn.starts,
    quiesced,
    podsWaiting: verdict.podsWaiting,
    nodesAtShapeCapacity: verdict.nodesAtShapeCapacity,
    safety,
    ok: verdict.ok,
    failures: verdict.failures,
    flags: verdict.flags,
  };
  return report;
}

/** Families of Core Services operations (Compute, Networking and their work requests): not Streaming, not Vault. */
const CORE_FAMILIES = new Set(["compute-read", "compute-write", "network-read", "network-write", "workrequests"]);

/**
 * The allocator's Core API calls per operation. Counted by the emulator per signing principal, so neither the
 * watcher's PutMessages, the Connector Hub stand-in's GetMessages, the harness's own admin or "another tool" calls,
 * nor calls of an invocation killed before it could report them can be miscounted.
 */
function allocatorCoreCalls(pipeline: Pipeline): Record<string, number> {
  const mine = pipeline.cluster.oci.admin.countersByPrincipal()[pipeline.cluster.allocatorPrincipalId] ?? {};
  const core = Object.entries(mine).filter(([op]) => CORE_FAMILIES.has(OPERATION_FAMILY[op as OciOperation]));
  return Object.fromEntries(core);
}
