import { build } from "esbuild";
import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { watcherBundleOptions } from "../../events/watcher/build";
import { DEFAULT_MANIFEST_DIR, startKubeEmulator } from "../../lib/testbed/kube-emulator";
import { seededRandom } from "../../lib/testbed/local/simulation/sim-clock";
import { INITIAL, ips, needsAddresses, nextChange, type NodeCounts } from "./watcher-workload";

export interface WatcherBenchOptions {
  nodes: number;
  /** Rounds of `changesPerRound` changes; CPU is reported per 1,000 changes, averaged over rounds. */
  rounds: number;
  changesPerRound: number;
  seed: number;
}

export interface WatcherBenchResult {
  nodes: number;
  changes: number;
  /** Resident memory of the watcher process (bundled like the image, after a GC), MiB. */
  rssMiB: { beforeStart: number; synced: number; afterChanges: number };
  heapUsedMiB: { beforeStart: number; synced: number; afterChanges: number };
  /** The watcher process's peak resident memory (VmHWM) once synced and after the changes, MiB; null off Linux. */
  peakRssMiB: { synced: number | null; afterChanges: number | null };
  /** CPU time (user + system) of the watcher process per 1,000 changes, ms, per round. */
  cpuMsPer1000: number[];
  nudges: number;
  nudgesPerChange: number;
  /** Changes after which the node needed IPs: what a watcher without coalescing would publish. */
  needyChanges: number;
}

type ChildMemory = { rssMiB: number; heapUsedMiB: number; peakRssMiB: number | null };
type ChildMessage =
  | { type: "synced"; beforeStart: ChildMemory; synced: ChildMemory }
  | { type: "marked" }
  | { type: "round"; sentinel: string; cpuMs: number; nudges: number; memory: ChildMemory };

/**
 * The watcher with many CiliumNodes: the Kubernetes emulator (in this process) holds `nodes` CiliumNodes; the watcher
 * runs in a child process built like its image (events/watcher/build.ts, with the real `startWatcher`), lists them and
 * watches. Rounds of seeded changes (watcher-workload.ts) are written to the store; each round ends with a sentinel
 * CiliumNode that needs IPs, whose nudge tells the child the round was processed: it then reports its CPU time and the
 * nudges it would have published since the round began. Memory is the child's own (process.memoryUsage after gc()).
 */
