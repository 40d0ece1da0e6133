/**
 * The watcher process of the 5,000-CiliumNode benchmark (watcher-bench.ts bundles this file like the watcher image
 * bundles events/watcher/main.ts, and runs it with --expose-gc). It runs the real watcher (`startWatcher`: list+watch
 * over HTTPS, decision, coalescing, batching, nudge building) against the parent's Kubernetes emulator, with a
 * publisher that counts nudges instead of sending them, and answers the parent over IPC:
 *   parent → {cmd: "mark"}            child → {type: "marked"}                 (CPU and nudge counters noted)
 *   a nudge for a node named sentinel-* child → {type: "round", cpuMs, nudges, memory}  (since the mark)
 *   parent → {cmd: "stop"}            child exits
 * Configuration arrives in the environment: BENCH_KUBECONFIG (path).
 */
import { loadWatcherConfig } from "../../events/watcher/config";
import { startWatcher } from "../../events/watcher/watcher";
import type { NudgePublisher } from "../../events/watcher/publisher";
import { silentLogger } from "../../lib/log";
import { readProcessMemory } from "./process-memory";

interface Memory {
  rssMiB: number;
  heapUsedMiB: number;
  /** VmHWM: the most resident memory the process has had so far (Linux; null elsewhere). */
  peakRssMiB: number | null;
}

const send = (message: unknown) => process.send?.(message);

function memory(): Memory {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const peakRssMiB = readProcessMemory(process.pid)?.peakMiB ?? null;
  return { rssMiB: m.rss / 1024 / 1024, heapUsedMiB: m.heapUsed / 1024 / 1024, peakRssMiB };
}

async function main(): Promise<void> {
  const beforeStart = memory();
  let nudges = 0;
  let mark = { cpu: process.cpuUsage(), nudges: 0 };
  const publisher: NudgePublisher = {
    async publish(entries) {
      for (const entry of entries) {
        const subject = Buffer.from(entry.key, "base64").toString("utf8");
        if (subject.startsWith("sentinel-")) {
          const cpu = process.cpuUsage(mark.cpu);
          send({
            type: "round",
            sentinel: subject,
            cpuMs: (cpu.user + cpu.system) / 1000,
            nudges: nudges - mark.nudges,
            memory: memory(),
          });
        } else nudges++;
      }
      return entries.map(() => ({ ok: true as const }));
    },
    async close() {},
  };
  const config = loadWatcherConfig(
    {
      OCIPAM_WATCHER_CLUSTER_NAME: "bench",
      OCIPAM_WATCHER_STREAM_ID: "ocid1.stream.oc1.iad.benchstream",
      OCIPAM_WATCHER_STREAM_ENDPOINT: "http://127.0.0.1:9",
      OCIPAM_WATCHER_KUBE_AUTH: "kubeconfig",
      OCIPAM_WATCHER_KUBECONFIG: process.env.BENCH_KUBECONFIG!,
      OCIPAM_WATCHER_LEADER_ELECTION: "false",
      OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS: "0",
      OCIPAM_WATCHER_METRICS_ADDRESS: "127.0.0.1",
      OCIPAM_WATCHER_METRICS_PORT: "0",
      OCIPAM_WATCHER_LOG_LEVEL: "silent",
    },
    { hostname: "bench-watcher" },
  );
  const watcher = await startWatcher(config, { log: silentLogger(), publisher, processMetrics: false });
  while (!watcher.synced()) await new Promise((r) => setTimeout(r, 20));
  send({ type: "synced", beforeStart, synced: memory() });
  process.on("message", (message: { cmd?: string }) => {
    if (message.cmd === "mark") {
      mark = { cpu: process.cpuUsage(), nudges };
      send({ type: "marked" });
    } else if (message.cmd === "stop") {
      void watcher.stop().finally(() => process.exit(0));
    }
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`watcher bench child: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
