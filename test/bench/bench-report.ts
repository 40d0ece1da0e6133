import { renderLarge, renderTimeline } from "./bench-report-scale";
import type { ColdStartResult } from "./cold-start-bench";
import type { CriticalPath } from "./critical-path";
import type { IdleResult } from "./idle-bench";
import type { ScaleRunResult } from "./pipeline-bench";
import { ratio, summarize, type Summary } from "./stats";
import type { ThrottleResult } from "./throttle-bench";
import type { WatcherBenchResult } from "./watcher-bench";

/** Everything one `npm run bench` measured, as written to bench/results/*.json. */
export interface BenchReport {
  mode: "full" | "quick";
  startedAt: string;
  wallSeconds: number;
  host: { node: string; cpus: number; loadAverageAtStart: number[] };
  timeScale: number;
  /** The lower bounds: the design's critical path, and the sequential baseline's own bound for the same IPs. */
  bounds: { join: CriticalPath; sequentialJoin: CriticalPath; joinWithNewVnic?: CriticalPath };
  latency: Array<{ nodes: number; parallel: ScaleRunResult; sequential: ScaleRunResult }>;
  /** The 1,000-node section (parallel only: the sequential baseline would take hours). */
  large?: ScaleRunResult;
  idle?: IdleResult;
  throttle: ThrottleResult[];
  coldStart?: ColdStartResult | { error: string };
  watcher?: WatcherBenchResult | { error: string };
}

