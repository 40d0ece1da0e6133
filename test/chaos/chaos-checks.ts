import type { SafetyCheck } from "../../lib/testbed/local/safety";
import type { StaleOverlap } from "./node-churn";
import type { StaleFinding } from "./sampler";

/** The deletions a chaos run exercised, from the OCI emulator (counters and world) and the Kubernetes emulator. */
export interface DeletionSummary {
  /** Allocator IPs gone while Cilium's agent had answered ready-for-release for them. */
  releasedThroughHandshake: number;
  /** Allocator IPs deleted (DeletePrivateIp) that were never in the handshake: the leak collector. */
  collectorIps: number;
  /** DetachVnic calls that succeeded, minus the operator's: the leak collector's. */
  collectorVnicDetaches: number;
  outOfBandIps: number;
  outOfBandVnicDetaches: number;
  /** Allocator IPs that went with their VNIC (detached by the collector or the operator). */
  ipsGoneWithDetachedVnic: number;
  /** Allocator IPs that went with a terminated instance (node replaced). */
  ipsGoneWithTerminatedInstance: number;
  /** Successful DeletePrivateIp calls as the emulator counted them, minus the operator's. */
  allocatorDeletePrivateIp: number;
  /** Leak-collection passes (collector Lease taken), in the whole run and while chaos went on (window and drain). */
  collectorPasses: number;
  collectorPassesUnderChaos: number;
  collectLeaksNudgesDelivered: number;
  /** Instances node churn left running without a Node, and how many of them had allocator objects to collect. */
  orphanedInstances: number;
  orphanedInstancesWithObjects: number;
}

/** A run's deletion must not pass vacuously: release and collection must both have done something. */
export function deletionChecks(d: DeletionSummary, options: { releaseOn: boolean }): SafetyCheck[] {
  const problems: string[] = [];
  if (options.releaseOn && d.releasedThroughHandshake === 0) {
    problems.push("release is on but no IP was released through the handshake");
  }
  if (d.collectorPassesUnderChaos < 2) {
    problems.push(
      `leak collection ran ${d.collectorPassesUnderChaos} time(s) while faults were injected ` +
        "(window and drain; at least 2 expected)",
    );
  }
  if (d.orphanedInstancesWithObjects > 0 && d.collectorIps + d.collectorVnicDetaches === 0) {
    problems.push(
      `${d.orphanedInstancesWithObjects} orphaned instance(s) held allocator objects but the collector ` +
        "deleted nothing",
    );
  }
  const unattributed = d.allocatorDeletePrivateIp - d.releasedThroughHandshake - d.collectorIps;
  const counts =
    `released ${d.releasedThroughHandshake}, collected ${d.collectorIps} IPs + ` +
    `${d.collectorVnicDetaches} VNICs in ${d.collectorPasses} passes (${d.collectorPassesUnderChaos} under chaos); ` +
    `${d.allocatorDeletePrivateIp} allocator DeletePrivateIp` +
    (unattributed !== 0 ? ` (${unattributed} not seen by the 1 s sampler)` : "");
  return [
    {
      property:
        "7. deletion was exercised (not vacuous): release through the handshake and leak collection both deleted",
      ok: problems.length === 0,
      detail: problems.length ? `${problems.join("; ")} — ${counts}` : counts,
    },
  ];
}

const STALE_PROPERTY =
  "6. two Nodes naming one instance: the allocator refuses both (nothing created there, no offered or used IP deleted)";

/**
 * While two Nodes named one instance, the allocator must refuse both: the stale node never gets an IP, both are
 * refused (a Warning Event), and once the invocation that refused has ended nothing is created or deleted there.
 */
export function staleChecks(
  findings: ReadonlyMap<string, StaleFinding>,
  overlaps: readonly StaleOverlap[],
): SafetyCheck[] {
  const property = STALE_PROPERTY;
  if (overlaps.length === 0) {
    return [{ property, ok: true, detail: "not exercised in this run (no stale-node injection)" }];
  }
  const all = [...findings.values()];
  const unseen = overlaps
    .filter((o) => o.nudgeHandled === false && findings.get(o.staleNode)?.refusedAtSimS === undefined)
    .map((o) => o.staleNode);
  if (unseen.length > 0) {
    const detail =
      `not exercised: no invocation handled the nudge of ${unseen.join(", ")} while it existed ` +
      "(function too slow?)";
    return [{ property, ok: false, detail }];
  }
  const changed = (f: StaleFinding) => f.created.length > 0 || f.deleted.length > 0 || f.vnicsAttached > 0;
  const bad = all.filter((f) => f.staleNodeGotIps || changed(f) || f.refusedAtSimS === undefined);
  const some = (ips: string[]) => (ips.length ? ` (${ips.slice(0, 3).join(", ")})` : "");
  const describe = (f: StaleFinding) =>
    `${f.staleNode} / ${f.node}: ${f.refusedAtSimS === undefined ? "never refused while both existed; " : ""}` +
    `${f.staleNodeGotIps ? "the stale node got IPs; " : ""}after the refusal created ${f.created.length}` +
    `${some(f.created)}, deleted ${f.deleted.length}${some(f.deleted)}, VNICs attached ${f.vnicsAttached}`;
  const fine = (f: StaleFinding) =>
    `${f.staleNode}: refused at ${f.refusedAtSimS!.toFixed(1)} s, ` +
    (f.strictFromSimS === undefined
      ? "no later invocation before it was deleted"
      : `nothing changed from ${f.strictFromSimS.toFixed(1)} s`);
  const detail = bad.length === 0 ? all.map(fine).join("; ") : bad.map(describe).join("; ");
  return [{ property, ok: bad.length === 0, detail }];
}
