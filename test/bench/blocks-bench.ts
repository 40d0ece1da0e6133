/**
 * Blocks vs single addresses, same run (`npx tsx test/bench/blocks-bench.ts [--out FILE] [--churn-steps N]`).
 *
 * Drives the shipped function bundle over its FDK socket against both emulators (IAM enforced), one direct nudge
 * per step (no watcher, stream or Connector Hub: the latencies are the function's own part of the critical path),
 * once with OCIPAM_IP_BLOCK_PREFIX_LENGTH=32 and once with 28, and prints one markdown table:
 * - OCI requests the emulator served per address offered, over a node's growth to 56 addresses, pre-allocate steps;
 * - join → pool ready and usage jump → pool refilled (one nudge each, realistic latency profile, time scale 1);
 * - pods per node reachable on VM.Standard.E4.Flex with 1 and 2 OCPUs (grown until AtCapacity, zero latency);
 * - an hour of churn (one step per simulated minute: a ramp to ~100 pods, 20 minutes of random starts and stops,
 *   a ramp down to ~12; the agent answers the release handshake, delay 0): addresses held but unoffered at the end
 *   and at most, objects (blocks or IPs) released, and whether any object holding an address in use was deleted.
 * Nothing is asserted: the table is the result. Cilium's agent is the project's AgentState (crd.go rules), fed the
 * pool in a shuffled order each time, because the real agent takes pool addresses in no order (a Go map).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { blockAddresses } from "../../lib/core/blocks/cidr";
import { startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { DEFAULT_WORLD } from "../../lib/testbed/oci-emulator";
import { AgentDriver } from "../e2e/agent-driver";
import { FunctionUnderTest, nudgeFor } from "../e2e/function-harness";
import { ciliumNode, poolOf, useIps } from "../e2e/world-queries";

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  cidrPrefixLength?: number;
  freeformTags: Record<string, string>;
}

interface ModeResult {
  mode: string;
  callsPerAddress: number;
  /** OCI port calls the function itself counted (one per adapter call, whatever its pages, polls or retries). */
  portCallsPerAddress: number;
  createsPerAddress: number;
  joinToReadyMs: number;
  refillMs: number[];
  podsPerNode: Record<string, number>;
  churn: {
    steps: number;
    heldUnoffered: number;
    offered: number;
    used: number;
    objectsReleased: number;
    usedDeleted: number;
    maxHeldUnoffered: number;
  };
}

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const OUT = flag("--out") ?? "bench/results/latest-blocks.json";
const CHURN_STEPS = Number(flag("--churn-steps") ?? 60);

/** A small deterministic PRNG (mulberry32), so both modes see the same churn. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function objectsOf(cluster: LocalCluster, node: string): SnapshotIp[] {
  const snap = cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] };
  return snap.privateIps.filter((ip) => !ip.isPrimary && ip.freeformTags["ocipam-node"] === node);
}
const addressesOf = (ip: SnapshotIp) =>
  (ip.cidrPrefixLength ?? 32) < 32 ? blockAddresses(ip.ipAddress, ip.cidrPrefixLength!) : [ip.ipAddress];
const served = (cluster: LocalCluster) => cluster.oci.admin.counters();
const total = (c: Record<string, number>) => Object.values(c).reduce((n, v) => n + v, 0);

/**
 * The churn and capacity steps run as fast as the machine allows (one step stands for a simulated minute), so the
 * subnet's UPDATING window after its first IP CIDR address (30 s in the emulator, ASSUMED: OCI gives no figure) is
 * scaled with them to 0.2 s; the growth section keeps real time and the 30 s window.
 */
const FAST_WORLD = { ...DEFAULT_WORLD, subnetUpdatingSeconds: 0.2 };

async function withCluster<T>(
  latency: "zero" | "realistic",
  config: Record<string, string>,
  body: (c: LocalCluster, fn: FunctionUnderTest) => Promise<T>,
): Promise<T> {
  const cluster = await startLocalCluster({
    latency,
    timeScale: 1,
    ...(latency === "zero" ? { world: FAST_WORLD } : {}),
  });
  const fn = await FunctionUnderTest.start(cluster, config);
  try {
    await fn.warm();
    return await body(cluster, fn);
  } finally {
    await fn.stop();
    await cluster.close();
  }
}

type Growth = Pick<
  ModeResult,
  "callsPerAddress" | "portCallsPerAddress" | "createsPerAddress" | "joinToReadyMs" | "refillMs"
>;

