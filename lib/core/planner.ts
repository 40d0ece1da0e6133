import {
  calculateExcessIps,
  calculateNeededIps,
  effectiveMaxAllocate,
  effectivePreAllocate,
  nodeMinimumIps,
  surgeAllocation,
} from "./formulas";
import type { AdoptObjectsAction, NodeState, NodeStats, ObservedState, Plan, PlanAction, Reason } from "./model";
import { isOwnAttachmentName, isOwnedBy, ownershipTags, TAG_NODE } from "./ownership";
import { fallbackReason, planVnicBlocks, subnetSpace } from "./blocks/allocation";
import { nodeMaximumAddresses } from "./blocks/capacity";
import { blockAddresses, blockSize } from "./blocks/cidr";
import {
  addressesToOffer,
  blockMode,
  isBlock,
  configuredPrefixLength,
  heldBlocks,
  releasableBlocks,
  unofferedCount,
} from "./blocks/held";
import { compareIpv4, rebuildPool, secondaryIpCount, sortPool, usableVnics } from "./pool";
import { planRelease } from "./release";
import { deriveRetryToken, observationDigest } from "./retry-token";
import { selectNsgs, selectSubnetForNewVnic } from "./subnet-selection";

/**
 * Decides what one node needs, exactly as Cilium's cloud IPAM would (`pkg/ipam/node.go` recalculate and
 * determineMaintenanceAction, `pkg/aws/eni/node.go` PrepareIPAllocation / CreateInterface), from one observation.
 * Pure: the same observation always gives the same plan, and every decision carries a reason.
 *
 * Release comes first when enabled and there is excess (as in Cilium); otherwise a deficit is covered by filling
 * usable VNICs with room in (index, OCID) order, then by attaching VNICs while slots are free. What one Cilium
 * maintenance round would do per interface is laid out here as successive actions of one plan, with the same totals.
 */
