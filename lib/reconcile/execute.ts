import type { AllocationIp, AttachVnicAction, Plan, ReleaseStatus } from "../core/model";
import { attachmentDisplayName, ownershipTags } from "../core/ownership";
import { sortPool } from "../core/pool";
import { deriveRetryToken } from "../core/retry-token";
import type { PrivateIpInfo, VnicAttachmentInfo } from "../ports/oci";
import { KubeConflictError } from "../ports/kube-errors";
import { OciApiError } from "../ports/oci-errors";
import type { TimeBudget } from "./deadline";
import type { ReconcileDeps } from "./deps";
import { mapSettledLimit } from "./map-limit";
import type { Observation } from "./observe";

export interface Execution {
  created: Array<PrivateIpInfo & { vnicId: string }>;
  released: string[];
  attached: VnicAttachmentInfo[];
  /** Attachments this execution created (as opposed to ones it only waited for). */
  attachmentsStarted: number;
  /** An attachment still ATTACHING when time ran out: the next run continues with it. */
  pendingAttachment?: { attachmentId: string; since: string };
  failures: OciApiError[];
  /** The CiliumNode's resourceVersion after this execution's writes. */
  resourceVersion: string;
  wrotePool: boolean;
  wroteReleaseStatus: boolean;
  /**
   * Set when a CiliumNode write found the object changed since it was read (409): execution stopped there, and what
   * was already done in OCI (created, released, attached) is still reported, for the caller to count, record, re-read
   * and re-plan. Nothing it did is lost: created IPs are tagged and adopted by the re-plan, and a deleted IP whose
   * `released` was not written is completed from OCI's state.
   */
  conflict?: KubeConflictError;
}

/**
 * Carries out a plan's actions in order against OCI and Kubernetes. OCI failures of single IPs are recorded and the
 * rest goes on (what was created is written to the pool, so nothing leaks); a Kubernetes conflict stops the execution
 * and is returned in `conflict` together with what was already done, for the caller to re-read and re-plan. Status is
 * written before the pool, as Cilium does.
 */
