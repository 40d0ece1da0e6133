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
  /** VNIC slots of the instance's shape (shapeConfig.maxVnicAttachments). */
  vnicSlots: number;
  /** Pods scheduled on the node without an address at the end. */
  podsWaiting: number;
  /** Every VNIC slot used, nothing free in the pool, and the record says AtCapacity / VnicSlotsExhausted. */
  atShapeCapacity: boolean;
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
  /** The allocator's Core API calls per operation, as the emulator counted the requests the allocator's key signed. */
  ociCallsAllocator: Record<string, number>;
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
  /** Pods without an address at the end, on every node. */
  podsWaiting: number;
  /** Nodes whose shape holds no more (see NodeReport.atShapeCapacity). */
  nodesAtShapeCapacity: string[];
  safety: SafetyCheck[];
  ok: boolean;
  /** Why ok is false, one sentence each. */
  failures: string[];
  /** Notable but not failing: pods waiting on nodes at capacity by their shape. */
  flags: string[];
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
    `scenario ${report.scenario}: ${report.nodes} nodes (${report.shape}), ` +
      `${report.simulatedSeconds.toFixed(0)} simulated s in ` +
      `${report.wallSeconds.toFixed(1)} wall s ` +
      `(×${report.speedup.toFixed(0)})`,
    "",
    "node            pool  used  pods  waiting  vnics  join→ready(s)  state",
    ...report.perNode.map(nodeLine),
    "",
    `join → pool ≥ pre-allocate: p50 ${fmt(report.joinToReady.p50)} s, p95 ` +
      `${fmt(report.joinToReady.p95)} s, max ${fmt(report.joinToReady.max)} ` +
      `s (simulated)`,
    `IPs allocated ${report.ipsAllocated}, VNICs attached ` +
      `${report.vnicsAttached}; allocator Core API calls ` +
      `${report.ociCallsTotal} (${fmt(report.ociCallsPerAllocatedIp, 2)} per ` +
      `IP)`,
    `nudges published ${report.nudgesPublished}, function invocations ` +
      `${report.invocations} in ${report.batches} batches ` +
      `(${report.redeliveries} redelivered), function starts ` +
      `${report.functionStarts}`,
    `OCI calls (every principal): ${Object.entries(report.ociCalls)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `pods waiting for an address ${report.podsWaiting}; ` +
      `nodes at capacity by their shape ${report.nodesAtShapeCapacity.length}`,
    "",
    "safety properties:",
    ...report.safety.map((c) => `  ${c.ok ? "PASS" : "FAIL"}  ${c.property} — ${c.detail}`),
    ...report.flags.map((f) => `  NOTE  ${f}`),
    "",
    report.ok
      ? `result: PASS${report.flags.length ? " (with notes)" : ""}`
      : `result: FAIL: ${report.failures.join("; ")}`,
  ];
  return lines.join("\n");
}

function nodeLine(n: NodeReport): string {
  const cols = [
    n.node.padEnd(15),
    String(n.pool).padStart(4),
    String(n.used).padStart(5),
    String(n.pods).padStart(5),
    String(n.podsWaiting).padStart(8),
    `${n.vnics}/${n.vnicSlots}`.padStart(6),
    fmt(n.joinToReadyS).padStart(14),
  ];
  return `${cols.join(" ")}  ${n.state}${n.reason && n.state !== "Ready" ? ` (${n.reason})` : ""}`;
}
