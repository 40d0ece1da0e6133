import type { ChaosReport } from "./chaos-run";

const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");

/** One injection: simulated time since the workload started, kind, what, and what happened. */
export function injectionLine(e: { atSimS: number; kind: string; detail: string; outcome?: string }): string {
  const outcome = e.outcome ? ` → ${e.outcome}` : "";
  return `  ${e.atSimS.toFixed(1).padStart(6)} s  ${e.kind.padEnd(19)} ${e.detail}${outcome}`;
}

/** The summary `npm run chaos` prints: seed, injections and deletions by kind, properties, quiescence, wall time. */
export function renderChaos(report: ChaosReport): string {
  const o = report.observed;
  const d = report.deletions;
  const s = report.sampler;
  const statuses = (st: Record<string, number>) =>
    Object.entries(st)
      .map(([status, n]) => `${status === "0" ? "reset" : status}×${n}`)
      .join(" ");
  const faults =
    Object.entries(o.ociFaultAnswers)
      .map(([op, st]) => `${op} ${statuses(st)}`)
      .join(", ") || "none";
  const first = report.firstInUseViolation;
  const inUseOk = report.inUseViolationsDuringRun.length === 0;
  const firstText = first
    ? ` — first at ${first.atSimS.toFixed(1)} s: ${first.node} ${first.ip} (VNIC ${first.vnicId.slice(-12)}, ` +
      `gone: ${first.went ?? "?"}); ${report.inUseViolationsDuringRun.length} in all`
    : "";
  const finalNodes = report.finalNodes
    .map((n) => `${n.node} pool ${n.pool} used ${n.used} pods ${n.pods}${n.excess ? ` excess ${n.excess}` : ""}`)
    .join("; ");
  const lines = [
    `chaos run: seed ${report.seed}, ${report.events} events, ${report.nodes} nodes, window ${report.windowSimS} ` +
      `simulated s, ${report.simulatedSeconds.toFixed(0)} simulated s in ${report.wallSeconds.toFixed(1)} wall s ` +
      `(time scale ${report.timeScale})`,
    "",
    "injected:",
    ...report.injected.map(injectionLine),
    `  by kind: ${Object.entries(report.injectedByKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
    "",
    "deletions (OCI emulator counters and world):",
    `  released through the handshake ${d.releasedThroughHandshake}; leak collector ${d.collectorIps} IPs + ` +
      `${d.collectorVnicDetaches} VNIC detaches in ${d.collectorPasses} passes (${d.collectorPassesUnderChaos} ` +
      `under chaos, ${d.collectLeaksNudgesDelivered} collect-leaks nudges delivered)`,
    `  out of band ${d.outOfBandIps} IPs + ${d.outOfBandVnicDetaches} VNIC detaches; IPs gone with a detached VNIC ` +
      `${d.ipsGoneWithDetachedVnic}, with a terminated instance ${d.ipsGoneWithTerminatedInstance}; allocator ` +
      `DeletePrivateIp 2xx ${d.allocatorDeletePrivateIp}`,
    "",
    "observed:",
    `  OCI fault answers: ${faults}`,
    `  function starts ${o.functionStarts} (kills during an invocation ${o.functionKillsInFlight}), connector ` +
      `invocations ${o.connectorInvocations} (${o.connectorRedeliveries} redelivered)`,
    `  batches touched ${o.batches.batchesTouched}: nudges duplicated ${o.batches.duplicated}, reordered ` +
      `${o.batches.reordered}, dropped ${o.batches.dropped}; agent write conflicts ${o.agentWriteConflicts}`,
    `  IPs created ${o.ipsCreated}, secondary VNICs attached at the end ${o.vnicsAttached}`,
    `  at the end: ${finalNodes}`,
    "",
    "found:",
    `  ${mark(report.quiesced)}  quiescence after the last injection`,
    `  ${mark(inUseOk)}  sampled every simulated second (${s.samples} samples over ` +
      `${s.simulatedSeconds.toFixed(0)} s, largest gap ${s.maxGapS.toFixed(1)} s): no IP a pod held disappeared ` +
      `from OCI${firstText}`,
    ...report.safety.map((c) => `  ${mark(c.ok)}  ${c.property} — ${c.detail}`),
    "",
    `quiesced: ${report.quiesced ? "yes" : "no"}; wall ${report.wallSeconds.toFixed(1)} s`,
    report.ok ? "result: PASS" : "result: FAIL",
  ];
  return lines.join("\n");
}

/** One line per run, for several seeds (`npm run chaos -- --seeds 11-15`). */
export function renderChaosTable(reports: readonly ChaosReport[]): string {
  const rows = reports.map((r) => {
    const d = r.deletions;
    const failed = [
      ...(r.quiesced ? [] : ["quiescence"]),
      ...(r.inUseViolationsDuringRun.length ? ["in-use sampled"] : []),
      ...r.safety.filter((c) => !c.ok).map((c) => c.property.split(".")[0]!),
    ];
    return (
      `seed ${String(r.seed).padStart(3)}  ${r.ok ? "PASS" : "FAIL"}  quiesced ${r.quiesced ? "yes" : "no "}  ` +
      `${r.wallSeconds.toFixed(0).padStart(4)} s wall  deletions: release ${d.releasedThroughHandshake}, collector ` +
      `${d.collectorIps}+${d.collectorVnicDetaches}v, out-of-band ${d.outOfBandIps}+${d.outOfBandVnicDetaches}v, ` +
      `with instance ${d.ipsGoneWithTerminatedInstance}  failed: ${failed.join(", ") || "none"}`
    );
  });
  return rows.join("\n");
}
