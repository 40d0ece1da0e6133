import type { Reason } from "../core/model";
import type { CiliumNodeView, LockHandle } from "../ports/kube";
import { KubeConflictError } from "../ports/kube-errors";
import type { CallOptions, VnicAttachmentInfo } from "../ports/oci";
import { OciApiError } from "../ports/oci-errors";
import { instanceLockKey } from "../reconcile/claim-instance";
import type { ReconcileDeps } from "../reconcile/deps";
import { mapSettledLimit } from "../reconcile/map-limit";
import { runUseCase } from "../reconcile/use-case";
import { classify, instancesToRead, vnicCandidates } from "./classify";
import { decide } from "./decide";
import type { ClusterView, CollectorSnapshot, ObjectKind, Orphan, SeenInstance, SeenVnic } from "./model";
import type { ClusterInventory, LeakMarkStore } from "./ports";

/** Marks kept at most (a ConfigMap holds 1 MiB; a mark is about 200 bytes). */
export const MAX_MARKS = 2000;
/** The key of the collector's lock (one run per cluster at a time); node names never contain ':'. */
export const COLLECTOR_LOCK_KEY = "cluster:collect-leaks";
/** Read calls of one pass in flight at once. */
const READ_CONCURRENCY = 4;

export interface CollectorPorts {
  inventory: ClusterInventory;
  marks: LeakMarkStore;
}

interface ReportedObject {
  kind: ObjectKind;
  id: string;
  ipAddress?: string;
  vnicId?: string;
  node?: string;
  instanceId?: string;
  reason: string;
}

/** What one collector run did: returned in the function's JSON result and logged as one summary line. */
export interface CollectionReport {
  /**
   * collected: the pass ran (whether or not it found anything); skipped: another run holds the lock; failed: an error
   * stopped it.
   */
  outcome: "collected" | "skipped" | "failed";
  reason: Reason;
  scanned: { subnets: number; privateIps: number; vnicAttachments: number; instancesRead: number; vnicsRead: number };
  /** Allocator objects found where they belong, and objects of nobody this cluster knows (never touched). */
  healthy: number;
  foreign: number;
  /** Orphans first seen on this pass. */
  marked: ReportedObject[];
  /** Deleted private IPs and detached VNICs. */
  deleted: ReportedObject[];
  /** Orphans and look-alikes not acted on, and why. */
  skipped: Array<{ kind: ObjectKind; id: string; ipAddress?: string; reason: string; message: string }>;
  /** Marks stored after the pass (orphans waiting for their grace period or a later run). */
  pendingMarks: number;
  /** OciIpamNode records removed because neither their Node nor their instance exists any more. */
  recordsRemoved: string[];
  /** Locks (Leases) left behind by killed invocations and deleted by this pass. */
  expiredLocksDeleted: number;
  durationMs: number;
  apiCalls: Record<string, number>;
  error?: { reason: string; message: string; statusCode?: number; serviceCode?: string; opcRequestId?: string };
}

/**
 * One leak-collection pass for the cluster (the `io.ocipam.cluster.collect-leaks` nudge): finds the allocator's
 * private IPs and secondary VNICs that no node owns any more, marks them, and deletes those marked on an earlier pass
 * once the grace period has passed (classify.ts and decide.ts say exactly which). Reads are per cluster, not per
 * instance: one paged ListPrivateIps per subnet of the VCN, one paged ListVnicAttachments per cluster compartment,
 * the Nodes and CiliumNodes as lists; GetInstance and GetVnic only for the few objects whose owner is in question.
 * Right before deleting, the Kubernetes side is read again and only what is still orphaned is deleted.
 */
