import type { Log } from "../log";
import { desiredRouting } from "./desired-routing";
import type { VnicMetadataSource } from "./imds";
import type { RoutingDataplane } from "./iproute2";
import { LOCAL_TABLE, type RoutingConfig, type RoutingOp, type RoutingProblem, type SkippedIp } from "./model";
import { planRouting } from "./plan-routing";
import type { PoolSource } from "./pool-source";

export interface ReconcileDeps {
  metadata: VnicMetadataSource;
  pool: PoolSource;
  dataplane: RoutingDataplane;
  config: RoutingConfig;
  log: Log;
  /** Compute and report the changes without applying them. */
  dryRun?: boolean;
}

export type ReconcileOutcome =
  /** Changes were applied (all of them, or some: see `failed`). */
  | "applied"
  /** The kernel already matched the desired state. */
  | "unchanged"
  /** No CiliumNode has been read yet: nothing is changed, so a restart never strips routing from running pods. */
  | "waitingForPool"
  /**
   * The CiliumNode does not exist (not created yet, or deleted): nothing is changed. A deletion says nothing about
   * whether pods still use their IPs (Cilium recreates the object), so it is no reason to cut their routing.
   */
  | "nodeAbsent"
  /** The metadata service failed: nothing is changed. */
  | "metadataUnavailable"
  /** The kernel's state could not be read: nothing is changed. */
  | "observeFailed";

export interface ReconcileReport {
  outcome: ReconcileOutcome;
  /** Changes attempted (or, with dryRun, planned), in order. */
  ops: RoutingOp[];
  failed: Array<{ op: RoutingOp; error: string }>;
  problems: RoutingProblem[];
  skipped: SkippedIp[];
  /** Something may resolve by itself shortly (IMDS or the OS catching up, a failed command): retry soon. */
  retrySoon: boolean;
  /** True when the changes were only planned (`dryRun`). */
  dryRun?: boolean;
  error?: string;
}

/**
 * One pass: read the pool and the metadata, read the kernel, plan, apply. Idempotent: a pass right after a
 * successful one plans nothing. Never throws; every failure is in the report (and in the log).
 */
export async function reconcileOnce(deps: ReconcileDeps): Promise<ReconcileReport> {
  const { log } = deps;
  const empty = { ops: [], failed: [], problems: [], skipped: [] };
  const ipam = deps.pool.current();
  if (ipam === undefined) {
    log.info("CiliumNode not read yet; routing left as it is");
    return { outcome: "waitingForPool", ...empty, retrySoon: true };
  }
  if (!ipam.exists) {
    log.info("this node has no CiliumNode; routing left as it is");
    return { outcome: "nodeAbsent", ...empty, retrySoon: false };
  }

  let vnics: Awaited<ReturnType<typeof deps.metadata.listVnics>>;
  try {
    vnics = await deps.metadata.listVnics();
  } catch (err) {
    log.warn({ err }, "instance metadata unavailable; routing left as it is");
    return { outcome: "metadataUnavailable", ...empty, retrySoon: true, error: (err as Error).message };
  }

  let observed: Awaited<ReturnType<typeof deps.dataplane.observe>>;
  try {
    observed = await deps.dataplane.observe();
  } catch (err) {
    log.error({ err }, "cannot read the kernel's routing state; routing left as it is");
    return { outcome: "observeFailed", ...empty, retrySoon: true, error: (err as Error).message };
  }
  // Addresses of the node itself (local table), e.g. cilium_host's router IP, which crd mode also takes from the pool.
  const hostIps = new Set(
    observed.routes.filter((r) => r.table === LOCAL_TABLE && r.type === "local").map((r) => r.dst.replace(/\/32$/, "")),
  );
  const desired = desiredRouting(vnics, ipam, deps.config, hostIps);

  const plan = planRouting(desired, observed, { protocol: deps.config.protocol, primaryMac: vnics[0]?.macAddr });
  for (const s of desired.skipped) log.warn({ ip: s.ip, vnic: s.resource, reason: s.reason }, "pool IP not routed");
  for (const p of plan.problems) log.warn({ vnic: p.vnicId, mac: p.mac, kind: p.kind, table: p.table }, p.detail);

  const failed: ReconcileReport["failed"] = [];
  for (const op of plan.ops) {
    if (deps.dryRun) {
      log.info({ op }, `would ${op.kind}: ${op.reason}`);
      continue;
    }
    try {
      await deps.dataplane.apply(op);
      log.info({ op }, `${op.kind}: ${op.reason}`);
    } catch (err) {
      failed.push({ op, error: (err as Error).message });
      log.error({ err, op }, `${op.kind} failed`);
    }
  }

  const retrySoon =
    failed.length > 0 ||
    desired.skipped.some((s) => s.reason === "VnicNotInMetadata") ||
    plan.problems.some((p) => p.kind === "InterfaceNotFound");
  return {
    outcome: plan.ops.length === 0 ? "unchanged" : "applied",
    ops: plan.ops,
    failed,
    problems: plan.problems,
    skipped: desired.skipped,
    retrySoon,
    ...(deps.dryRun ? { dryRun: true } : {}),
  };
}