async function growth(config: Record<string, string>): Promise<Growth> {
  return withCluster("realistic", config, async (cluster, fn) => {
    await cluster.launchNode("grow", { ocpus: 2 });
    const before = { ...served(cluster) };
    let t = Date.now();
    let portCalls = 0;
    const count = (r: Awaited<ReturnType<FunctionUnderTest["invoke"]>>) => {
      for (const [k, v] of Object.entries(r.nodes[0]?.apiCalls ?? {})) if (k.startsWith("oci.")) portCalls += v;
    };
    count(await fn.invoke(nudgeFor("grow"), 60_000));
    const joinToReadyMs = Date.now() - t;
    const refillMs: number[] = [];
    // 56 addresses: reachable in both modes (single addresses top out at 62 on this shape), past one VNIC's 31.
    while (Object.keys(poolOf(cluster, "grow")).length < 56) {
      useIps(cluster, "grow", Object.keys(poolOf(cluster, "grow")).length);
      t = Date.now();
      const r = await fn.invoke(nudgeFor("grow"), 60_000);
      refillMs.push(Date.now() - t);
      count(r);
      if (r.nodes[0]!.reason.code === "SubnetUpdating") await new Promise((res) => setTimeout(res, 31_000));
      if (refillMs.length > 30 || r.nodes[0]!.state === "AtCapacity") break;
    }
    const after = served(cluster);
    const delta: Record<string, number> = {};
    for (const k of Object.keys(after)) delta[k] = (after[k] ?? 0) - (before[k] ?? 0);
    const offered = Object.keys(poolOf(cluster, "grow")).length;
    const creates = (delta.CreatePrivateIp ?? 0) + (delta.BulkCreatePrivateIps ?? 0);
    if (process.env.BLOCKS_BENCH_DEBUG) process.stderr.write(`${JSON.stringify(delta)}\n`);
    return {
      callsPerAddress: total(delta) / offered,
      portCallsPerAddress: portCalls / offered,
      createsPerAddress: creates / offered,
      joinToReadyMs,
      refillMs,
    };
  });
}

async function podsPerNode(config: Record<string, string>): Promise<Record<string, number>> {
  return withCluster("zero", config, async (cluster, fn) => {
    const out: Record<string, number> = {};
    for (const ocpus of [1, 2]) {
      const name = `cap-${ocpus}`;
      await cluster.launchNode(name, { ocpus });
      for (let step = 0; step < 80; step++) {
        useIps(cluster, name, Object.keys(poolOf(cluster, name)).length);
        const r = await fn.invoke(nudgeFor(name));
        const state = r.nodes[0]!.state;
        if (r.nodes[0]!.reason.code === "SubnetUpdating") await new Promise((res) => setTimeout(res, 300));
        if (state === "AtCapacity" || state === "Error") break;
      }
      out[`E4.Flex ${ocpus} OCPU`] = Object.keys(poolOf(cluster, name)).length;
    }
    return out;
  });
}