export function planNode(input: ObservedState): Plan {
  const observed = normalizeObservation(input);
  const { ciliumNode: node, instance, config } = observed;
  const decisions: Reason[] = [];
  const pool = rebuildPool(observed);
  const stats = computeStats(observed, Object.keys(pool).length);
  const base = { node: node.name, instanceId: instance.id, stats, decisions };

  if (instance.lifecycleState !== "RUNNING") {
    const reason = {
      code: "InstanceNotRunning",
      message: `instance ${instance.id} is ${instance.lifecycleState}: nothing is done for it`,
    };
    return {
      ...base,
      state: "Error",
      reason,
      actions: [],
      decisions: [reason],
      releaseFirstSeen: observed.releaseFirstSeen,
    };
  }
  if (!observed.vnics.some((v) => v.isPrimary && v.attachmentState === "ATTACHED" && v.vnicId)) {
    // Without the primary VNIC there is no subnet, NSG or placement to plan from (an instance still launching).
    const reason = {
      code: "NoPrimaryVnic",
      message: `instance ${instance.id} has no attached primary VNIC: nothing is done for it`,
    };
    return {
      ...base,
      state: "Error",
      reason,
      actions: [],
      decisions: [reason],
      releaseFirstSeen: observed.releaseFirstSeen,
    };
  }
  decisions.push({
    code: "Watermarks",
    message:
      `available ${stats.available}, used ${stats.used}, pre-allocate ` +
      `${stats.preAllocate}, min-allocate ${stats.minAllocate}, max-allocate ` +
      `${stats.maxAllocate}, max-above-watermark ${stats.maxAboveWatermark} ` +
      `→ needed ${stats.needed}, excess ${stats.excess}`,
  });

  const actions: PlanAction[] = [];
  let state: NodeState = "Ready";
  let reason: Reason = {
    code: "PoolSatisfied",
    message: `the pool holds what the watermarks ask (${stats.available} IPs, ${stats.used} used)`,
  };
  let releaseFirstSeen: Record<string, string> = {};

  // A capped need is a state whatever else the round does: releasing, waiting for the agent, or allocating up to the
  // cap.
  const capped = cappedNeed(observed, stats);
  if (capped) decisions.push(capped);
  const releaseInProgress = Object.keys(node.releaseIps).length > 0;
  if (stats.needed === 0 && (stats.excess > 0 || releaseInProgress)) {
    const release = planRelease(observed, stats.excess, config.releaseExcessIps);
    actions.push(...release.actions);
    decisions.push(...release.decisions);
    releaseFirstSeen = release.releaseFirstSeen;
    if (stats.excess > 0 && !config.releaseExcessIps) {
      decisions.push({
        code: "ReleaseDisabled",
        message: `${stats.excess} IPs are excess; release of excess IPs is not enabled`,
      });
    }
  } else {
    if (releaseInProgress) {
      // A deficit appeared during a handshake: nothing is excess any more, abort every pending entry.
      const release = planRelease(observed, 0, config.releaseExcessIps);
      actions.push(...release.actions);
      decisions.push(...release.decisions);
    }
    if (stats.toAllocate > 0) {
      const allocation = planAllocation(observed, stats, pool);
      actions.push(...allocation.actions);
      decisions.push(...allocation.decisions);
      state = allocation.state;
      reason = allocation.reason;
    }
  }
  if (capped && state !== "Error") {
    state = "AtCapacity";
    reason = capped;
  }
  const blockRelease = planBlockRelease(observed, stats, pool);
  if (blockRelease) actions.push(blockRelease);
  stats.heldUnoffered = unofferedCount(heldBlocks(observed, usableVnics(observed)), pool);

  const preAllocateToWrite =
    node.preAllocate && node.preAllocate > 0
      ? undefined
      : Math.min(
          nodeMinimumIps(instance.maxVnicAttachments, config.firstInterfaceIndex, config.ipsPerVnic),
          stats.nodeMaximum,
        );
  const poolChanges = !samePool(node.pool, pool);
  const creates = actions.some(
    (a) =>
      a.kind === "assignIps" ||
      a.kind === "assignBlocks" ||
      a.kind === "attachVnic" ||
      a.kind === "releaseIps" ||
      a.kind === "releaseBlocks",
  );
  if (poolChanges || creates || preAllocateToWrite !== undefined) {
    const why = [
      poolChanges ? "the pool in Kubernetes differs from OCI" : undefined,
      creates ? "IPs are created or released" : undefined,
      preAllocateToWrite !== undefined
        ? `pre-allocate is unset: Cilium writes min(8, capacity) = ${preAllocateToWrite}`
        : undefined,
    ]
      .filter(Boolean)
      .join("; ");
    actions.push({
      kind: "writePool",
      pool: sortPool(pool),
      ...(preAllocateToWrite !== undefined ? { preAllocate: preAllocateToWrite } : {}),
      reason: { code: "WritePool", message: why },
    });
  }
  // Re-tagging comes after the pool write: until then the instance tag already makes the objects this node's (its
  // record claims the instance), so the pool is not kept waiting for one UpdatePrivateIp per adopted IP.
  const adoption = planAdoption(observed, pool);
  if (adoption) actions.push(adoption);
  if (actions.length === 0) decisions.push({ code: "NoOp", message: "nothing to do" });
  return { ...base, state, reason, actions, decisions, releaseFirstSeen };
}

/**
 * The observation in one canonical order (VNICs by index then OCID, their IPs by address, subnets and NSGs by OCID),
 * so the plan is the same whatever order OCI listed things in: list order is not part of any API contract.
 */
export function normalizeObservation(observed: ObservedState): ObservedState {
  const byId = <T extends { id: string }>(a: T, b: T) => a.id.localeCompare(b.id);
  return {
    ...observed,
    vnics: observed.vnics
      .map((v) => ({
        ...v,
        privateIps: [...v.privateIps].sort((a, b) => compareIpv4(a.ipAddress, b.ipAddress) || a.id.localeCompare(b.id)),
      }))
      .sort(
        (a, b) =>
          a.index - b.index ||
          (a.vnicId ?? "").localeCompare(b.vnicId ?? "") ||
          a.attachmentId.localeCompare(b.attachmentId),
      ),
    subnets: [...observed.subnets].sort(byId),
    nsgs: [...observed.nsgs].sort(byId),
  };
}

/**
 * Prewarmed objects the node now owns (tagged with its instance but no node) get the node tag: from then on they are
 * this node's by name, never "whichever node names this instance". Only for a node (a prewarm adopts nothing).
 */
