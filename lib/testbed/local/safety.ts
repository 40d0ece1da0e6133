import { blockAddresses } from "../../core/blocks/cidr";
import type { Pipeline } from "./pipeline";

export interface SafetyCheck {
  property: string;
  ok: boolean;
  detail: string;
}

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  /** Set on an IP CIDR address: one object holding the block `ipAddress/cidrPrefixLength`. */
  cidrPrefixLength?: number;
  freeformTags: Record<string, string>;
}
interface SnapshotVnic {
  id: string;
  instanceId: string;
  isPrimary: boolean;
  lifecycleState: string;
  freeformTags: Record<string, string>;
}
interface Snapshot {
  privateIps: SnapshotIp[];
  vnics: SnapshotVnic[];
}

/** What the run recorded before the checks: objects that belong to nobody in the cluster and must survive untouched. */
export interface Witnesses {
  /** Private IPs created by "another tool" on a cluster node (untagged): never released or touched. */
  foreignIpIds: string[];
  /** An instance outside the cluster, joined as a node: its VNICs and IPs must not change. */
  outsider?: { node: string; instanceId: string; fingerprint: string };
  /** Every primary private IP at the start. */
  primaryIpIds: string[];
  /**
   * "node ip" of pods holding an address an operator deleted out of band while it sat free in the pool (chaos runs):
   * the agent handed it out before the allocator saw it gone. That pod was broken by the operator, not the allocator.
   */
  excusedInUse?: string[];
}

export function fingerprintInstance(snapshot: Snapshot, instanceId: string): string {
  const vnics = snapshot.vnics
    .filter((v) => v.instanceId === instanceId)
    .map((v) => v.id)
    .sort();
  const ips = snapshot.privateIps
    .filter((ip) => vnics.includes(ip.vnicId))
    .map((ip) => ip.id)
    .sort();
  return JSON.stringify({ vnics, ips });
}

/**
 * The design's safety properties, checked against the emulated world at quiescence (and, for the first, at every
 * change of every CiliumNode during the run).
 */
