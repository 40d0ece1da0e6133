import type { Pipeline } from "../pipeline";
import type { SafetyCheck } from "../safety";
import { blocks } from "./blocks-scenario";
import { freshCluster } from "./fresh-cluster";
import { LOCAL_CLUSTER_NAME } from "../local-cluster";

export interface ScenarioContext {
  pipeline: Pipeline;
  nodes: number;
  random: () => number;
  /** What run() records for checks(). */
  notes: Record<string, unknown>;
  /** The watcher manifest the fresh-cluster scenario schedules (default: infra/kubernetes/watcher/deployment.yaml). */
  watcherManifest?: string;
}

/** Settings a scenario needs. Durations of the allocator and watcher are real seconds: scale simulated ones. */
export interface ScenarioSettings {
  allocator?: Record<string, string>;
  watcher?: Record<string, string>;
  /** Route the OCI Events of instance launch/terminate to the function (the Events rule). */
  instanceEvents?: boolean;
  /** The allocator may delete IPs (release, leak collection): safety property 3 then checks what, not whether. */
  deletionsExpected?: boolean;
  /** The scenario starts the watcher itself (pipeline.startWatcher()), when its pod could run. */
  deferWatcher?: boolean;
}

export interface Scenario {
  name: string;
  description: string;
  settings?(timeScale: number): ScenarioSettings;
  /** Drives the workload; resolves when the last change is made (quiescence is awaited afterwards). */
  run(ctx: ScenarioContext): Promise<void>;
  /** What the scenario itself must show, checked at quiescence next to the safety properties. */
  checks?(ctx: ScenarioContext): SafetyCheck[];
}

/** A simulated duration as the whole real seconds the allocator's and watcher's settings take (at least 1). */
const realSeconds = (simSeconds: number, timeScale: number) => String(Math.max(1, Math.round(simSeconds * timeScale)));

const nodeName = (i: number) => `worker-${String(i).padStart(3, "0")}`;

async function joinAll(ctx: ScenarioContext, spacingSimMs: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < ctx.nodes; i++) {
    names.push(nodeName(i));
    await ctx.pipeline.sim.joinNode(nodeName(i));
    await ctx.pipeline.clock.sleep(spacingSimMs);
  }
  return names;
}

/** Nodes join one after another; then each gets 40 pods in steps, which outgrows the primary VNIC (31 IPs). */
export const scaleUp: Scenario = {
  name: "scale-up",
  description: "nodes join, then each ramps up to 40 pods (a second VNIC is attached as the primary fills)",
  async run(ctx) {
    const names = await joinAll(ctx, 500);
    await ctx.pipeline.clock.sleep(10_000);
    for (let step = 0; step < 10; step++) {
      for (const n of names) ctx.pipeline.sim.schedulePods(n, 4);
      await ctx.pipeline.clock.sleep(3_000);
    }
  },
};

/** Nodes join with 20 pods each; then pods come and go at random for two simulated minutes. */
export const churn: Scenario = {
  name: "churn",
  description: "nodes join with 20 pods each, then pods are deleted and created at random for 120 simulated seconds",
  async run(ctx) {
    const names = await joinAll(ctx, 500);
    for (const n of names) ctx.pipeline.sim.schedulePods(n, 20);
    await ctx.pipeline.clock.sleep(20_000);
    for (let round = 0; round < 24; round++) {
      for (const n of names) {
        const shuffle = (pods: string[]) =>
          pods
            .map((p) => [ctx.random(), p] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, p]) => p);
        // As many pods come as go on average (0–5 each way), so a node stays within its capacity.
        ctx.pipeline.sim.deletePods(n, Math.floor(ctx.random() * 6), shuffle);
        ctx.pipeline.sim.schedulePods(n, Math.floor(ctx.random() * 6));
      }
      await ctx.pipeline.clock.sleep(5_000);
    }
  },
};