function planAdoption(observed: ObservedState, pool: Record<string, unknown>): AdoptObjectsAction | undefined {
  const { ciliumNode: node, instance, config } = observed;
  if (!node.name) return undefined;
  const claim = ownershipTags(config.clusterName, node.name, instance.id);
  const instanceOwned = (tags: Record<string, string>) =>
    !tags[TAG_NODE] && isOwnedBy(tags, config.clusterName, node.name, instance.id);
  const vnics = usableVnics(observed);
  const privateIps = vnics
    .flatMap((v) => v.privateIps)
    // A block is adopted once any of its addresses is in the pool (its first may be unoffered).
    .filter(
      (ip) =>
        !ip.isPrimary &&
        instanceOwned(ip.freeformTags) &&
        (isBlock(ip)
          ? blockAddresses(ip.ipAddress, ip.cidrPrefixLength!).some((a) => pool[a] !== undefined)
          : pool[ip.ipAddress] !== undefined),
    )
    .map((ip) => ({ privateIpId: ip.id, ipAddress: ip.ipAddress, freeformTags: { ...ip.freeformTags, ...claim } }));
  const adoptedVnics = vnics
    .filter((v) => !v.isPrimary && instanceOwned(v.freeformTags))
    .map((v) => ({ vnicId: v.vnicId, freeformTags: { ...v.freeformTags, ...claim } }));
  if (privateIps.length === 0 && adoptedVnics.length === 0) return undefined;
  return {
    kind: "adoptObjects",
    privateIps,
    vnics: adoptedVnics,
    reason: {
      code: "AdoptPrewarmed",
      message:
        `${privateIps.length} IPs and ${adoptedVnics.length} VNICs prepared on ` +
        `instance ${instance.id} before node ${node.name} joined get the ` +
        `node's tag`,
    },
  };
}

/**
 * Cilium caps `needed` at max-allocate (the node maximum unless the spec sets one), so a full node needs "0". The
 * node is nevertheless at capacity when the watermarks, uncapped, would still ask for IPs: say so, and why.
 */
function cappedNeed(observed: ObservedState, stats: NodeStats): Reason | undefined {
  const uncapped = calculateNeededIps(stats.available, stats.used, stats.preAllocate, stats.minAllocate, 0);
  if (uncapped <= stats.needed) return undefined;
  const spec = observed.ciliumNode.maxAllocate;
  if (spec && spec > 0 && spec < stats.nodeMaximum) {
    return {
      code: "MaxAllocateReached",
      message: `the watermarks ask for ${uncapped - stats.needed} more IPs than max-allocate ${spec} allows`,
    };
  }
  return {
    code: "VnicSlotsExhausted",
    message:
      `the pool holds the node maximum of ${stats.nodeMaximum} IPs ` +
      `(${stats.vnicSlots} VNIC slots of ${observed.instance.shape}); the ` +
      `watermarks ask for ${uncapped - stats.needed} more`,
  };
}

/**
 * The watermark numbers of an observation (Cilium's needed, excess and the rest), without planning: what an
 * observation needs to know before it reads what only an allocation uses (subnet counts, NSGs, pending pods).
 */
export function nodeStats(observed: ObservedState): NodeStats {
  return computeStats(observed, Object.keys(rebuildPool(observed)).length);
}

function computeStats(observed: ObservedState, available: number): NodeStats {
  const { ciliumNode: node, instance, config } = observed;
  const used = Object.keys(node.used).length;
  const preAllocate = effectivePreAllocate(node.preAllocate);
  const minAllocate = node.minAllocate ?? 0;
  const maxAboveWatermark = node.maxAboveWatermark ?? 0;
  // Objects per VNIC × addresses per object (1, or a block's size), capped by the max pods per node.
  const nodeMaximum = nodeMaximumAddresses(instance.maxVnicAttachments, config);
  const maxAllocate = effectiveMaxAllocate(node.maxAllocate, nodeMaximum);
  const needed = calculateNeededIps(available, used, preAllocate, minAllocate, maxAllocate);
  const excess = calculateExcessIps(available, used, preAllocate, minAllocate, maxAboveWatermark);
  const surge = surgeAllocation(observed.pendingPods, needed);
  let toAllocate = needed > 0 ? needed + maxAboveWatermark + surge : 0;
  // max-allocate is a ceiling the operator set, and the node maximum one the shape sets: max-above-watermark and surge
  // never push the pool past either.
  const ceiling = node.maxAllocate && node.maxAllocate > 0 ? Math.min(node.maxAllocate, nodeMaximum) : nodeMaximum;
  toAllocate = Math.min(toAllocate, Math.max(ceiling - available, 0));
  const vnicsAttached = observed.vnics.filter((v) => v.attachmentState !== "DETACHED").length;
  return {
    available,
    used,
    needed,
    excess,
    preAllocate,
    minAllocate,
    maxAllocate,
    maxAboveWatermark,
    surge,
    toAllocate,
    nodeMaximum,
    vnicSlots: instance.maxVnicAttachments,
    vnicsAttached,
  };
}