export function checkSafety(pipeline: Pipeline, witnesses: Witnesses, deletionsExpected: boolean): SafetyCheck[] {
  const snapshot = pipeline.cluster.oci.admin.snapshot() as unknown as Snapshot;
  const kube = pipeline.cluster.kube.store;
  const checks: SafetyCheck[] = [];

  const over = [...pipeline.sim.nodes.values()].filter((n) => n.overAllocation);
  checks.push({
    property: "1. never more IPs on a node than its plan asked for",
    ok: over.length === 0,
    detail:
      over.length === 0
        ? `every pool stayed within used + pre-allocate + pending pods (largest ` +
          `pool ` +
          `${Math.max(0, ...[...pipeline.sim.nodes.values()].map((n) => n.maxPool))})`
        : over
            .map(
              (n) =>
                `${n.name}: pool ${n.overAllocation!.pool} > demand ` +
                `${n.overAllocation!.demand} at ` +
                `${(n.overAllocation!.simMs / 1000).toFixed(1)} s`,
            )
            .join("; "),
  });

  const leaks: string[] = [];
  const owned = snapshot.privateIps.filter((ip) => !ip.isPrimary && ip.freeformTags["ocipam-cluster"] === "local");
  // An IP names its node, or (prewarmed before the node existed) only its instance.
  const nodeOfInstance = new Map([...pipeline.sim.nodes.values()].map((n) => [n.instanceId, n.name]));
  for (const ip of owned) {
    const node = ip.freeformTags["ocipam-node"] ?? nodeOfInstance.get(ip.freeformTags["ocipam-instance"] ?? "");
    const cn = node
      ? (kube.get("ciliumnodes", node) as
          | { spec?: { ipam?: { pool?: Record<string, { resource?: string }> } } }
          | undefined)
      : undefined;
    if ((ip.cidrPrefixLength ?? 32) < 32) {
      // A block's addresses are offered only as the watermarks ask (lib/core/blocks): held unoffered is by design;
      // it leaks only when no CiliumNode owns it.
      if (!cn) leaks.push(`${ip.ipAddress}/${ip.cidrPrefixLength} (${node ?? "no node"})`);
      continue;
    }
    const entry = cn?.spec?.ipam?.pool?.[ip.ipAddress];
    if (!entry || entry.resource !== ip.vnicId) leaks.push(`${ip.ipAddress} (${node ?? "no node"})`);
  }
  for (const vnic of snapshot.vnics.filter(
    (v) => !v.isPrimary && v.freeformTags["ocipam-cluster"] === "local" && v.lifecycleState !== "TERMINATED",
  )) {
    const node = pipeline.sim.nodes.get(vnic.freeformTags["ocipam-node"] ?? "");
    if (!node || node.instanceId !== vnic.instanceId) leaks.push(`VNIC ${vnic.id}`);
  }
  checks.push({
    property: "2. nothing leaks: every created IP and VNIC is in its node's pool",
    ok: leaks.length === 0,
    detail:
      leaks.length === 0
        ? `${owned.length} allocator IPs, all in a pool`
        : `not in a pool: ${leaks.slice(0, 10).join(", ")}`,
  });

  const ids = new Set(snapshot.privateIps.map((ip) => ip.id));
  const lostPrimaries = witnesses.primaryIpIds.filter((id) => !ids.has(id));
  const lostForeign = witnesses.foreignIpIds.filter((id) => !ids.has(id));
  const deletes = pipeline.cluster.oci.admin.counters()["DeletePrivateIp"] ?? 0;
  // In use: every IP a pod holds (the agent's allocations) must still exist in OCI, on the VNIC its pool entry names.
  const excused = new Set(witnesses.excusedInUse ?? []);
  const inUseLost = ipsInUseMissing(pipeline, snapshot).filter((v) => !excused.has(v));
  const releaseOk =
    lostPrimaries.length === 0 &&
    lostForeign.length === 0 &&
    inUseLost.length === 0 &&
    (deletionsExpected || deletes === 0);
  const inUse = [...pipeline.sim.nodes.values()].reduce((a, n) => a + n.agent.state.allocated.size, 0);
  checks.push({
    property: "3. never release an IP in use, a primary IP, or an object the allocator does not own",
    ok: releaseOk,
    detail: releaseOk
      ? `${inUse} IPs in use, ${witnesses.primaryIpIds.length} primary and ` +
        `${witnesses.foreignIpIds.length} foreign IPs intact; ${deletes} ` +
        `DeletePrivateIp ` +
        `calls${deletionsExpected ? " (release or leak collection on)" : ""}${excused.size ? `; ${excused.size} pod(s) hold an IP an operator deleted out of band (not counted)` : ""}`
      : `in use but gone from OCI ` +
        `${inUseLost.length}${inUseLost.length ? ` (${inUseLost.slice(0, 5).join(", ")})` : ""}, ` +
        `primary lost ${lostPrimaries.length}, foreign lost ` +
        `${lostForeign.length}, deletes ${deletes} with deletions ` +
        `${deletionsExpected ? "expected" : "not expected"}`,
  });

  if (witnesses.outsider) {
    const now = fingerprintInstance(snapshot, witnesses.outsider.instanceId);
    const cn = kube.get("ciliumnodes", witnesses.outsider.node) as { spec?: { ipam?: { pool?: object } } } | undefined;
    const untouched = now === witnesses.outsider.fingerprint && Object.keys(cn?.spec?.ipam?.pool ?? {}).length === 0;
    checks.push({
      property: "4. act only for instances of the cluster",
      ok: untouched,
      detail: untouched
        ? `outsider ${witnesses.outsider.node} (other compartment) left untouched`
        : `outsider ${witnesses.outsider.node} was changed`,
    });
  }

  const lost: string[] = [];
  let conflicts = 0;
  for (const node of pipeline.sim.nodes.values()) {
    conflicts += node.agent.conflicts;
    const cn = kube.get("ciliumnodes", node.name) as
      | { status?: { ipam?: { used?: Record<string, unknown> } } }
      | undefined;
    const used = Object.keys(cn?.status?.ipam?.used ?? {}).sort();
    const local = [...node.agent.state.allocated.keys()].sort();
    if (JSON.stringify(used) !== JSON.stringify(local)) lost.push(node.name);
  }
  checks.push({
    property: "5. CiliumNode writes use optimistic concurrency: no update lost",
    ok: lost.length === 0,
    detail:
      lost.length === 0
        ? `every agent's status.ipam.used matches its allocations (${conflicts} agent write conflicts retried)`
        : `used differs from the agent's allocations on ${lost.join(", ")}`,
  });
  return checks;
}

/**
 * IPs a pod holds (each agent's allocations) that do not exist in OCI on the VNIC their pool entry names: "node ip".
 * Also called during chaos runs, since a pod deleted later would hide a violation from the check at quiescence.
 */
export function ipsInUseMissing(
  pipeline: Pipeline,
  snapshot?: { privateIps: Array<{ ipAddress: string; vnicId: string; cidrPrefixLength?: number }> },
): string[] {
  const world = snapshot ?? (pipeline.cluster.oci.admin.snapshot() as unknown as Snapshot);
  // An IP CIDR address holds every address of its block.
  const present = new Set(
    world.privateIps.flatMap((ip) =>
      ((ip.cidrPrefixLength ?? 32) < 32 ? blockAddresses(ip.ipAddress, ip.cidrPrefixLength!) : [ip.ipAddress]).map(
        (a) => `${a}|${ip.vnicId}`,
      ),
    ),
  );
  const missing: string[] = [];
  for (const node of pipeline.sim.nodes.values()) {
    for (const [ip, entry] of node.agent.state.allocated) {
      if (!present.has(`${ip}|${entry.resource ?? ""}`)) missing.push(`${node.name} ${ip}`);
    }
  }
  return missing;
}