interface PoolView {
  spec?: { ipam?: { pool?: Record<string, unknown> } };
  status?: { ipam?: { used?: Record<string, unknown>; "release-ips"?: Record<string, string> } };
}
const poolAndUsed = (ctx: ScenarioContext, node: string) => {
  const cn = ctx.pipeline.cluster.kube.store.get("ciliumnodes", node) as PoolView | undefined;
  return { pool: Object.keys(cn?.spec?.ipam?.pool ?? {}), used: Object.keys(cn?.status?.ipam?.used ?? {}) };
};

/** Nodes grow to 40 pods, then most pods go: with release on, the excess IPs return through Cilium's handshake. */
export const scaleDown: Scenario = {
  name: "scale-down",
  description: "nodes grow to 40 pods, then 35 of them go; release is on, so excess IPs return through the handshake",
  settings: (ts) => ({
    allocator: { OCIPAM_RELEASE_EXCESS_IPS: "true", OCIPAM_EXCESS_IP_RELEASE_DELAY: realSeconds(30, ts) },
    watcher: { OCIPAM_WATCHER_NUDGE_EXCESS: "true" },
    deletionsExpected: true,
  }),
  async run(ctx) {
    const names = await joinAll(ctx, 500);
    for (let step = 0; step < 4; step++) {
      for (const n of names) ctx.pipeline.sim.schedulePods(n, 10);
      await ctx.pipeline.clock.sleep(10_000);
    }
    await ctx.pipeline.clock.sleep(20_000);
    ctx.notes.peakPool = Object.fromEntries(names.map((n) => [n, poolAndUsed(ctx, n).pool.length]));
    for (const n of names) ctx.pipeline.sim.deletePods(n, 35);
    // The release delay (30 s), the agent's answer at its 15 s rate, and the handshake's steps.
    await ctx.pipeline.clock.sleep(180_000);
  },
  checks(ctx) {
    const peak = ctx.notes.peakPool as Record<string, number>;
    const rows = Object.keys(peak).map((n) => ({ n, before: peak[n]!, ...poolAndUsed(ctx, n) }));
    const shrunk = rows.every((r) => r.pool.length < r.before && r.pool.length - r.used.length <= 8);
    const deleted = ctx.pipeline.cluster.oci.admin.counters()["DeletePrivateIp"] ?? 0;
    const existing = new Set(
      (
        ctx.pipeline.cluster.oci.admin.snapshot() as unknown as { privateIps: Array<{ ipAddress: string }> }
      ).privateIps.map((ip) => ip.ipAddress),
    );
    const usedGone = rows.flatMap((r) => r.used.filter((ip) => !existing.has(ip)));
    return [
      {
        property: "scale-down: excess IPs return to the subnet",
        ok: shrunk && deleted > 0,
        detail:
          `${deleted} IPs released; pools ` +
          `${rows.map((r) => `${r.n} ${r.before}→${r.pool.length} (used ${r.used.length})`).join(", ")}`,
      },
      {
        property: "scale-down: no IP in use was released",
        ok: usedGone.length === 0,
        detail:
          usedGone.length === 0
            ? "every IP in status.ipam.used still exists in OCI"
            : `released while used: ${usedGone.join(", ")}`,
      },
    ];
  },
};