interface AllocationPlan {
  actions: PlanAction[];
  decisions: Reason[];
  state: NodeState;
  reason: Reason;
}

/**
 * IP CIDR blocks none of whose addresses is offered in the pool this plan writes, was offered in the pool as read,
 * or is used: deleted, when release of excess IPs is on and nothing is needed (lib/core/blocks/held.ts). Offered
 * addresses only leave the pool through Cilium's handshake, so a block goes only after its addresses went through it
 * (or were never offered).
 */
function planBlockRelease(
  observed: ObservedState,
  stats: NodeStats,
  pool: Record<string, unknown>,
): PlanAction | undefined {
  if (!observed.config.releaseExcessIps || stats.needed > 0) return undefined;
  const asRead = observed.ciliumNode.pool;
  const offered = { ...asRead, ...(pool as Record<string, object>) };
  const blocks = releasableBlocks(heldBlocks(observed, usableVnics(observed)), offered, observed);
  if (blocks.length === 0) return undefined;
  return {
    kind: "releaseBlocks",
    blocks: blocks.map((b) => ({
      vnicId: b.vnicId,
      privateIpId: b.privateIpId,
      ipAddress: b.ipAddress,
      prefixLength: b.prefixLength,
    })),
    reason: {
      code: "ReleaseEmptyBlocks",
      message: `${blocks.map((b) => `${b.ipAddress}/${b.prefixLength}`).join(", ")}: no address offered or used`,
    },
  };
}

