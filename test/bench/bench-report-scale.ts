import type { CriticalPath } from "./critical-path";
import type { ScaleRunResult } from "./pipeline-bench";
import { summarize } from "./stats";

const f = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits);

/**
 * The per-phase timeline of join → pool ready (phase-timeline.ts) for each scale that has one: phase → p50 and mean
 * ms over the nodes next to the critical-path step it corresponds to. The means add up to the mean join → ready.
 */
export function renderTimeline(runs: ReadonlyArray<ScaleRunResult>, bound: CriticalPath): string[] {
  const withPhases = runs.filter((r) => r.phases && r.phases.length > 0);
  if (withPhases.length === 0) return [];
  const out: string[] = [];
  out.push("");
  out.push("### Join → pool ready, phase by phase (parallel, as shipped)");
  out.push("");
  out.push(
    "Each phase ends at a timestamp the pipeline records (the change feed, " +
      "the stream message, the connector's batch, " +
      "the function's log lines) and starts at the previous one, so a node's phases add up to its join → ready. " +
      "The function logs at debug level for this (one line per OCI call).",
  );
  out.push("");
  const header = withPhases.map((r) => `${r.nodes} node(s): p50 / mean ms`).join(" | ");
  out.push(`| phase | bound ms | ${header} |`);
  out.push(`|---|---:|${withPhases.map(() => "---:").join("|")}|`);
  const keys = withPhases[0]!.phases!.map((p) => p.key);
  for (const key of keys) {
    const first = withPhases[0]!.phases!.find((p) => p.key === key)!;
    const cells = withPhases.map((r) => {
      const p = r.phases!.find((q) => q.key === key);
      return p ? `${f(p.p50Ms)} / ${f(p.meanMs)}` : "—";
    });
    out.push(`| ${first.label} | ${first.boundMs || "—"} | ${cells.join(" | ")} |`);
  }
  const totals = withPhases.map((r) => {
    const mean = r.phases!.reduce((a, p) => a + p.meanMs, 0);
    const p50 = summarize(r.joinToReadyS).p50;
    return `${f(p50 === null ? null : p50 * 1000)} / ${f(mean)}`;
  });
  out.push(
    `| **join → pool ready** (p50 of the total / sum of the means) | ${bound.totalMs} | ${totals.join(" | ")} |`,
  );
  return out;
}

/** The 1,000-node section: latency, calls by operation, 429s, failures and each component's CPU time. */
export function renderLarge(run: ScaleRunResult | undefined, boundMs: number): string[] {
  if (!run) return [];
  const out: string[] = [];
  const join = summarize(run.joinToReadyS);
  const jump = summarize(run.jumpToRefilledS);
  out.push("");
  out.push(`### ${run.nodes.toLocaleString("en")} nodes at once (time scale ${run.timeScale}, parallel as shipped)`);
  out.push("");
  out.push(
    `Simulated seconds. At time scale ${run.timeScale} every real millisecond of CPU counts ` +
      `${f(1 / run.timeScale, 0)} simulated ones, so the CPU columns say where the time went.`,
  );
  out.push("");
  out.push(
    "| nodes | join → ready p50 / p95 / max s | ÷ bound (p50) | jump → refilled p50 / p95 s | IPs | OCI calls | " +
      "per IP | 429s | failed invocations | invocations | CPU s: bench process (emulators + watcher + connector + " +
      "agents) | CPU s: function | wall s (join / jump) | complete |",
  );
  out.push("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|:---:|");
  out.push(
    `| ${run.nodes} | ${f(join.p50, 2)} / ${f(join.p95, 2)} / ${f(join.max, 2)} | ` +
      (`${join.p50 === null ? "—" : `${((join.p50 * 1000) / boundMs).toFixed(2)}×`} ` +
        `| ${f(jump.p50, 2)} / ${f(jump.p95, 2)} | `) +
      (`${run.ipsCreated} | ${run.ociCallsTotal} | ${f(run.callsPerIp, 2)} | ` +
        `${run.throttled} | ${run.failedInvocations} | `) +
      (`${run.invocations} | ${f(run.cpuMs.benchProcess / 1000, 1)} | ` +
        `${f((run.cpuMs.functionProcess ?? Number.NaN) / 1000, 1)} | `) +
      `${f(run.wallSeconds.join)} / ${f(run.wallSeconds.jump)} | ${run.complete ? "yes" : "**no**"} |`,
  );
  out.push("");
  out.push(
    `OCI calls by operation: ${Object.entries(run.ociCalls)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
  );
  if (run.phases && run.phases.length > 0) {
    out.push("");
    out.push(
      `Phases of the nodes that became ready, in **real** ms (× ${f(1 / run.timeScale, 0)} for simulated ms; ` +
        "the bound column is simulated ms at time scale 1):",
    );
    out.push("");
    out.push("| phase | bound ms | p50 / mean real ms |");
    out.push("|---|---:|---:|");
    for (const p of run.phases) out.push(`| ${p.label} | ${p.boundMs || "—"} | ${f(p.p50Ms)} / ${f(p.meanMs)} |`);
  }
  return out;
}