/** Instances launch; the allocator prepares them from the launch event, so their pools are ready when they join. */
export const launchPrewarm: Scenario = {
  name: "launch-prewarm",
  description: "instances launch and their launchinstance.end prewarms IPs; kubelets join 45 simulated s later",
  settings: () => ({
    allocator: {
      OCIPAM_PREWARM_ON_LAUNCH: "true",
      OCIPAM_PREWARM_INSTANCE_TAGS: `ocipam.io/cluster=${LOCAL_CLUSTER_NAME}`,
    },
    instanceEvents: true,
  }),
  async run(ctx) {
    const launched: Array<[string, string]> = [];
    for (let i = 0; i < ctx.nodes; i++) {
      const name = nodeName(i);
      launched.push([name, await ctx.pipeline.sim.launchInstance(name)]);
      await ctx.pipeline.clock.sleep(500);
    }
    // Launch (30 s) and boot until the kubelet registers.
    await ctx.pipeline.clock.sleep(45_000);
    const atJoin: Record<string, number> = {};
    for (const [name, instanceId] of launched) {
      const ips = (
        ctx.pipeline.cluster.oci.admin.snapshot() as unknown as {
          privateIps: Array<{ isPrimary: boolean; freeformTags: Record<string, string> }>;
        }
      ).privateIps;
      atJoin[name] = ips.filter((ip) => !ip.isPrimary && ip.freeformTags["ocipam-instance"] === instanceId).length;
      ctx.pipeline.sim.joinLaunched(name, instanceId);
    }
    ctx.notes.prewarmedAtJoin = atJoin;
    for (const [name] of launched) ctx.pipeline.sim.schedulePods(name, 10);
    await ctx.pipeline.clock.sleep(10_000);
  },
  checks(ctx) {
    const atJoin = ctx.notes.prewarmedAtJoin as Record<string, number>;
    const short = Object.entries(atJoin).filter(([, n]) => n < ctx.pipeline.sim.preAllocate);
    return [
      {
        property: "launch-prewarm: pre-allocate IPs exist when the CiliumNode is created",
        ok: short.length === 0,
        detail:
          short.length === 0
            ? `every node had ${Math.min(...Object.values(atJoin))}+ prewarmed IPs at join`
            : `short at join: ${short.map(([n, k]) => `${n} ${k}`).join(", ")}`,
      },
    ];
  },
};

/** A node leaves Kubernetes while its instance runs on: the collector finds its IPs and VNIC and removes them. */
export const leak: Scenario = {
  name: "leak",
  description:
    "a node leaves Kubernetes while its instance runs on; another " +
    "cluster's and untagged IPs stay; the collector removes the orphans",
  settings: (ts) => ({
    allocator: { OCIPAM_COLLECT_GRACE_PERIOD: realSeconds(20, ts) },
    watcher: { OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS: String(Math.max(30 * ts, 0.5)) },
    deletionsExpected: true,
  }),
  async run(ctx) {
    const names = await joinAll(ctx, 500);
    for (const n of names) ctx.pipeline.sim.schedulePods(n, 35);
    await ctx.pipeline.clock.sleep(40_000);
    const gone = names[names.length - 1]!;
    const instanceId = ctx.pipeline.sim.nodes.get(gone)!.instanceId;
    ctx.notes.gone = { node: gone, instanceId };
    ctx.pipeline.sim.removeNode(gone);
    // Three collector periods (30 s): mark, then delete once the 20 s grace has passed.
    await ctx.pipeline.clock.sleep(100_000);
  },
  checks(ctx) {
    const { node, instanceId } = ctx.notes.gone as { node: string; instanceId: string };
    const snap = ctx.pipeline.cluster.oci.admin.snapshot() as unknown as {
      privateIps: Array<{ isPrimary: boolean; freeformTags: Record<string, string> }>;
      vnics: Array<{ instanceId: string; isPrimary: boolean; lifecycleState: string }>;
    };
    const leftIps = snap.privateIps.filter((ip) => !ip.isPrimary && ip.freeformTags["ocipam-node"] === node).length;
    const leftVnics = snap.vnics.filter(
      (v) => v.instanceId === instanceId && !v.isPrimary && v.lifecycleState !== "TERMINATED",
    ).length;
    return [
      {
        property: "leak: the orphans of a node that left are collected",
        ok: leftIps === 0 && leftVnics === 0,
        detail: `${node}: ${leftIps} tagged IPs and ${leftVnics} secondary VNICs left`,
      },
    ];
  },
};

/** Every scenario of `ocipam local --scenario` (the CLI lists and checks names from here). */
export const SCENARIOS: Record<string, Scenario> = {
  [scaleUp.name]: scaleUp,
  [churn.name]: churn,
  [scaleDown.name]: scaleDown,
  [launchPrewarm.name]: launchPrewarm,
  [leak.name]: leak,
  [freshCluster.name]: freshCluster,
  [blocks.name]: blocks,
};