function planAllocation(
  observed: ObservedState,
  stats: NodeStats,
  pool: Record<string, { resource?: string }>,
): AllocationPlan {
  const { ciliumNode: node, instance, config } = observed;
  const actions: PlanAction[] = [];
  const decisions: Reason[] = [];
  const digest = observationDigest(observed.vnics.flatMap((v) => [v.attachmentId, ...v.privateIps.map((ip) => ip.id)]));
  const generation = observed.retryGeneration ?? 0;
  const token = (operation: "createPrivateIp" | "attachVnic", target: string, ordinal: number) =>
    deriveRetryToken({
      cluster: config.clusterName,
      node: node.name,
      instanceId: instance.id,
      operation,
      target,
      observationDigest: digest,
      generation,
      ordinal,
    });
  const subnetFree = new Map(observed.subnets.map((s) => [s.id, s.freeAddresses]));
  let remaining = stats.toAllocate;
  decisions.push({
    code: "ToAllocate",
    message:
      `allocate ${remaining} = needed ${stats.needed} + max-above-watermark ` +
      `${stats.maxAboveWatermark} + surge ` +
      `${stats.surge}${stats.surge > 0 ? ` (${observed.pendingPods} pending pods)` : ""}`,
  });
  // Addresses already held in the node's blocks come first: offering them costs no OCI call.
  const offer = addressesToOffer(heldBlocks(observed, usableVnics(observed)), pool, observed, remaining);
  for (const o of offer) pool[o.address] = { resource: o.vnicId };
  if (offer.length > 0) {
    decisions.push({
      code: "OfferHeldAddresses",
      message: `${offer.length} addresses held in the node's blocks join the pool (fullest block first)`,
    });
    remaining -= offer.length;
  }
  const blocks = blockMode(config);
  const prefix = configuredPrefixLength(config);
  const perObject = blockSize(prefix);
  const spaces = new Map(observed.subnets.map((s) => [s.id, subnetSpace(s)]));
  const updating = new Set(observed.subnets.filter((s) => s.lifecycleState === "UPDATING").map((s) => s.id));
  let waitingForSubnet: Reason | undefined;

  for (const vnic of usableVnics(observed)) {
    if (remaining === 0) break;
    const room = Math.max(config.ipsPerVnic - secondaryIpCount(vnic), 0);
    const free = subnetFree.get(vnic.subnetId);
    if (room === 0) {
      decisions.push({
        code: "VnicFull",
        message: `VNIC ${vnic.vnicId} (index ${vnic.index}) holds ${config.ipsPerVnic} secondary IPs`,
      });
      continue;
    }
    if (free === undefined || free === 0) {
      decisions.push({
        code: "VnicSubnetFull",
        message:
          `VNIC ${vnic.vnicId} has room but its subnet ${vnic.subnetId} has ` +
          `${free === undefined ? "unknown" : "no"} free addresses`,
      });
      continue;
    }
    if (blocks && updating.has(vnic.subnetId)) {
      // OCI puts a subnet in UPDATING after the first IP CIDR address of its first CIDR block; no IP can be created
      // or deleted in it meanwhile ("Private IP Addresses", managingIPaddresses.htm, 2026): wait, never fail.
      waitingForSubnet = {
        code: "SubnetUpdating",
        message: `subnet ${vnic.subnetId} of VNIC ${vnic.vnicId} is UPDATING: its IPs follow once it is AVAILABLE`,
      };
      decisions.push(waitingForSubnet);
      continue;
    }
    let blockRoom = room;
    if (blocks) {
      const space = spaces.get(vnic.subnetId)!;
      const planned = planVnicBlocks(space, prefix, room, remaining, (c) =>
        token("createPrivateIp", `${vnic.vnicId}/${c}/${prefix}`, 0),
      );
      if (planned.blocks.length > 0) {
        actions.push({
          kind: "assignBlocks",
          vnicId: vnic.vnicId,
          subnetId: vnic.subnetId,
          prefixLength: prefix,
          blocks: planned.blocks,
          reason: {
            code: "FillExistingVnicWithBlocks",
            message:
              `VNIC ${vnic.vnicId} (index ${vnic.index}) has room for ${room} ` +
              `objects: ${planned.blocks.length} /${prefix} blocks, ` +
              `${planned.offered} addresses offered`,
          },
        });
        subnetFree.set(vnic.subnetId, free - planned.blocks.length * perObject);
        remaining -= planned.offered;
        blockRoom -= planned.blocks.length;
      }
      if (remaining === 0 || blockRoom === 0) continue;
      decisions.push(
        fallbackReason(
          vnic.subnetId,
          vnic.vnicId,
          prefix,
          Math.min(blockRoom, subnetFree.get(vnic.subnetId)!, remaining),
          space.known,
        ),
      );
    }
    const count = Math.min(blockRoom, subnetFree.get(vnic.subnetId)!, remaining);
    if (count <= 0) continue;
    actions.push({
      kind: "assignIps",
      vnicId: vnic.vnicId,
      subnetId: vnic.subnetId,
      count,
      retryTokens: Array.from({ length: count }, (_, i) => token("createPrivateIp", vnic.vnicId, i)),
      reason: {
        code: "FillExistingVnic",
        message: `VNIC ${vnic.vnicId} (index ${vnic.index}) has room for ${room}, its subnet ${free}: assign ${count}`,
      },
    });
    subnetFree.set(vnic.subnetId, subnetFree.get(vnic.subnetId)! - count);
    remaining -= count;
  }

  let state: NodeState = "Ready";
  let reason: Reason = { code: "Allocated", message: `${stats.toAllocate} IPs are assigned on attached VNICs` };
  // A VNIC with room waits for its subnet: no VNIC is attached elsewhere for what it will take.
  const waitingShortfall = waitingForSubnet ? remaining : 0;
  remaining -= waitingShortfall;

  for (const vnic of observed.vnics) {
    // Its own attachment in flight, or one a prewarm started on the instance before the node existed.
    if (
      remaining === 0 ||
      vnic.attachmentState !== "ATTACHING" ||
      !isOwnAttachmentName(vnic.attachmentDisplayName, config.clusterName, node.name, instance.id)
    )
      continue;
    actions.push({
      kind: "awaitAttachment",
      attachmentId: vnic.attachmentId,
      reason: {
        code: "AttachmentInProgress",
        message:
          `VNIC attachment ${vnic.attachmentId} is still ` +
          `ATTACHING${vnic.timeCreated ? ` (since ${vnic.timeCreated})` : ""}: ` +
          `its IPs follow once it is ATTACHED`,
      },
    });
    remaining -= Math.min(remaining, config.ipsPerVnic * perObject);
    state = "Allocating";
    reason = { code: "AttachmentInProgress", message: `waiting for VNIC attachment ${vnic.attachmentId}` };
  }

  let slotsUsed = stats.vnicsAttached;
  const usedIndexes = new Set(observed.vnics.filter((v) => v.attachmentState !== "DETACHED").map((v) => v.index));
  while (remaining > 0) {
    if (slotsUsed >= instance.maxVnicAttachments) {
      const blockedBySubnet = decisions.filter((d) => d.code === "VnicSubnetFull");
      const message =
        blockedBySubnet.length > 0
          ? `${remaining} more IPs wanted: all ${instance.maxVnicAttachments} VNIC ` +
            `slots of ${instance.shape} are in use and the VNICs with room sit in ` +
            `full subnets (${blockedBySubnet.map((d) => d.message).join("; ")})`
          : `${remaining} more IPs wanted but all ${instance.maxVnicAttachments} ` +
            `VNIC slots of ${instance.shape} are in use and the usable VNICs are ` +
            `full`;
      decisions.push({ code: "AtCapacity", message });
      if (state !== "Allocating") {
        state = "AtCapacity";
        reason = { code: blockedBySubnet.length > 0 ? "VnicSubnetsFull" : "VnicSlotsExhausted", message };
      }
      break;
    }
    const candidates = observed.subnets
      .filter((s) => !blocks || !updating.has(s.id))
      .map((s) => ({ ...s, freeAddresses: subnetFree.get(s.id) ?? 0 }));
    const choice = selectSubnetForNewVnic({ ...observed, subnets: candidates }, 2);
    decisions.push(choice.reason);
    if (!choice.subnet && blocks && updating.size > 0) {
      waitingForSubnet = {
        code: "SubnetUpdating",
        message: `the subnets that could take a new VNIC are UPDATING: the VNIC follows once one is AVAILABLE`,
      };
      decisions.push(waitingForSubnet);
      break;
    }
    if (!choice.subnet) {
      state = "Error";
      reason = choice.reason;
      break;
    }
    const nsgs = selectNsgs(observed);
    decisions.push(nsgs.reason);
    let index = Math.max(1, config.firstInterfaceIndex);
    while (usedIndexes.has(index)) index++;
    usedIndexes.add(index);
    const subnetId = choice.subnet.id;
    // The new VNIC's primary address is taken from the subnet too: one address fewer for the blocks' estimate.
    const newBlocks = blocks
      ? planVnicBlocks(spaces.get(subnetId)!, prefix, config.ipsPerVnic, remaining, (c) =>
          token("createPrivateIp", `new-vnic-index-${index}/${c}/${prefix}`, 0),
        )
      : undefined;
    const singles =
      newBlocks && newBlocks.blocks.length > 0
        ? 0
        : Math.min(config.ipsPerVnic, remaining, choice.subnet.freeAddresses - 1);
    if (newBlocks && newBlocks.blocks.length === 0)
      decisions.push(fallbackReason(subnetId, `new at index ${index}`, prefix, singles, spaces.get(subnetId)!.known));
    const thenAssign = newBlocks && newBlocks.blocks.length > 0 ? newBlocks.offered : singles;
    actions.push({
      kind: "attachVnic",
      subnetId: choice.subnet.id,
      nsgIds: nsgs.nsgIds,
      index,
      thenAssign,
      retryToken: token("attachVnic", `index-${index}`, 0),
      ipRetryTokens: Array.from({ length: singles }, (_, i) => token("createPrivateIp", `new-vnic-index-${index}`, i)),
      ...(newBlocks && newBlocks.blocks.length > 0
        ? { thenBlocks: { prefixLength: prefix, blocks: newBlocks.blocks } }
        : {}),
      reason: {
        code: "AttachVnic",
        message:
          `no usable VNIC has room for ${remaining} more IPs and ` +
          `${instance.maxVnicAttachments - slotsUsed} slots are free: attach a ` +
          `VNIC on ${choice.subnet.id} (index ${index}) and assign ${thenAssign}`,
      },
    });
    subnetFree.set(
      choice.subnet.id,
      choice.subnet.freeAddresses -
        (newBlocks && newBlocks.blocks.length > 0 ? newBlocks.blocks.length * perObject : thenAssign) -
        1,
    );
    remaining -= thenAssign;
    slotsUsed++;
    state = "Allocating";
    reason = { code: "AttachingVnic", message: `attaching a VNIC on ${choice.subnet.id}` };
  }
  if (waitingForSubnet && state !== "Allocating" && remaining + waitingShortfall > 0) {
    state = "Allocating";
    reason = waitingForSubnet;
  }
  if (remaining === 0 && offer.length > 0 && actions.length === 0)
    reason = { code: "OfferedHeldAddresses", message: `${offer.length} held addresses join the pool` };
  return { actions, decisions, state, reason };
}

function samePool(
  a: Record<string, { resource?: string; owner?: string }>,
  b: Record<string, { resource?: string; owner?: string }>,
): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every(
    (ip) =>
      b[ip] !== undefined &&
      (a[ip]!.resource ?? "") === (b[ip]!.resource ?? "") &&
      (a[ip]!.owner ?? "") === (b[ip]!.owner ?? ""),
  );
}
