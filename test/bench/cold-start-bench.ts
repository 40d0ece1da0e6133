import { build } from "esbuild";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { buildNudge } from "../../events/contracts";
import { allocatorBundleOptions, ALLOCATOR_ENTRY } from "../../functions/build/bundle-config";
import { measureRequireTimes, median } from "../../functions/build/measure-load";
import { writeUnbundledTree } from "../../functions/build/unbundled-tree";
import { invokeOverSocket } from "../../lib/testbed/local/fdk-client";
import { startFunctionProcess } from "../../lib/testbed/local/function-process";
import { LOCAL_CLUSTER_NAME, startLocalCluster } from "../../lib/testbed/local/local-cluster";
import { readProcessMemory } from "./process-memory";
import { benchCacheDir, ensureOciSdk, OCI_SDK_VERSION } from "./oci-sdk-cache";

export interface ColdStartOptions {
  /** Fresh processes per module for the require() medians, after `warmup` throwaway ones (file cache). */
  runs: number;
  warmup: number;
  /**
   * Fresh processes for the start → listening median and the invocation medians: each process is started, invoked
   * once (its first invocation) and once more (warm), then stopped.
   */
  starts: number;
  /** Install and time the oci-sdk umbrella too. */
  withOciSdk: boolean;
  log: (line: string) => void;
}

export interface ColdStartResult {
  bundleBytes: number;
  bundleGzipBytes: number;
  /** Median require() time in fresh processes, ms. */
  requireMs: { bundle: number; unbundled: number; ociSdk: number | null };
  runs: number;
  ociSdk: { installed: boolean; error?: string; installSeconds?: number };
  /** Median time from spawning the bundle to its FDK socket existing, ms (what the Fn agent waits for). */
  startToListeningMs: number;
  /**
   * Medians over `starts` fresh processes: the first invocation (composes the runtime, reads the Vault token,
   * reconciles a node creating 8 IPs) and the next one (another node, warm).
   */
  invocationMs: { first: number; warm: number };
  /** Every sample behind those medians, ms, in order. */
  invocationSamplesMs: { first: number[]; warm: number[] };
  /**
   * Resident memory of the function process, MiB: after loading, after one invocation, peak (VmHWM). Null off Linux.
   */
  memoryMiB: { afterLoad: number | null; afterInvocation: number | null; peak: number | null; configured: number };
}

/**
 * Cold start of the function: the bundle as shipped (functions/build/bundle-config.ts), its size, how long require()
 * takes for it, for the same sources unbundled, and for the `oci-sdk` umbrella package the design forbids; how long a
 * process takes to listen; how long the first and a warm invocation take and how much memory one invocation needs,
 * against a local cluster with zero latency (only the function's own work counts here).
 */
export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const repoRoot = resolve(__dirname, "..", "..");
  const dir = await mkdtemp(join(tmpdir(), "ocipam-bench-bundle-"));
  try {
    const bundle = join(dir, "func.cjs");
    const built = await build({ ...allocatorBundleOptions(repoRoot, bundle), logLevel: "error" });
    const bytes = (await stat(bundle)).size;
    const gzipBytes = gzipSync(await readFile(bundle)).length;
    // Under the repository (gitignored dist/) so that its require("oci-core") resolves to the repository's
    // node_modules.
    const unbundled = await writeUnbundledTree(
      repoRoot,
      built.metafile,
      ALLOCATOR_ENTRY,
      join(repoRoot, "dist", "bench-unbundled"),
    );

    let ociSdk: ColdStartResult["ociSdk"] = { installed: false, error: "skipped (--no-oci-sdk)" };
    const modules = [bundle, unbundled];
    if (options.withOciSdk) {
      const install = await ensureOciSdk(benchCacheDir(), options.log);
      if (install.ok) {
        modules.push(install.modulePath);
        ociSdk = { installed: true, ...(install.installedNow ? { installSeconds: install.seconds } : {}) };
      } else {
        ociSdk = { installed: false, error: install.error };
        options.log(
          `oci-sdk@${OCI_SDK_VERSION} could not be installed; its load time is not measured: ${install.error}`,
        );
      }
    }
    options.log(`timing require() of ${modules.length} modules, ${options.runs} fresh processes each…`);
    const timings = await measureRequireTimes(modules, options.runs, options.warmup);

    const process = await measureProcess(bundle, options.starts);
    return {
      bundleBytes: bytes,
      bundleGzipBytes: gzipBytes,
      requireMs: {
        bundle: timings[0]!.medianMs,
        unbundled: timings[1]!.medianMs,
        ociSdk: timings[2]?.medianMs ?? null,
      },
      runs: options.runs,
      ociSdk,
      ...process,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureProcess(
  bundle: string,
  starts: number,
): Promise<Pick<ColdStartResult, "startToListeningMs" | "invocationMs" | "invocationSamplesMs" | "memoryMiB">> {
  const cluster = await startLocalCluster({ latency: "zero" });
  try {
    const config = { ...cluster.allocatorConfig, OCIPAM_LOG_LEVEL: "warn" };
    // Two nodes per process, each joining with no IPs, so every invocation creates 8.
    for (let i = 0; i < 2 * starts; i++) await cluster.launchNode(`cold-${i + 1}`);
    const startTimes: number[] = [];
    const first: number[] = [];
    const warm: number[] = [];
    let memoryMiB: ColdStartResult["memoryMiB"] | undefined;
    for (let i = 0; i < starts; i++) {
      const t = performance.now();
      const fn = await startFunctionProcess({ entry: bundle, config });
      startTimes.push(performance.now() - t);
      try {
        const afterLoad = readProcessMemory(fn.pid);
        first.push(await invokeOnce(fn.socketPath, `cold-${2 * i + 1}`));
        const afterInvocation = readProcessMemory(fn.pid);
        warm.push(await invokeOnce(fn.socketPath, `cold-${2 * i + 2}`));
        memoryMiB ??= {
          afterLoad: afterLoad?.rssMiB ?? null,
          afterInvocation: afterInvocation?.rssMiB ?? null,
          peak: afterInvocation?.peakMiB ?? null,
          configured: 256,
        };
      } finally {
        await fn.stop();
      }
    }
    return {
      startToListeningMs: median(startTimes),
      invocationMs: { first: median(first), warm: median(warm) },
      invocationSamplesMs: { first, warm },
      memoryMiB: memoryMiB!,
    };
  } finally {
    await cluster.close();
  }
}

/** One nudge for `node` over the FDK socket; resolves with its duration, throws unless it created 8 IPs. */
async function invokeOnce(socketPath: string, node: string): Promise<number> {
  const nudge = buildNudge({ type: "io.ocipam.node.needs-addresses", cluster: LOCAL_CLUSTER_NAME, node });
  const t = performance.now();
  const deadline = new Date(Date.now() + 60_000);
  const res = await invokeOverSocket(socketPath, JSON.stringify(nudge), { callId: `cold-${node}`, deadline });
  const ms = performance.now() - t;
  const body = JSON.parse(res.body) as { ok?: boolean; nodes?: Array<{ ipsCreated?: number }> };
  if (res.statusCode !== 200 || !body.ok || body.nodes?.[0]?.ipsCreated !== 8) {
    throw new Error(`cold-start invocation for ${node} did not allocate: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  return ms;
}