export async function collectLeaks(
  baseDeps: ReconcileDeps,
  ports: CollectorPorts,
  options: { deadline: Date; callId?: string },
): Promise<CollectionReport> {
  const report: CollectionReport = {
    outcome: "collected",
    reason: { code: "NotStarted", message: "" },
    scanned: { subnets: 0, privateIps: 0, vnicAttachments: 0, instancesRead: 0, vnicsRead: 0 },
    healthy: 0,
    foreign: 0,
    marked: [],
    deleted: [],
    skipped: [],
    pendingMarks: 0,
    recordsRemoved: [],
    expiredLocksDeleted: 0,
    durationMs: 0,
    apiCalls: {},
  };
  const logFields = () => ({
    scanned: report.scanned,
    healthy: report.healthy,
    foreign: report.foreign,
    marked: report.marked.length,
    deleted: report.deleted.length,
    skipped: report.skipped.length,
    pendingMarks: report.pendingMarks,
    recordsRemoved: report.recordsRemoved.length,
  });
  const spec = {
    action: "collect-leaks",
    deadline: options.deadline,
    ...(options.callId ? { callId: options.callId } : {}),
    result: report,
    logFields,
    failedOutcome: "failed" as const,
    extraPorts: { inventory: ports.inventory, marks: ports.marks },
  };
  return runUseCase(baseDeps, spec, async (ctx, extra) => {
    const { deps, budget, callId } = ctx;
    const { config, log } = deps;
    const inventory = extra.inventory as ClusterInventory;
    const marksStore = extra.marks as LeakMarkStore;
    const call: CallOptions = { deadline: budget.workDeadline };
    if (!(await ctx.lock(COLLECTOR_LOCK_KEY))) {
      report.outcome = "skipped";
      report.reason = { code: "CollectorLocked", message: "another invocation is collecting leaks for this cluster" };
      return;
    }

    const [stored, subnets, attachmentLists, view] = await Promise.all([
      marksStore.load(),
      deps.network.listSubnets(config.networkCompartmentId, config.planner.vcnId, call),
      Promise.all(config.compartmentIds.map((c) => deps.compute.listVnicAttachmentsInCompartment(c, call))),
      readClusterView(deps, inventory),
    ]);
    const ipLists = await mapSettledLimit(subnets, READ_CONCURRENCY, (s) =>
      deps.network.listPrivateIpsInSubnet(s.id, call),
    );
    const privateIps = ipLists.flatMap((r) => {
      if (r.status === "rejected") throw r.reason;
      return r.value;
    });
    const attachments = attachmentLists.flat().map(seenAttachment);
    report.scanned = {
      subnets: subnets.length,
      privateIps: privateIps.length,
      vnicAttachments: attachments.length,
      instancesRead: 0,
      vnicsRead: 0,
    };
    const partial = {
      now: deps.now().toISOString(),
      cluster: config.planner.clusterName,
      prewarmEnabled: config.prewarm.enabled,
      joinTimeoutSeconds: config.prewarm.joinTimeoutSeconds,
      privateIps,
      attachments,
      view,
    };

    const instanceIds = instancesToRead(partial);
    const candidates = vnicCandidates(partial);
    const [instances, vnics] = await Promise.all([
      readInstances(instanceIds, deps, call),
      readVnics(
        candidates.map((a) => a.vnicId!),
        deps,
        call,
      ),
    ]);
    report.scanned.instancesRead = instanceIds.length;
    report.scanned.vnicsRead = candidates.length;
    const snapshot: CollectorSnapshot = { ...partial, instances, vnics };

    const classification = classify(snapshot);
    report.healthy = classification.healthy;
    report.foreign = classification.foreign;
    for (const k of classification.kept)
      report.skipped.push({
        kind: k.kind,
        id: k.id,
        ...(k.ipAddress ? { ipAddress: k.ipAddress } : {}),
        reason: k.reason.code,
        message: k.reason.message,
      });
    const decision = decide(classification.orphans, stored.marks, snapshot.now, {
      gracePeriodSeconds: config.collect.gracePeriodSeconds,
      maxDeletions: config.collect.maxDeletionsPerRun,
      maxMarks: MAX_MARKS,
    });
    report.marked = decision.newlyMarked.map(reported);
    for (const s of decision.skipped)
      report.skipped.push({
        kind: s.kind,
        id: s.id,
        ...(s.ipAddress ? { ipAddress: s.ipAddress } : {}),
        reason: s.reason.code,
        message: s.reason.message,
      });

    const marks = { ...decision.marks };
    let failures = 0;
    if (decision.toDelete.length > 0) {
      // Never race a reconcile: take the lock of every owner whose objects are due (the node's, or before the node
      // exists the instance's: the keys reconcile and prewarm take) before looking at Kubernetes again, and delete
      // only under those locks what is still orphaned then. A reconcile between its observation and its pool write
      // holds its node's lock, so its new IPs are never taken for orphans.
      const owners = await lockOwners(decision.toDelete, ctx.lock);
      try {
        const fresh = classify({ ...snapshot, view: await readClusterView(deps, inventory) });
        const stillOrphaned = new Set(
          fresh.orphans.filter((o) => o.reason.code === decision.marks[o.id]?.reason).map((o) => o.id),
        );
        for (const o of decision.toDelete) {
          const skip = (code: string, message: string) =>
            report.skipped.push({
              kind: o.kind,
              id: o.id,
              ...(o.ipAddress ? { ipAddress: o.ipAddress } : {}),
              reason: code,
              message,
            });
          if (!owners.held.has(ownerLockKey(o))) {
            skip("OwnerLocked", `${ownerLockKey(o)} is being reconciled; looked at again on the next pass`);
            continue;
          }
          if (!stillOrphaned.has(o.id)) {
            delete marks[o.id];
            skip("NoLongerOrphaned", "a node owns it again since the pass began");
            continue;
          }
          if (budget.expired()) {
            skip("DeadlineReached", "the invocation deadline is near; left for the next pass");
            continue;
          }
          if (!(await remove(o, deps, call, callId, report))) {
            failures++;
            continue;
          }
          delete marks[o.id];
          report.deleted.push(reported(o));
          // The detach deleted the VNIC's IPs too: their marks go with it.
          if (o.kind === "vnic")
            for (const ip of classification.orphans)
              if (ip.kind === "privateIp" && ip.vnicId === o.vnicId) delete marks[ip.id];
        }
      } finally {
        await owners.release();
      }
    }
    report.recordsRemoved = await removeAbandonedRecords(view, deps, inventory, call, callId);
    report.expiredLocksDeleted = await deps.locks.deleteExpired();

    try {
      await marksStore.save(marks, stored.version);
      report.pendingMarks = Object.keys(marks).length;
    } catch (err) {
      if (!(err instanceof KubeConflictError)) throw err;
      // Another run saved meanwhile (it held an expired lock): its marks stand; ours are found again next time.
      log.warn({ callId, reason: err.reason }, "leak marks changed during the pass; keeping the other run's");
    }
    report.reason = {
      code: failures > 0 ? "DeletionsFailed" : "PassComplete",
      message:
        `${report.marked.length} orphans marked, ${report.deleted.length} ` +
        `deleted, ${report.pendingMarks} ` +
        `waiting${failures > 0 ? `, ${failures} deletions failed` : ""}`,
    };
  });
}