async function churn(config: Record<string, string>): Promise<ModeResult["churn"]> {
  return withCluster(
    "zero",
    { ...config, OCIPAM_RELEASE_EXCESS_IPS: "true", OCIPAM_EXCESS_IP_RELEASE_DELAY: "0" },
    async (cluster, fn) => {
      const name = "churn";
      await cluster.launchNode(name, { ocpus: 2 });
      await fn.invoke(nudgeFor(name));
      const agent = new AgentDriver(cluster, name);
      const random = prng(42);
      const running: string[] = [];
      let next = 0;
      let objectsReleased = 0;
      let usedDeleted = 0;
      let maxHeldUnoffered = 0;
      const shuffledView = () => {
        const cn = ciliumNode(cluster, name);
        const entries = Object.entries((cn.spec?.ipam?.pool ?? {}) as Record<string, { resource?: string }>);
        for (let i = entries.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [entries[i], entries[j]] = [entries[j]!, entries[i]!];
        }
        return { pool: Object.fromEntries(entries), releaseIps: cn.status?.ipam?.["release-ips"] ?? {} };
      };
      for (let step = 0; step < CHURN_STEPS; step++) {
        // An hour in three phases: a ramp to about 100 pods, 20 minutes of churn around it (up to 12 starts or stops
        // per minute), a ramp down to about 12; pods that stop are picked at random, as deployments scale in.
        const third = CHURN_STEPS / 3;
        const trend = step < third ? 100 / third : step < 2 * third ? 0 : -88 / third;
        const target = Math.max(0, Math.min(120, running.length + Math.round(trend + (random() - 0.5) * 24)));
        while (running.length > target) {
          const i = Math.floor(random() * running.length);
          agent.free(running.splice(i, 1)[0]!);
        }
        while (running.length < target) {
          const owner = `default/p${next++}`;
          if (!agent.state.allocateNext(shuffledView(), owner)) break;
          running.push(owner);
        }
        agent.sync();
        const used = new Set(Object.keys(ciliumNode(cluster, name).status?.ipam?.used ?? {}));
        const before = objectsOf(cluster, name);
        const r = await fn.invoke(nudgeFor(name));
        agent.sync();
        const after = new Set(objectsOf(cluster, name).map((o) => o.id));
        for (const o of before) {
          if (after.has(o.id)) continue;
          objectsReleased++;
          if (addressesOf(o).some((a) => used.has(a))) usedDeleted++;
        }
        const pool = new Set(Object.keys(poolOf(cluster, name)));
        const held = objectsOf(cluster, name)
          .flatMap(addressesOf)
          .filter((a) => !pool.has(a)).length;
        maxHeldUnoffered = Math.max(maxHeldUnoffered, held);
        if (process.env.BLOCKS_BENCH_DEBUG) {
          const rel = Object.values(
            (ciliumNode(cluster, name).status?.ipam?.["release-ips"] ?? {}) as Record<string, string>,
          );
          const by = rel.reduce<Record<string, number>>((m, v) => ({ ...m, [v]: (m[v] ?? 0) + 1 }), {});
          process.stderr.write(
            `${step} pods ${running.length} pool ${pool.size} held ${held} objects ` +
              `${objectsOf(cluster, name).length} ${JSON.stringify(by)} ` +
              `${r.nodes[0]!.reason.code} ${JSON.stringify(r.nodes[0]!.decision)}\n`,
          );
        }
      }
      const pool = new Set(Object.keys(poolOf(cluster, name)));
      const heldUnoffered = objectsOf(cluster, name)
        .flatMap(addressesOf)
        .filter((a) => !pool.has(a)).length;
      return {
        steps: CHURN_STEPS,
        heldUnoffered,
        offered: pool.size,
        used: Object.keys(ciliumNode(cluster, name).status?.ipam?.used ?? {}).length,
        objectsReleased,
        usedDeleted,
        maxHeldUnoffered,
      };
    },
  );
}

async function main(): Promise<void> {
  const modes: Array<{ mode: string; config: Record<string, string> }> = [
    { mode: "single addresses (/32)", config: { OCIPAM_IP_BLOCK_PREFIX_LENGTH: "32" } },
    {
      mode: "single addresses, bulk create",
      config: { OCIPAM_IP_BLOCK_PREFIX_LENGTH: "32", OCIPAM_USE_BULK_CREATE: "true" },
    },
    {
      mode: "/28 blocks, max pods 256",
      config: { OCIPAM_IP_BLOCK_PREFIX_LENGTH: "28", OCIPAM_MAX_PODS_PER_NODE: "256" },
    },
  ];
  const results: ModeResult[] = [];
  const only = flag("--only");
  if (only === "churn") {
    for (const m of modes) process.stdout.write(`${m.mode}: ${JSON.stringify(await churn(m.config))}\n`);
    return;
  }
  for (const m of modes) {
    const g = await growth(m.config);
    const p = await podsPerNode(m.config);
    const c = await churn(m.config);
    results.push({ mode: m.mode, ...g, podsPerNode: p, churn: c });
    process.stderr.write(`${m.mode}: done\n`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const lines = [
    "| mode | OCI requests / address (served) | OCI calls / address " +
      "(function's count) | creates / address | join → ready | usage jump → " +
      "refilled (p50 / max) | pods per node (E4.Flex 1 / 2 OCPU) | churn: " +
      "held unoffered (end / max) | objects released | in-use deleted |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.mode} | ${r.callsPerAddress.toFixed(3)} | ` +
        `${r.portCallsPerAddress.toFixed(3)} | ` +
        `${r.createsPerAddress.toFixed(3)} | ${r.joinToReadyMs} ms | ` +
        `${median(r.refillMs)} / ${Math.max(...r.refillMs)} ms | ` +
        `${Object.values(r.podsPerNode).join(" / ")} | ` +
        `${r.churn.heldUnoffered} / ${r.churn.maxHeldUnoffered} | ` +
        `${r.churn.objectsReleased} | ${r.churn.usedDeleted} |`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ at: new Date().toISOString(), churnSteps: CHURN_STEPS, results }, null, 2));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