export async function measureWatcher(options: WatcherBenchOptions): Promise<WatcherBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), "ocipam-bench-watcher-"));
  // Enough watch history that no round makes the watch expire (a relist would be measured instead).
  const kube = await startKubeEmulator({
    manifestDirs: [DEFAULT_MANIFEST_DIR],
    watchHistory: options.nodes + options.rounds * (options.changesPerRound + 2) + 1000,
  });
  let child: ReturnType<typeof fork> | undefined;
  try {
    const entry = join(dir, "watcher-bench-child.cjs");
    // Bundled as the image is built (events/watcher/build.ts), with the benchmark's child as the entry.
    const repoRoot = resolve(__dirname, "..", "..");
    await build({ ...watcherBundleOptions(repoRoot, "test/bench/watcher-bench-child.ts", entry), logLevel: "error" });
    const kubeconfig = await kube.writeKubeconfig(join(dir, "kubeconfig"), "ocipam-system/ocipam-watcher");

    const counts: NodeCounts[] = Array.from({ length: options.nodes }, () => ({ ...INITIAL }));
    const name = (i: number) => `node-${String(i).padStart(5, "0")}`;
    const poolOf = (i: number, n: number) =>
      Object.fromEntries(ips(i, n).map((ip) => [ip, { resource: `ocid1.vnic.oc1.iad.bench${i}` }]));
    const usedOf = (i: number, n: number) =>
      Object.fromEntries(
        ips(i, n).map((ip, k) => [ip, { owner: `default/pod-${i}-${k}`, resource: `ocid1.vnic.oc1.iad.bench${i}` }]),
      );
    for (let i = 0; i < options.nodes; i++) {
      kube.store.create(
        "ciliumnodes",
        {
          apiVersion: "cilium.io/v2",
          kind: "CiliumNode",
          metadata: { name: name(i) },
          spec: { ipam: { pool: poolOf(i, INITIAL.pool) } },
          status: { ipam: { used: usedOf(i, INITIAL.used) } },
        },
        { keepStatus: true },
      );
    }

    child = fork(entry, [], {
      execArgv: ["--expose-gc"],
      env: { PATH: process.env.PATH ?? "", BENCH_KUBECONFIG: kubeconfig },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const inbox: ChildMessage[] = [];
    const waiters: Array<() => void> = [];
    child.on("message", (m) => {
      inbox.push(m as ChildMessage);
      for (const w of waiters.splice(0)) w();
    });
    const exited = new Promise<never>((_, reject) =>
      child!.once("exit", (code) => reject(new Error(`the watcher bench child exited with ${code}`))),
    );
    const next = async <T extends ChildMessage["type"]>(
      type: T,
      timeoutMs = 120_000,
    ): Promise<Extract<ChildMessage, { type: T }>> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = inbox.findIndex((m) => m.type === type);
        if (at >= 0) return inbox.splice(at, 1)[0] as Extract<ChildMessage, { type: T }>;
        if (Date.now() > deadline) throw new Error(`no "${type}" from the watcher bench child within ${timeoutMs} ms`);
        await Promise.race([
          new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 1000);
          }),
          exited,
        ]);
      }
    };

    const synced = await next("synced");
    const random = seededRandom(options.seed);
    const cpu: number[] = [];
    let nudges = 0;
    let needy = 0;
    let last: Extract<ChildMessage, { type: "round" }> | undefined;
    for (let round = 0; round < options.rounds; round++) {
      child.send({ cmd: "mark" });
      await next("marked");
      for (let c = 0; c < options.changesPerRound; c++) {
        const change = nextChange(counts, random);
        // JSON patch "replace": the maps are replaced wholesale, as the agent's UpdateStatus and the allocator's write
        // do.
        if (change.kind === "status")
          kube.store.patch(
            "ciliumnodes",
            name(change.node),
            [{ op: "replace", path: "/status/ipam/used", value: usedOf(change.node, change.used) }],
            { type: "json", subresource: "status" },
          );
        else
          kube.store.patch(
            "ciliumnodes",
            name(change.node),
            [{ op: "replace", path: "/spec/ipam/pool", value: poolOf(change.node, change.pool) }],
            { type: "json" },
          );
        if (needsAddresses(counts[change.node]!)) needy++;
      }
      kube.store.create("ciliumnodes", {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNode",
        metadata: { name: `sentinel-${round}` },
        spec: { ipam: {} },
      });
      last = await next("round");
      cpu.push((last.cpuMs * 1000) / options.changesPerRound);
      nudges += last.nudges;
    }
    child.send({ cmd: "stop" });
    await Promise.race([new Promise((r) => child!.once("exit", r)), new Promise((r) => setTimeout(r, 5000))]);
    const changes = options.rounds * options.changesPerRound;
    return {
      nodes: options.nodes,
      changes,
      rssMiB: {
        beforeStart: synced.beforeStart.rssMiB,
        synced: synced.synced.rssMiB,
        afterChanges: last?.memory.rssMiB ?? Number.NaN,
      },
      heapUsedMiB: {
        beforeStart: synced.beforeStart.heapUsedMiB,
        synced: synced.synced.heapUsedMiB,
        afterChanges: last?.memory.heapUsedMiB ?? Number.NaN,
      },
      peakRssMiB: { synced: synced.synced.peakRssMiB, afterChanges: last?.memory.peakRssMiB ?? null },
      cpuMsPer1000: cpu,
      nudges,
      nudgesPerChange: changes > 0 ? nudges / changes : 0,
      needyChanges: needy,
    };
  } finally {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await kube.close();
    await rm(dir, { recursive: true, force: true });
  }
}