export async function executePlan(plan: Plan, observation: Observation, deps: ReconcileDeps, budget: TimeBudget, callId: string): Promise<Execution> {
  const { config, log } = deps;
  const node = plan.node;
  const cluster = config.planner.clusterName;
  const call = { deadline: budget.workDeadline };
  // An empty node name is a prewarm (lib/reconcile/prewarm.ts): the objects carry the instance tag only, and the node
  // that later runs on the instance adopts them.
  const tags = ownershipTags(cluster, node || undefined, plan.instanceId);
  const ipDisplayName = node ? `ocipam ${node}` : `ocipam ${plan.instanceId}`;
  const logBase = { node, instance: plan.instanceId, callId };
  const result: Execution = { created: [], released: [], attached: [], attachmentsStarted: 0, failures: [], resourceVersion: observation.ciliumNode.resourceVersion, wrotePool: false, wroteReleaseStatus: false };
  const deletedOk = new Set<string>();
  // Addresses whose `released` entry is in status.ipam.release-ips (as read, then as this execution writes it).
  let releasedInStatus = new Set(Object.entries(observation.ciliumNode.ipam.releaseIps).filter(([, s]) => s === "released").map(([ip]) => ip));

  const createIps = async (vnicId: string, tokens: string[]) => {
    const settled = await mapSettledLimit(tokens, config.createConcurrency, async (retryToken) => {
      if (budget.expired()) throw new OciApiError("CreatePrivateIp", "not started: the invocation deadline is near", {});
      return deps.network.createPrivateIp({ vnicId, displayName: ipDisplayName, freeformTags: tags, retryToken }, call);
    });
    for (const s of settled) {
      if (s.status === "fulfilled") {
        result.created.push({ ...s.value.value, vnicId });
        log.info({ ...logBase, vnic: vnicId, operation: "CreatePrivateIp", ip: s.value.value.ipAddress, privateIpId: s.value.value.id, opcRequestId: s.value.opcRequestId }, "private IP created");
      } else {
        recordFailure(s.reason, { vnic: vnicId, operation: "CreatePrivateIp" });
      }
    }
  };

  const recordFailure = (err: unknown, fields: Record<string, unknown>) => {
    const failure = err instanceof OciApiError ? err : new OciApiError(String(fields.operation ?? "oci"), err instanceof Error ? err.message : String(err), {}, { cause: err });
    result.failures.push(failure);
    log.warn({ ...logBase, ...fields, reason: failure.reason, statusCode: failure.statusCode, serviceCode: failure.serviceCode, opcRequestId: failure.opcRequestId }, failure.message);
  };

  for (const action of plan.actions) {
    switch (action.kind) {
      case "releaseIps": {
        const settled = await mapSettledLimit(action.ips, config.createConcurrency, (ip) => deps.network.deletePrivateIp(ip.privateIpId, call));
        settled.forEach((s, i) => {
          const ip = action.ips[i]!;
          if (s.status === "fulfilled") {
            deletedOk.add(ip.ipAddress);
            result.released.push(ip.ipAddress);
            log.info({ ...logBase, vnic: action.vnicId, operation: "DeletePrivateIp", ip: ip.ipAddress, privateIpId: ip.privateIpId, opcRequestId: s.value.opcRequestId }, "private IP released");
          } else if (s.reason instanceof OciApiError && s.reason.notFound) {
            deletedOk.add(ip.ipAddress); // already gone: the handshake may complete
          } else {
            recordFailure(s.reason, { vnic: action.vnicId, operation: "DeletePrivateIp", ip: ip.ipAddress });
          }
        });
        break;
      }
      case "markForRelease":
        break; // carried by the status write that follows
      case "writeReleaseStatus": {
        const planned = action.releaseIps;
        const next: Record<string, ReleaseStatus> = {};
        for (const [ip, status] of Object.entries(planned)) {
          // `released` only for IPs whose delete succeeded in this run or an earlier one.
          const releasedNow = status === "released" && observation.observed.ciliumNode.releaseIps[ip] !== "released";
          const deletedEarlier = !observation.observed.vnics.some((v) => v.privateIps.some((p) => p.ipAddress === ip));
          next[ip] = releasedNow && !deletedOk.has(ip) && !deletedEarlier ? "ready-for-release" : status;
        }
        const written = await guarded(() => deps.ciliumNodes.writeReleaseStatus(node, result.resourceVersion, next, observation.ciliumNode.ipam.releaseIps));
        if (written === undefined) return result;
        result.resourceVersion = written;
        result.wroteReleaseStatus = true;
        releasedInStatus = new Set(Object.entries(next).filter(([, s]) => s === "released").map(([ip]) => ip));
        break;
      }
      case "assignIps":
        await createIps(action.vnicId, action.retryTokens);
        break;
      case "awaitAttachment": {
        const done = await waitForAttachment(action.attachmentId, deps, budget);
        if (done.lifecycleState === "ATTACHED") result.attached.push(done);
        else result.pendingAttachment = { attachmentId: action.attachmentId, since: done.timeCreated ?? deps.now().toISOString() };
        break;
      }
      case "attachVnic": {
        if (result.pendingAttachment || budget.expired()) break;
        await attachAndFill(action);
        break;
      }
      case "writePool": {
        const pool: Record<string, AllocationIp> = { ...action.pool };
        for (const ip of result.created) {
          if (releasedInStatus.has(ip.ipAddress)) {
            // OCI gave a just-released address to a new IP while the agent still holds its `released` entry. The
            // agent drops that entry only once the address has left the pool (crd.go), so the new IP joins the pool
            // on a later run (rebuildPool), after the handshake is over: never an address the agent considers gone.
            log.info({ ...logBase, vnic: ip.vnicId, ip: ip.ipAddress, privateIpId: ip.id }, "new IP reuses an address still released in status; it joins the pool once the agent drops the entry");
            continue;
          }
          pool[ip.ipAddress] = { resource: ip.vnicId };
        }
        for (const ip of deletedOk) delete pool[ip];
        const written = await guarded(() => deps.ciliumNodes.writePool(node, result.resourceVersion, sortPool(pool), observation.ciliumNode.ipam.pool, action.preAllocate));
        if (written === undefined) return result;
        result.resourceVersion = written;
        result.wrotePool = true;
        break;
      }
    }
  }
  return result;

  /** A CiliumNode write; on 409 the conflict is kept in the result and undefined tells the loop to stop. */
  async function guarded(write: () => Promise<string>): Promise<string | undefined> {
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof KubeConflictError)) throw err;
      result.conflict = err;
      return undefined;
    }
  }

  async function attachAndFill(action: AttachVnicAction): Promise<void> {
    let attachment: VnicAttachmentInfo;
    try {
      const started = await deps.compute.attachVnic({
        instanceId: plan.instanceId, subnetId: action.subnetId, nsgIds: action.nsgIds,
        displayName: attachmentDisplayName(cluster, node || undefined, plan.instanceId), freeformTags: tags, retryToken: action.retryToken,
      }, call);
      attachment = started.value;
      result.attachmentsStarted++;
      log.info({ ...logBase, operation: "AttachVnic", attachmentId: attachment.id, subnet: action.subnetId, opcRequestId: started.opcRequestId }, "VNIC attachment started");
    } catch (err) {
      recordFailure(err, { operation: "AttachVnic", subnet: action.subnetId });
      return;
    }
    if (attachment.lifecycleState !== "ATTACHED" || !attachment.vnicId) attachment = await waitForAttachment(attachment.id, deps, budget, attachment);
    if (attachment.lifecycleState !== "ATTACHED" || !attachment.vnicId) {
      result.pendingAttachment = { attachmentId: attachment.id, since: attachment.timeCreated ?? deps.now().toISOString() };
      return;
    }
    result.attached.push(attachment);
    log.info({ ...logBase, vnic: attachment.vnicId, attachmentId: attachment.id }, "VNIC attached");
    const vnicId = attachment.vnicId;
    const tokens = Array.from({ length: action.thenAssign }, (_, i) =>
      deriveRetryToken({ cluster, node, instanceId: plan.instanceId, operation: "createPrivateIp", target: vnicId, observationDigest: attachment.id, ordinal: i }));
    await createIps(vnicId, tokens);
  }
}

/**
 * Polls an attachment until it leaves ATTACHING or the work deadline comes; at the deadline it answers with the
 * last state seen (ATTACHING), so the caller records the attachment for the next run instead of failing.
 */
export async function waitForAttachment(attachmentId: string, deps: ReconcileDeps, budget: TimeBudget, initial?: VnicAttachmentInfo): Promise<VnicAttachmentInfo> {
  let last = initial;
  for (;;) {
    try {
      last = await deps.compute.getVnicAttachment(attachmentId, { deadline: budget.workDeadline });
    } catch (err) {
      if (last && err instanceof OciApiError && err.reason === "OciDeadlineExceeded") return last;
      throw err;
    }
    if (last.lifecycleState !== "ATTACHING" || budget.remainingMs() < deps.config.attachPollMs) return last;
    await deps.sleep(deps.config.attachPollMs);
  }
}