const s = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits);
const x = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(2)}×`;
const trio = (m: Summary) => `${s(m.p50, 2)} / ${s(m.p95, 2)} / ${s(m.max, 2)}`;

/** The markdown the benchmark prints (and the closing note quotes): one table per section. */
export function renderBench(report: BenchReport): string {
  const out: string[] = [];
  const bound = report.bounds.join.totalMs / 1000;
  const seqBound = report.bounds.sequentialJoin.totalMs / 1000;
  out.push(
    `## Benchmark (${report.mode}) — ${report.startedAt}, node ` +
      `${report.host.node}, ${report.host.cpus} CPUs, load ` +
      `${report.host.loadAverageAtStart.map((l) => l.toFixed(1)).join(" ")}, ` +
      `${report.wallSeconds.toFixed(0)} s`,
  );
  out.push("");
  out.push(
    `### Latency (simulated s at time scale ` +
      `${report.timeScale}${report.timeScale === 1 ? " = wall-clock s" : ""}; ` +
      `p50 / p95 / max over nodes)`,
  );
  out.push("");
  out.push(
    `Lower bound (design critical path, warm function, room on the primary ` +
      `VNIC): **${s(bound, 2)} s** = ` +
      `${report.bounds.join.steps.map((st) => `${st.step} ${st.ms} ms`).join(" + ")}. ` +
      `The sequential baseline's own bound for 8 IPs: ${s(seqBound, 2)} s.`,
  );
  out.push("");
  const attachBound = report.bounds.joinWithNewVnic ? report.bounds.joinWithNewVnic.totalMs / 1000 : null;
  if (attachBound !== null)
    out.push(
      `With a new VNIC (its room on the primary VNIC or its subnet used up) ` +
        `the bound is ${s(attachBound, 2)} s; the last column says how many ` +
        `nodes got one.`,
    );
  out.push("");
  out.push(
    "| nodes | measure | bound s | parallel (shipped) s | sequential " +
      "baseline s | parallel ÷ bound (p50) | sequential ÷ parallel (p50) | " +
      "nodes with a new VNIC (par. / seq.) | complete |",
  );
  out.push("|---:|---|---:|---:|---:|---:|---:|---:|:---:|");
  for (const row of report.latency) {
    for (const [label, pick] of [
      ["join → pool ready", (r: ScaleRunResult) => r.joinToReadyS],
      ["usage jump → pool refilled", (r: ScaleRunResult) => r.jumpToRefilledS],
    ] as const) {
      const p = summarize(pick(row.parallel));
      const q = summarize(pick(row.sequential));
      out.push(
        `| ${row.nodes} | ${label} | ${s(bound, 2)} | ${trio(p)} | ${trio(q)} ` +
          `| ${x(ratio(p.p50, bound))} | ${x(ratio(q.p50, p.p50))} | ` +
          `${row.parallel.nodesWithNewVnic ?? "—"} / ` +
          `${row.sequential.nodesWithNewVnic ?? "—"} | ` +
          `${row.parallel.complete && row.sequential.complete ? "yes" : "**no**"} ` +
          `|`,
      );
    }
  }
  out.push(
    ...renderTimeline(
      report.latency.map((r) => r.parallel),
      report.bounds.join,
    ),
  );
  out.push(...renderLarge(report.large, report.bounds.join.totalMs));
  out.push("");
  out.push("### Cost");
  out.push("");
  out.push(
    "| nodes | IPs allocated | OCI calls | OCI calls per IP (parallel) | " +
      "OCI calls per IP (sequential) | nudges | invocations |",
  );
  out.push("|---:|---:|---:|---:|---:|---:|---:|");
  for (const row of report.latency) {
    out.push(
      `| ${row.nodes} | ${row.parallel.ipsCreated} | ` +
        `${row.parallel.ociCallsTotal} | ${s(row.parallel.callsPerIp, 2)} | ` +
        `${s(row.sequential.callsPerIp, 2)} | ${row.parallel.nudgesPublished} ` +
        `| ${row.parallel.invocations} |`,
    );
  }
  if (report.idle) {
    const i = report.idle;
    out.push("");
    out.push(
      "| idle cluster | window | OCI calls / min (ours) | nudges / min | " +
        "invocations / min | 1-minute full poll: OCI calls / min | poll ÷ ours " +
        "|",
    );
    out.push("|---|---:|---:|---:|---:|---:|---:|");
    const versus = i.ociCallsPerMinute === 0 ? "∞ (ours is 0)" : x(i.pollerCallsPerPass / i.ociCallsPerMinute);
    out.push(
      `| ${i.nodes} nodes${i.settled ? "" : " (**did not settle**)"} | ` +
        `${s(i.windowSimMinutes, 1)} min | ${s(i.ociCallsPerMinute, 2)} | ` +
        `${s(i.nudgesPerMinute, 2)} | ${s(i.invocationsPerMinute, 2)} | ` +
        `${i.pollerCallsPerPass} | ${versus} |`,
    );
    if (Object.keys(i.ociCallsByOperation).length > 0) {
      out.push("");
      out.push(
        `Idle calls by operation: ${Object.entries(i.ociCallsByOperation)
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ", ",
          )} — the leak collector's pass, nudged by the watcher every ${i.leakCollectionPeriodS} s (OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS); no node is reconciled while nothing changes.`,
      );
    }
  }
  out.push("");
  out.push("### Throughput under a fixed 429 throttle on CreatePrivateIp");
  out.push("");
  out.push(
    "| emulator limit | containers × budget each | nodes | IPs | window s " +
      "| IPs / s | ÷ limit | 429s | 429s per IP | OCI calls / s, all " +
      "containers (peak 1 s / mean) | complete |",
  );
  out.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
  for (const t of report.throttle) {
    const limit = t.ratePerSecond === null ? "none (comparison)" : `${t.ratePerSecond}/s (burst ${t.burst})`;
    out.push(
      `| ${limit} | ${t.containers ?? 1} × ${t.allocatorRate}/s (burst ` +
        `${t.allocatorBurst}) | ${t.nodes} | ${t.ipsCreated} | ` +
        `${s(t.windowS, 1)} | ${s(t.ipsPerSecond, 2)} | ${x(t.ofLimit)} | ` +
        `${t.throttled} | ${s(t.throttledPerIp, 2)} | ` +
        `${s(t.peakCallsPerSecond, 1)} / ${s(t.meanCallsPerSecond, 1)} | ` +
        `${t.complete ? "yes" : "**no**"} |`,
    );
  }
  out.push("");
  out.push("### Function cold start and memory");
  out.push("");
  const c = report.coldStart;
  if (!c) out.push("(not measured)");
  else if ("error" in c) out.push(`**not measured**: ${c.error}`);
  else {
    const sdk =
      c.requireMs.ociSdk === null ? `not measured: ${c.ociSdk.error ?? "unknown"}` : `${s(c.requireMs.ociSdk, 0)} ms`;
    out.push(
      "| bundle | gzipped | require(): bundle | unbundled | `oci-sdk` " +
        "umbrella | unbundled ÷ bundle | spawn → listening | first invocation " +
        "| warm invocation | RSS after load | after 1 invocation | peak | " +
        "configured |",
    );
    out.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    out.push(
      `| ${s(c.bundleBytes / 1024 / 1024, 2)} MB | ` +
        `${s(c.bundleGzipBytes / 1024, 0)} KB | ${s(c.requireMs.bundle, 0)} ms ` +
        `| ${s(c.requireMs.unbundled, 0)} ms | ${sdk} | ` +
        `${x(ratio(c.requireMs.unbundled, c.requireMs.bundle))} | ` +
        `${s(c.startToListeningMs, 0)} ms | ${s(c.invocationMs.first, 0)} ms | ` +
        `${s(c.invocationMs.warm, 0)} ms | ${s(c.memoryMiB.afterLoad, 0)} MiB ` +
        `| ${s(c.memoryMiB.afterInvocation, 0)} MiB | ` +
        `${s(c.memoryMiB.peak, 0)} MiB | ${c.memoryMiB.configured} MiB |`,
    );
    out.push("");
    out.push(
      `require() medians of ${c.runs} fresh processes each, alternating ` +
        `modules.${c.ociSdk.installSeconds ? ` oci-sdk was installed for this run in ${s(c.ociSdk.installSeconds, 0)} s.` : ""}`,
    );
  }
  out.push("");
  out.push("### Watcher");
  out.push("");
  const w = report.watcher;
  if (!w) out.push("(not measured)");
  else if ("error" in w) out.push(`**not measured**: ${w.error}`);
  else {
    const cpu = summarize(w.cpuMsPer1000);
    out.push(
      "| CiliumNodes | RSS before start | RSS synced | heap used synced | " +
        "RSS / heap after changes | CPU ms per 1,000 changes (p50 / max) | " +
        "changes | nudges | nudges per change | changes leaving a node short |",
    );
    out.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    out.push(
      `| ${w.nodes} | ${s(w.rssMiB.beforeStart, 0)} MiB | ` +
        `${s(w.rssMiB.synced, 0)} MiB | ${s(w.heapUsedMiB.synced, 1)} MiB | ` +
        `${s(w.rssMiB.afterChanges, 0)} / ${s(w.heapUsedMiB.afterChanges, 1)} ` +
        `MiB | ${s(cpu.p50, 0)} / ${s(cpu.max, 0)} | ${w.changes} | ` +
        `${w.nudges} | ${s(w.nudgesPerChange, 3)} | ${w.needyChanges} |`,
    );
  }
  return out.join("\n");
}