async function readClusterView(deps: ReconcileDeps, inventory: ClusterInventory): Promise<ClusterView> {
  const [nodes, ciliumNodes] = await Promise.all([inventory.listNodes(), deps.ciliumNodes.list()]);
  return { nodes, ciliumNodes: ciliumNodes.map(seenCiliumNode) };
}

function seenCiliumNode(cn: CiliumNodeView) {
  return {
    name: cn.name,
    pool: Object.keys(cn.ipam.pool),
    used: Object.keys(cn.ipam.used),
    inHandshake: Object.keys(cn.ipam.releaseIps),
  };
}

function seenAttachment(a: VnicAttachmentInfo) {
  return {
    id: a.id,
    instanceId: a.instanceId,
    lifecycleState: a.lifecycleState,
    ...(a.vnicId ? { vnicId: a.vnicId } : {}),
    ...(a.displayName ? { displayName: a.displayName } : {}),
  };
}

async function readInstances(
  ids: string[],
  deps: ReconcileDeps,
  call: CallOptions,
): Promise<Record<string, SeenInstance>> {
  const settled = await mapSettledLimit(ids, READ_CONCURRENCY, (id) =>
    deps.compute.getInstance(id, { ...call, notFoundIsGone: true }),
  );
  const out: Record<string, SeenInstance> = {};
  settled.forEach((s, i) => {
    if (s.status === "fulfilled")
      out[ids[i]!] = {
        lifecycleState: s.value.lifecycleState,
        ...(s.value.timeCreated ? { timeCreated: s.value.timeCreated } : {}),
      };
    else if (s.reason instanceof OciApiError && s.reason.notFound) out[ids[i]!] = "gone";
    else throw s.reason;
  });
  return out;
}

async function readVnics(ids: string[], deps: ReconcileDeps, call: CallOptions): Promise<Record<string, SeenVnic>> {
  const settled = await mapSettledLimit(ids, READ_CONCURRENCY, (id) =>
    deps.network.getVnic(id, { ...call, notFoundIsGone: true }),
  );
  const out: Record<string, SeenVnic> = {};
  settled.forEach((s, i) => {
    // A VNIC that vanished (404) between the list and the read is simply not a candidate.
    if (s.status === "fulfilled")
      out[ids[i]!] = { id: s.value.id, isPrimary: s.value.isPrimary, freeformTags: s.value.freeformTags };
    else if (!(s.reason instanceof OciApiError && s.reason.notFound)) throw s.reason;
  });
  return out;
}

