import type { SafetyCheck } from "./safety";

export interface NodeReport {
  node: string;
  instanceId: string;
  joinedAtS: number;
  /** Simulated seconds from the CiliumNode's creation to a pool of at least pre-allocate IPs. */
  joinToReadyS: number | null;
  pool: number;
  used: number;
  pods: number;
  vnics: number;
  state: string;
  reason: string;
}

export interface LocalReport {
  scenario: string;
  nodes: number;
  shape: string;
  timeScale: number;
  /** 1 / timeScale: how much faster than real time the run's simulated time went. */
  speedup: number;
  simulatedSeconds: number;
  wallSeconds: number;
  joinToReady: { p50: number | null; p95: number | null; max: number | null; unit: "simulated seconds" };
  perNode: NodeReport[];
  ociCalls: Record<string, number>;
  ociCallsTotal: number;
  ociCallsPerAllocatedIp: number | null;
  ipsAllocated: number;
  vnicsAttached: number;
  nudgesPublished: number;
  invocations: number;
  batches: number;
  redeliveries: number;
  functionStarts: number;
  quiesced: boolean;
  safety: SafetyCheck[];
  ok: boolean;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

const fmt = (v: number | null, digits = 1) => (v === null ? "—" : v.toFixed(digits));

/** The summary printed at the end of `ocipam local`. */
export function renderSummary(report: LocalReport): string {
  const lines = [
    `scenario ${report.scenario}: ${report.nodes} nodes (${report.shape}), ${report.simulatedSeconds.toFixed(0)} simulated s in ${report.wallSeconds.toFixed(1)} wall s (×${report.speedup.toFixed(0)})`,
    "",
    "node            pool  used  pods  vnics  join→ready(s)  state",
    ...report.perNode.map((n) => `${n.node.padEnd(15)} ${String(n.pool).padStart(4)}  ${String(n.used).padStart(4)}  ${String(n.pods).padStart(4)}  ${String(n.vnics).padStart(5)}  ${fmt(n.joinToReadyS).padStart(13)}  ${n.state}${n.reason && n.state !== "Ready" ? ` (${n.reason})` : ""}`),
    "",
    `join → pool ≥ pre-allocate: p50 ${fmt(report.joinToReady.p50)} s, p95 ${fmt(report.joinToReady.p95)} s, max ${fmt(report.joinToReady.max)} s (simulated)`,
    `IPs allocated ${report.ipsAllocated}, VNICs attached ${report.vnicsAttached}; OCI API calls ${report.ociCallsTotal} (${fmt(report.ociCallsPerAllocatedIp, 2)} per IP)`,
    `nudges published ${report.nudgesPublished}, function invocations ${report.invocations} in ${report.batches} batches (${report.redeliveries} redelivered), function starts ${report.functionStarts}`,
    `OCI calls: ${Object.entries(report.ociCalls).sort().map(([k, v]) => `${k} ${v}`).join(", ")}`,
    "",
    "safety properties:",
    ...report.safety.map((c) => `  ${c.ok ? "PASS" : "FAIL"}  ${c.property} — ${c.detail}`),
    "",
    report.ok ? "result: PASS" : `result: FAIL${report.quiesced ? "" : " (the run did not quiesce)"}`,
  ];
  return lines.join("\n");
}
