import { missingPoolAddresses, poolAfterExecution, releaseStatusAfterDeletes } from "../core/execution-outcome";
import { blockAddresses } from "../core/blocks/cidr";
import { isBlock } from "../core/blocks/held";
import type {
  AllocationIp,
  AssignBlocksAction,
  AttachVnicAction,
  BlockRequest,
  Plan,
  ReleaseBlocksAction,
  ReleaseStatus,
} from "../core/model";
import { attachmentDisplayName, ownershipTags } from "../core/ownership";
import { freshRetryToken } from "../core/retry-token";
import type { OciBulkNetwork, PrivateIpInfo, VnicAttachmentInfo, WorkRequestOutcome } from "../ports/oci";
import { KubeConflictError } from "../ports/kube-errors";
import { OciApiError, OciDeadlineError } from "../ports/oci-errors";
import type { TimeBudget } from "./deadline";
import type { ReconcileDeps } from "./deps";
import { mapSettledLimit } from "./map-limit";
import type { Observation } from "./observe";
import type { UsedAddresses } from "./used-addresses";

export interface Execution {
  created: Array<PrivateIpInfo & { vnicId: string }>;
  /** IP CIDR blocks created, each with how many of its addresses the plan offers in the pool. */
  createdBlocks: Array<PrivateIpInfo & { vnicId: string; offer: number }>;
  /** IP CIDR blocks deleted (`first/prefix`). */
  releasedBlocks: string[];
  /**
   * VNICs OCI refused another private-IP object on (400 LimitExceeded: the tenancy's per-VNIC limit is below the
   * configured one): full for this round, reported as AtCapacity with the reason, never retried in a loop.
   */
  vnicsFull: Array<{ vnicId: string; message: string }>;
  /** Subnets that answered 409 IncorrectState (UPDATING after a first IP CIDR address): the next round waits. */
  subnetsUpdating: string[];
  /** Blocks whose every candidate another allocator took first (409 Conflict): the next round re-places them. */
  blocksUnplaced: number;
  released: string[];
  attached: VnicAttachmentInfo[];
  /** Attachments this execution created (as opposed to ones it only waited for). */
  attachmentsStarted: number;
  /** Prewarmed IPs and VNICs that now carry the node's tag. */
  adopted: number;
  /** An attachment still ATTACHING when time ran out: the next run continues with it. */
  pendingAttachment?: { attachmentId: string; since: string };
  failures: OciApiError[];
  /** Addresses a release would have deleted but that an agent reports as used: kept, and the handshake re-plans. */
  refusedInUse: Array<{ ipAddress: string; usedBy: string }>;
  /** Pool addresses OCI no longer had when the written pool was checked: the caller re-plans to drop them. */
  poolMissing: string[];
  /** The invocation's deadline came before every planned call could start. */
  deadlineReached: boolean;
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

/** What an execution needs besides the plan: time, the invocation's id, and the per-invocation used-address check. */
export interface ExecutionContext {
  budget: TimeBudget;
  callId: string;
  /** Checked before every DeletePrivateIp; absent only where the plan can delete nothing (a prewarm). */
  usedAddresses?: UsedAddresses;
}

/**
 * Carries out a plan's actions in order against OCI and Kubernetes; it decides nothing (what the writes become after
 * OCI's answers is lib/core/execution-outcome.ts). OCI failures of single IPs are recorded and the rest goes on (what
 * was created is written to the pool, so nothing leaks); a Kubernetes conflict stops the execution and is returned in
 * `conflict` together with what was already done, for the caller to re-read and re-plan. Status is written before the
 * pool, as Cilium does. Two guards hold whatever the plan says: an address any agent reports as used is never deleted,
 * and a written pool is checked against OCI so that an address deleted meanwhile is never left on offer.
 */
export async function executePlan(
  plan: Plan,
  observation: Observation,
  deps: ReconcileDeps,
  context: ExecutionContext,
): Promise<Execution> {
  const { config, log } = deps;
  const { budget, callId } = context;
  const node = plan.node;
  const cluster = config.planner.clusterName;
  const call = { deadline: budget.workDeadline };
  // An empty node name is a prewarm (lib/reconcile/prewarm.ts): the objects carry the instance tag only, and the node
  // that later runs on the instance adopts them.
  const tags = ownershipTags(cluster, node || undefined, plan.instanceId);
  const ipDisplayName = node ? `ocipam ${node}` : `ocipam ${plan.instanceId}`;
  const logBase = { node, instance: plan.instanceId, callId };
  const result: Execution = {
    created: [],
    createdBlocks: [],
    releasedBlocks: [],
    vnicsFull: [],
    subnetsUpdating: [],
    blocksUnplaced: 0,
    released: [],
    attached: [],
    attachmentsStarted: 0,
    adopted: 0,
    failures: [],
    refusedInUse: [],
    poolMissing: [],
    deadlineReached: false,
    resourceVersion: observation.ciliumNode.resourceVersion,
    wrotePool: false,
    wroteReleaseStatus: false,
  };
  const deletedOk = new Set<string>();
  // Addresses whose `released` entry is in status.ipam.release-ips (as read, then as this execution writes it).
  let releasedInStatus = releasedIn(observation.ciliumNode.ipam.releaseIps);

  const createIp = async (
    vnicId: string,
    retryToken: string,
    block?: { ipAddress: string; cidrPrefixLength: number },
  ) => {
    const request = { vnicId, displayName: ipDisplayName, freeformTags: tags, retryToken, ...(block ?? {}) };
    try {
      return await deps.network.createPrivateIp(request, call);
    } catch (err) {
      if (!(err instanceof OciApiError && err.retryTokenRefused)) throw err;
      // The token named a request OCI can no longer replay (its object was deleted, or it was used for another body):
      // once, as a new request.
      const fresh = freshRetryToken(retryToken, callId);
      log.info(
        {
          ...logBase,
          vnic: vnicId,
          operation: "CreatePrivateIp",
          serviceCode: err.serviceCode,
          opcRequestId: err.opcRequestId,
        },
        "retry token refused by OCI; retrying once with a fresh token",
      );
      return deps.network.createPrivateIp({ ...request, retryToken: fresh }, call);
    }
  };

  const createIps = async (vnicId: string, tokens: string[]) => {
    const bulk = deps.network as Partial<OciBulkNetwork>;
    if (config.useBulkCreate && tokens.length > 1 && bulk.bulkCreatePrivateIps && bulk.waitForWorkRequest) {
      if (await createIpsInBulk(vnicId, tokens, bulk as OciBulkNetwork)) return;
    }
    const settled = await mapSettledLimit(tokens, config.createConcurrency, async (retryToken) => {
      if (budget.expired())
        throw new OciDeadlineError("CreatePrivateIp", "not started: the invocation deadline is near");
      return createIp(vnicId, retryToken);
    });
    for (const s of settled) {
      if (s.status === "fulfilled") {
        result.created.push({ ...s.value.value, vnicId });
        log.info(
          {
            ...logBase,
            vnic: vnicId,
            operation: "CreatePrivateIp",
            ip: s.value.value.ipAddress,
            privateIpId: s.value.value.id,
            opcRequestId: s.value.opcRequestId,
          },
          "private IP created",
        );
      } else {
        recordFailure(s.reason, { vnic: vnicId, operation: "CreatePrivateIp" });
      }
    }
  };

  /**
   * OCIPAM_USE_BULK_CREATE: one BulkCreatePrivateIps for the VNIC's IPs, its work request awaited within the deadline,
   * then one ListPrivateIps to learn the new addresses (the work request lists only OCIDs). What the work request
   * created is recorded even when it FAILED or was CANCELED (tagged, so nothing leaks: the pool takes it), and the
   * failure is recorded with its errors. The deadline coming first is not a failure: the next observation sees the
   * IPs. False when OCI refused the token (the caller then creates one by one).
   */
  const createIpsInBulk = async (vnicId: string, tokens: string[], bulk: OciBulkNetwork): Promise<boolean> => {
    const fields = { ...logBase, vnic: vnicId, operation: "BulkCreatePrivateIps" };
    if (budget.expired()) {
      result.deadlineReached = true;
      return true;
    }
    // Deterministic from the IPs' own tokens, so a duplicated invocation sends the same request.
    const retryToken = freshRetryToken(tokens[0]!, `bulk-${tokens.length}`);
    const items = tokens.map(() => ({ displayName: ipDisplayName, freeformTags: tags }));
    let workRequestId: string;
    try {
      const started = await bulk.bulkCreatePrivateIps({ vnicId, items, retryToken }, call);
      workRequestId = started.value.workRequestId;
      log.info(
        { ...fields, workRequestId, count: items.length, opcRequestId: started.opcRequestId },
        "bulk create started",
      );
    } catch (err) {
      if (err instanceof OciApiError && err.retryTokenRefused) return false;
      recordFailure(err, fields);
      return true;
    }
    let outcome: WorkRequestOutcome;
    try {
      outcome = await bulk.waitForWorkRequest(workRequestId, budget.workDeadline);
    } catch (err) {
      recordFailure(err, { ...fields, workRequestId });
      return true;
    }
    const ids = new Set(
      outcome.resources.filter((r) => r.entityType.toLowerCase() === "privateip").map((r) => r.identifier),
    );
    if (ids.size > 0) {
      try {
        for (const ip of await deps.network.listPrivateIps(vnicId, call)) {
          if (!ids.has(ip.id)) continue;
          result.created.push({ ...ip, vnicId });
          log.info({ ...fields, ip: ip.ipAddress, privateIpId: ip.id, workRequestId }, "private IP created");
        }
      } catch (err) {
        recordFailure(err, { ...fields, workRequestId });
      }
    }
    if (outcome.status !== "SUCCEEDED") {
      const errors = outcome.errors.map((e) => `${e.code}: ${e.message}`).join("; ") || "no errors listed";
      recordFailure(
        new OciApiError(
          "BulkCreatePrivateIps",
          `work request ${workRequestId} ${outcome.status} after ${ids.size} of ${items.length} IPs (${errors})`,
          {},
        ),
        { ...fields, workRequestId },
      );
    }
    return true;
  };

  /**
   * One IP CIDR block: its candidates in the planned order, each with its own retry token. 409 Conflict (another
   * allocator, or an address OCI handed out since the inventory was read, holds part of it) moves to the next
   * candidate; 400 LimitExceeded marks the VNIC full for the round; 409 IncorrectState (the subnet is UPDATING, still
   * so after the adapter's retries) stops creates in that subnet for the round. Neither is a failure of the node.
   */
  const full = new Set<string>();
  const updatingSubnets = new Set<string>();
  const createBlock = async (
    vnicId: string,
    subnetId: string | undefined,
    prefixLength: number,
    block: BlockRequest,
  ) => {
    for (let i = 0; i < block.candidates.length; i++) {
      if (full.has(vnicId) || (subnetId && updatingSubnets.has(subnetId))) return;
      if (budget.expired()) {
        result.deadlineReached = true;
        return;
      }
      const ipAddress = block.candidates[i]!;
      const fields = { ...logBase, vnic: vnicId, operation: "CreatePrivateIp", ip: `${ipAddress}/${prefixLength}` };
      try {
        const done = await createIp(vnicId, block.retryTokens[i]!, { ipAddress, cidrPrefixLength: prefixLength });
        result.createdBlocks.push({
          ...done.value,
          vnicId,
          offer: block.offer,
          cidrPrefixLength: done.value.cidrPrefixLength ?? prefixLength,
        });
        log.info(
          { ...fields, privateIpId: done.value.id, opcRequestId: done.opcRequestId, offer: block.offer },
          "IP CIDR block created",
        );
        return;
      } catch (err) {
        if (!(err instanceof OciApiError) || err instanceof OciDeadlineError) return recordFailure(err, fields);
        const logged = {
          ...fields,
          statusCode: err.statusCode,
          serviceCode: err.serviceCode,
          opcRequestId: err.opcRequestId,
        };
        if (err.statusCode === 409 && err.serviceCode === "Conflict" && !err.retryTokenRefused) {
          log.info(logged, "block taken by another allocation; trying the next candidate");
          continue;
        }
        if (err.statusCode === 400 && err.serviceCode === "LimitExceeded") {
          full.add(vnicId);
          result.vnicsFull.push({ vnicId, message: err.message });
          log.warn(logged, "OCI refused another private-IP object on this VNIC: full for this round");
          return;
        }
        if (err.statusCode === 409 && err.serviceCode === "IncorrectState") {
          if (subnetId) updatingSubnets.add(subnetId);
          result.subnetsUpdating.push(subnetId ?? vnicId);
          log.info(logged, "the subnet is UPDATING: its blocks wait for the next round");
          return;
        }
        return recordFailure(err, fields);
      }
    }
    result.blocksUnplaced++;
    log.info(
      { ...logBase, vnic: vnicId, candidates: block.candidates },
      "every candidate of a block was taken; the next round re-places it",
    );
  };

  const createBlocks = async (
    vnicId: string,
    subnetId: string | undefined,
    prefixLength: number,
    blocks: BlockRequest[],
  ) => {
    await mapSettledLimit(blocks, config.createConcurrency, (b) => createBlock(vnicId, subnetId, prefixLength, b));
  };

  /** A block goes only when no agent reports any of its addresses as used (checked address by address). */
  const deleteBlocks = async (action: ReleaseBlocksAction) => {
    await mapSettledLimit(action.blocks, config.createConcurrency, async (b) => {
      const cidr = `${b.ipAddress}/${b.prefixLength}`;
      for (const address of blockAddresses(b.ipAddress, b.prefixLength)) {
        const usedBy = await context.usedAddresses?.usedBy(address);
        if (usedBy === undefined) continue;
        result.refusedInUse.push({ ipAddress: address, usedBy });
        log.warn(
          { ...logBase, vnic: b.vnicId, ip: address, block: cidr, usedBy },
          `block ${cidr} not deleted: the agent of ${usedBy} reports ${address} as used`,
        );
        return;
      }
      if (!context.usedAddresses) {
        // Without the check a block is never deleted (a prewarm plans no release).
        log.warn(
          { ...logBase, vnic: b.vnicId, block: cidr },
          "block not deleted: no used-address check in this invocation",
        );
        return;
      }
      try {
        const done = await deps.network.deletePrivateIp(b.privateIpId, { ...call, notFoundIsGone: true });
        result.releasedBlocks.push(cidr);
        log.info(
          {
            ...logBase,
            vnic: b.vnicId,
            operation: "DeletePrivateIp",
            block: cidr,
            privateIpId: b.privateIpId,
            opcRequestId: done.opcRequestId,
          },
          "IP CIDR block released",
        );
      } catch (err) {
        if (err instanceof OciApiError && err.notFound) result.releasedBlocks.push(cidr);
        else if (err instanceof OciApiError && err.statusCode === 409 && err.serviceCode === "IncorrectState")
          result.subnetsUpdating.push(b.vnicId);
        else recordFailure(err, { vnic: b.vnicId, operation: "DeletePrivateIp", block: cidr });
      }
    });
  };

  const recordFailure = (err: unknown, fields: Record<string, unknown>) => {
    if (err instanceof OciDeadlineError) {
      // Out of time is not a failure of OCI: the next nudge continues (reported as DeadlineReached).
      result.deadlineReached = true;
      return;
    }
    const failure =
      err instanceof OciApiError
        ? err
        : new OciApiError(
            String(fields.operation ?? "oci"),
            err instanceof Error ? err.message : String(err),
            {},
            { cause: err },
          );
    result.failures.push(failure);
    log.warn(
      {
        ...logBase,
        ...fields,
        reason: failure.reason,
        statusCode: failure.statusCode,
        serviceCode: failure.serviceCode,
        opcRequestId: failure.opcRequestId,
      },
      failure.message,
    );
  };

  const deleteReleased = async (ip: { ipAddress: string; privateIpId: string }, vnicId: string) => {
    const usedBy = await context.usedAddresses?.usedBy(ip.ipAddress);
    if (usedBy !== undefined) {
      result.refusedInUse.push({ ipAddress: ip.ipAddress, usedBy });
      log.warn(
        { ...logBase, vnic: vnicId, ip: ip.ipAddress, privateIpId: ip.privateIpId, usedBy },
        `not deleted: the agent of ${usedBy} reports ${ip.ipAddress} as used`,
      );
      return;
    }
    try {
      const done = await deps.network.deletePrivateIp(ip.privateIpId, { ...call, notFoundIsGone: true });
      deletedOk.add(ip.ipAddress);
      result.released.push(ip.ipAddress);
      log.info(
        {
          ...logBase,
          vnic: vnicId,
          operation: "DeletePrivateIp",
          ip: ip.ipAddress,
          privateIpId: ip.privateIpId,
          opcRequestId: done.opcRequestId,
        },
        "private IP released",
      );
    } catch (err) {
      if (err instanceof OciApiError && err.notFound)
        deletedOk.add(ip.ipAddress); // already gone: the handshake may complete
      else recordFailure(err, { vnic: vnicId, operation: "DeletePrivateIp", ip: ip.ipAddress });
    }
  };

  for (const action of plan.actions) {
    switch (action.kind) {
      case "adoptObjects": {
        const updates = [
          ...action.vnics.map((v) => async () => {
            const done = await deps.network.updateVnicTags(v.vnicId, v.freeformTags, call);
            log.info(
              { ...logBase, vnic: v.vnicId, operation: "UpdateVnic", opcRequestId: done.opcRequestId },
              "prewarmed VNIC tagged for the node",
            );
          }),
          ...action.privateIps.map((ip) => async () => {
            const done = await deps.network.updatePrivateIpTags(ip.privateIpId, ip.freeformTags, call);
            log.info(
              {
                ...logBase,
                operation: "UpdatePrivateIp",
                ip: ip.ipAddress,
                privateIpId: ip.privateIpId,
                opcRequestId: done.opcRequestId,
              },
              "prewarmed private IP tagged for the node",
            );
          }),
        ];
        const settled = await mapSettledLimit(updates, config.createConcurrency, (update) => update());
        for (const s of settled) {
          if (s.status === "fulfilled") result.adopted++;
          else recordFailure(s.reason, { operation: "adopt" });
        }
        break;
      }
      case "releaseIps":
        await mapSettledLimit(action.ips, config.createConcurrency, (ip) => deleteReleased(ip, action.vnicId));
        break;
      case "releaseBlocks":
        await deleteBlocks(action);
        break;
      case "assignBlocks":
        await assignBlocks(action);
        break;
      case "markForRelease":
        break; // carried by the status write that follows
      case "writeReleaseStatus": {
        // Single-address objects only: a block's first address is its object's, but a block address is never deleted
        // alone.
        const observedAddresses = new Set(
          observation.observed.vnics.flatMap((v) => v.privateIps.filter((p) => !isBlock(p)).map((p) => p.ipAddress)),
        );
        const next = releaseStatusAfterDeletes(
          action.releaseIps,
          observation.observed.ciliumNode.releaseIps,
          deletedOk,
          observedAddresses,
        );
        const written = await guarded(() =>
          deps.ciliumNodes.writeReleaseStatus(
            node,
            result.resourceVersion,
            next,
            observation.ciliumNode.ipam.releaseIps,
          ),
        );
        if (written === undefined) return result;
        result.resourceVersion = written;
        result.wroteReleaseStatus = true;
        releasedInStatus = releasedIn(next);
        break;
      }
      case "assignIps":
        await createIps(action.vnicId, action.retryTokens);
        break;
      case "awaitAttachment": {
        const done = await waitForAttachment(action.attachmentId, deps, budget);
        if (done.lifecycleState === "ATTACHED") result.attached.push(done);
        else
          result.pendingAttachment = {
            attachmentId: action.attachmentId,
            since: done.timeCreated ?? deps.now().toISOString(),
          };
        break;
      }
      case "attachVnic": {
        if (result.pendingAttachment) break;
        if (budget.expired()) {
          result.deadlineReached = true;
          break;
        }
        await attachAndFill(action);
        break;
      }
      case "writePool": {
        const { pool, heldBack } = poolAfterExecution(
          action.pool,
          result.created,
          deletedOk,
          releasedInStatus,
          result.createdBlocks,
        );
        for (const ip of heldBack)
          log.info(
            { ...logBase, ip },
            "new IP reuses an address still released in status; it joins the pool once the agent drops the entry",
          );
        const written = await guarded(() =>
          deps.ciliumNodes.writePool(
            node,
            result.resourceVersion,
            pool,
            observation.ciliumNode.ipam.pool,
            action.preAllocate,
          ),
        );
        if (written === undefined) return result;
        result.resourceVersion = written;
        result.wrotePool = true;
        result.poolMissing = await checkPoolInOci(pool);
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

  /**
   * Re-lists the IPs of every VNIC the written pool names: anything may have deleted one since the observation (an
   * operator, another tool). One paged list per VNIC, not per address. A VNIC that is gone (404) has no addresses.
   */
  async function checkPoolInOci(pool: Record<string, AllocationIp>): Promise<string[]> {
    const vnicIds = [
      ...new Set(
        Object.values(pool)
          .map((e) => e.resource)
          .filter((r): r is string => !!r),
      ),
    ].sort();
    const present = new Map<string, Set<string>>();
    // A VNIC that is gone answers 404: no addresses, not something to wait out.
    const listIps = (id: string) => deps.network.listPrivateIps(id, { ...call, notFoundIsGone: true });
    const settled = await mapSettledLimit(vnicIds, config.createConcurrency, listIps);
    settled.forEach((s, i) => {
      // An IP CIDR address holds every address of its block.
      if (s.status === "fulfilled")
        present.set(
          vnicIds[i]!,
          new Set(
            s.value.flatMap((ip) =>
              isBlock(ip) ? blockAddresses(ip.ipAddress, ip.cidrPrefixLength!) : [ip.ipAddress],
            ),
          ),
        );
      else if (s.reason instanceof OciApiError && s.reason.notFound) present.set(vnicIds[i]!, new Set());
      else
        log.warn(
          { ...logBase, vnic: vnicIds[i], err: String(s.reason) },
          "could not check the written pool against OCI; the next round observes it again",
        );
    });
    const missing = missingPoolAddresses(pool, present);
    if (missing.length > 0)
      log.warn({ ...logBase, missing }, `${missing.length} pool addresses no longer exist in OCI: re-planning`);
    return missing;
  }

  async function attachAndFill(action: AttachVnicAction): Promise<void> {
    let attachment: VnicAttachmentInfo;
    try {
      const started = await deps.compute.attachVnic(
        {
          instanceId: plan.instanceId,
          subnetId: action.subnetId,
          nsgIds: action.nsgIds,
          displayName: attachmentDisplayName(cluster, node || undefined, plan.instanceId),
          freeformTags: tags,
          retryToken: action.retryToken,
        },
        call,
      );
      attachment = started.value;
      result.attachmentsStarted++;
      log.info(
        {
          ...logBase,
          operation: "AttachVnic",
          attachmentId: attachment.id,
          subnet: action.subnetId,
          opcRequestId: started.opcRequestId,
        },
        "VNIC attachment started",
      );
    } catch (err) {
      recordFailure(err, { operation: "AttachVnic", subnet: action.subnetId });
      return;
    }
    if (attachment.lifecycleState !== "ATTACHED" || !attachment.vnicId)
      attachment = await waitForAttachment(attachment.id, deps, budget, attachment);
    if (attachment.lifecycleState !== "ATTACHED" || !attachment.vnicId) {
      result.pendingAttachment = {
        attachmentId: attachment.id,
        since: attachment.timeCreated ?? deps.now().toISOString(),
      };
      return;
    }
    result.attached.push(attachment);
    log.info({ ...logBase, vnic: attachment.vnicId, attachmentId: attachment.id }, "VNIC attached");
    if (action.thenBlocks)
      await createBlocks(attachment.vnicId, action.subnetId, action.thenBlocks.prefixLength, action.thenBlocks.blocks);
    await createIps(attachment.vnicId, action.ipRetryTokens);
  }

  async function assignBlocks(action: AssignBlocksAction): Promise<void> {
    await createBlocks(action.vnicId, action.subnetId, action.prefixLength, action.blocks);
  }
}

function releasedIn(status: Record<string, ReleaseStatus>): Set<string> {
  return new Set(
    Object.entries(status)
      .filter(([, s]) => s === "released")
      .map(([ip]) => ip),
  );
}

/**
 * Polls an attachment until it leaves ATTACHING or the work deadline comes; at the deadline it answers with the
 * last state seen (ATTACHING), so the caller records the attachment for the next run instead of failing.
 */
export async function waitForAttachment(
  attachmentId: string,
  deps: ReconcileDeps,
  budget: TimeBudget,
  initial?: VnicAttachmentInfo,
): Promise<VnicAttachmentInfo> {
  let last = initial;
  for (;;) {
    try {
      last = await deps.compute.getVnicAttachment(attachmentId, { deadline: budget.workDeadline });
    } catch (err) {
      if (last && err instanceof OciDeadlineError) return last;
      throw err;
    }
    if (last.lifecycleState !== "ATTACHING" || budget.remainingMs() < deps.config.attachPollMs) return last;
    await deps.sleep(deps.config.attachPollMs);
  }
}