/** Deletes an orphan; true when it is gone (deleted now, or already gone: 404). A failure is reported as skipped. */
async function remove(
  o: Orphan,
  deps: ReconcileDeps,
  call: CallOptions,
  callId: string,
  report: CollectionReport,
): Promise<boolean> {
  const operation = o.kind === "vnic" ? "DetachVnic" : "DeletePrivateIp";
  try {
    const gone = { ...call, notFoundIsGone: true };
    const done =
      o.kind === "vnic" ? await deps.compute.detachVnic(o.id, gone) : await deps.network.deletePrivateIp(o.id, gone);
    deps.log.info(
      {
        callId,
        action: "collect-leaks",
        operation,
        ...(o.ipAddress ? { ip: o.ipAddress } : {}),
        ...(o.vnicId ? { vnic: o.vnicId } : {}),
        node: o.node,
        instance: o.instanceId,
        reason: o.reason.code,
        opcRequestId: done.opcRequestId,
      },
      o.kind === "vnic" ? "orphaned VNIC detached" : "orphaned private IP deleted",
    );
    return true;
  } catch (err) {
    if (err instanceof OciApiError && err.notFound) return true;
    const e = err instanceof OciApiError ? err : undefined;
    deps.log.warn(
      {
        callId,
        action: "collect-leaks",
        operation,
        id: o.id,
        reason: e?.reason,
        statusCode: e?.statusCode,
        serviceCode: e?.serviceCode,
        opcRequestId: e?.opcRequestId,
      },
      err instanceof Error ? err.message : String(err),
    );
    report.skipped.push({
      kind: o.kind,
      id: o.id,
      ...(o.ipAddress ? { ipAddress: o.ipAddress } : {}),
      reason: e?.reason ?? "OciCallFailed",
      message: err instanceof Error ? err.message : String(err),
    });
    return false;
  }
}

/** The lock an orphan's owner is reconciled under: its node's, or, for a prewarm's object, its instance's. */
function ownerLockKey(o: Orphan): string {
  return o.node ? o.node : instanceLockKey(o.instanceId ?? o.id);
}

/** Takes the owner locks of the objects due for deletion (each once); those another invocation holds are left out. */
async function lockOwners(
  due: readonly Orphan[],
  lock: (key: string) => Promise<LockHandle | undefined>,
): Promise<{ held: Set<string>; release: () => Promise<void> }> {
  const keys = [...new Set(due.map(ownerLockKey))].sort();
  const handles = await mapSettledLimit(keys, READ_CONCURRENCY, (key) => lock(key));
  const held = new Set<string>();
  const locks: LockHandle[] = [];
  handles.forEach((h, i) => {
    if (h.status === "fulfilled" && h.value) {
      held.add(keys[i]!);
      locks.push(h.value);
    }
  });
  return { held, release: async () => void (await Promise.all(locks.map((l) => l.release().catch(() => undefined)))) };
}

/**
 * OciIpamNode records nothing will clean up otherwise: neither their Node nor their instance exists any more
 * (Kubernetes
 * deletes a record with its Node through the record's ownerReference; this catches records written before that, or
 * whose owner was never set). One GetInstance per record without a Node; capped per pass like deletions.
 */
async function removeAbandonedRecords(
  view: ClusterView,
  deps: ReconcileDeps,
  inventory: ClusterInventory,
  call: CallOptions,
  callId: string,
): Promise<string[]> {
  const nodes = new Set(view.nodes.map((n) => n.name));
  const candidates = (await inventory.listRecords())
    .filter((r) => !nodes.has(r.name))
    .slice(0, deps.config.collect.maxDeletionsPerRun);
  const removed: string[] = [];
  for (const r of candidates) {
    let gone = !r.instanceId;
    if (!gone) {
      try {
        const instance = await deps.compute.getInstance(r.instanceId, { ...call, notFoundIsGone: true });
        gone = instance.lifecycleState === "TERMINATED";
      } catch (err) {
        if (!(err instanceof OciApiError && err.notFound)) throw err;
        gone = true;
      }
    }
    if (!gone) continue;
    await deps.records.remove(r.name);
    removed.push(r.name);
    deps.log.info(
      { callId, action: "collect-leaks", node: r.name, instance: r.instanceId },
      "OciIpamNode record removed: neither its Node nor its instance exists",
    );
  }
  return removed;
}

function reported(o: Orphan): ReportedObject {
  return {
    kind: o.kind,
    id: o.id,
    reason: o.reason.code,
    ...(o.ipAddress ? { ipAddress: o.ipAddress } : {}),
    ...(o.vnicId ? { vnicId: o.vnicId } : {}),
    ...(o.node ? { node: o.node } : {}),
    ...(o.instanceId ? { instanceId: o.instanceId } : {}),
  };
}
