import type { ObservedState, ObservedSubnet, ObservedVnic, PlannerConfig, Reason } from "../core/model";
import { blockMode, heldBlocks, unofferedCount } from "../core/blocks/held";
import { surgeAllocation } from "../core/formulas";
import { rebuildPool, usableVnics } from "../core/pool";
import { nodeStats } from "../core/planner";
import { tagsMatchAll } from "../core/ownership";
import type { CiliumNodeView, IpamRecord, KubeNodeInfo } from "../ports/kube";
import type { CallOptions, InstanceInfo, PrivateIpInfo, SubnetInfo, VnicAttachmentInfo, VnicInfo } from "../ports/oci";
import { OciApiError } from "../ports/oci-errors";
import type { ReconcileDeps } from "./deps";
import { instanceIdFromProviderId } from "../core/provider-id";

export interface Observation {
  kind: "observed";
  observed: ObservedState;
  ciliumNode: CiliumNodeView;
  /** The node's Kubernetes Node (absent for a prewarm): the owner of its OciIpamNode record. */
  node?: KubeNodeInfo;
  instance: InstanceInfo;
  record: IpamRecord | undefined;
  /** VNIC details the CiliumNode cannot hold, for the project's own record (MAC, router, CIDR). */
  vnicDetails: Map<string, { vnic: VnicInfo; attachment: VnicAttachmentInfo; subnet?: SubnetInfo }>;
  subnets: SubnetInfo[];
}

export interface Refusal {
  kind: "refused";
  reason: Reason;
  instanceId?: string;
}

/**
 * Reads everything one plan rests on, fresh (the event that triggered the reconcile is only a hint), and checks
 * that the instance belongs to the cluster: its compartment is one of the cluster's, and its primary VNIC is in the
 * cluster's VCN. A node failing a check is refused with a typed reason and nothing is touched.
 *
 * Calls are kept to what the plan needs: subnet free counts, NSGs and pending pods are read only when the node
 * needs IPs.
 */
export async function observeNode(
  name: string,
  deps: ReconcileDeps,
  call: CallOptions,
  expectedInstanceId?: string,
  prefetched?: Prefetched,
): Promise<Observation | Refusal> {
  const { config } = deps;
  // What this invocation read a moment ago (before its lock) is reused once: writes are guarded by resourceVersion, so
  // a view that changed since only costs a conflict and a re-read, never a wrong write.
  const [ciliumNode, kubeNode] = await Promise.all([
    prefetched?.ciliumNode ?? deps.ciliumNodes.get(name),
    prefetched && "node" in prefetched ? prefetched.node : deps.nodes.get(name),
  ]);
  if (!ciliumNode) return refuse("CiliumNodeNotFound", `CiliumNode ${name} does not exist`);
  if (!kubeNode) return refuse("NodeNotFound", `Node ${name} does not exist`);
  const instanceId = instanceIdFromProviderId(kubeNode.providerId);
  if (!instanceId)
    return refuse(
      "NoProviderId",
      `Node ${name} has no OCI providerID (got ${JSON.stringify(kubeNode.providerId ?? null)})`,
    );
  if (expectedInstanceId && expectedInstanceId !== instanceId) {
    return refuse(
      "ProviderIdMismatch",
      `the event names instance ${expectedInstanceId} but Node ${name} is instance ${instanceId}`,
      instanceId,
    );
  }

  let instance: InstanceInfo;
  try {
    // A 404 here is an answer (InstanceNotFound), not something to wait out.
    instance = await deps.compute.getInstance(instanceId, { ...call, notFoundIsGone: true });
  } catch (err) {
    if (err instanceof OciApiError && err.notFound)
      return refuse(
        "InstanceNotFound",
        `instance ${instanceId} is not found or not visible to the allocator`,
        instanceId,
      );
    throw err;
  }
  if (!config.compartmentIds.includes(instance.compartmentId)) {
    return refuse(
      "NotInClusterCompartment",
      `instance ${instanceId} is in compartment ${instance.compartmentId}, not one of the cluster's`,
      instanceId,
    );
  }

  const observation = await observeOnInstance(ciliumNode, instance, deps, call, {
    planner: config.planner,
    recordName: name,
    pendingPodsOf: name,
    ...(prefetched && "record" in prefetched ? { record: prefetched.record } : {}),
  });
  return observation.kind === "observed" ? { ...observation, node: kubeNode } : observation;
}

/** Reads the caller made moments before in the same invocation, reused instead of read again (absent: read). */
export interface Prefetched {
  ciliumNode?: CiliumNodeView;
  node?: KubeNodeInfo | undefined;
  record?: IpamRecord | undefined;
}

/** What the shared part of an observation needs besides the instance: whose view it is and what to read for it. */
export interface ObserveOnInstanceOptions {
  /** The planner settings to plan with (a prewarm turns release off: there is no agent to answer). */
  planner: PlannerConfig;
  /** The OciIpamNode record to read (release first-seen times); none for a prewarm. */
  recordName?: string;
  /** The node whose Pending pods drive surge allocation; none for a prewarm. */
  pendingPodsOf?: string;
  /** The record as just read by the caller (undefined: it does not exist); when present, not read again. */
  record?: IpamRecord | undefined;
}

/**
 * The OCI half of an observation, for an instance already known to be in one of the cluster's compartments: its VNIC
 * attachments, VNICs and private IPs, the VCN's subnets (free counts only when IPs are needed), NSGs when NSG tags are
 * configured. Refuses an instance whose primary VNIC is not attached yet or is outside the cluster's VCN. Used by a
 * node's reconcile (with its CiliumNode) and by a prewarm (with an empty CiliumNode view, before the node exists).
 */
export async function observeOnInstance(
  ciliumNode: CiliumNodeView,
  instance: InstanceInfo,
  deps: ReconcileDeps,
  call: CallOptions,
  options: ObserveOnInstanceOptions,
): Promise<Observation | Refusal> {
  const { config } = deps;
  const instanceId = instance.id;
  const [attachments, subnets, record] = await Promise.all([
    deps.compute.listVnicAttachments(instance.compartmentId, instanceId, call),
    deps.network.listSubnets(config.networkCompartmentId, config.planner.vcnId, call),
    "record" in options
      ? Promise.resolve(options.record)
      : options.recordName
        ? deps.records.get(options.recordName)
        : Promise.resolve(undefined),
  ]);
  const live = attachments.filter((a) => a.lifecycleState !== "DETACHED");
  const attached = live.filter((a) => a.lifecycleState === "ATTACHED" && a.vnicId);
  const details = await Promise.all(
    attached.map(async (attachment) => {
      const [vnic, ips] = await Promise.all([
        deps.network.getVnic(attachment.vnicId!, call),
        deps.network.listPrivateIps(attachment.vnicId!, call),
      ]);
      return { attachment, vnic, ips };
    }),
  );
  const subnetsById = new Map(subnets.map((s) => [s.id, s]));
  const primary = details.find((d) => d.vnic.isPrimary);
  if (!primary) return refuse("NoPrimaryVnic", `instance ${instanceId} has no attached primary VNIC yet`, instanceId);
  if (!subnetsById.has(primary.vnic.subnetId)) {
    return refuse(
      "NotInClusterVcn",
      `the primary VNIC of instance ${instanceId} is in subnet ` +
        `${primary.vnic.subnetId}, which is not in VCN ${config.planner.vcnId}`,
      instanceId,
    );
  }

  const vnics = toObservedVnics(live, details);
  const observed: ObservedState = {
    now: deps.now().toISOString(),
    config: options.planner,
    ciliumNode: ciliumNode.ipam,
    instance: {
      id: instance.id,
      compartmentId: instance.compartmentId,
      availabilityDomain: instance.availabilityDomain,
      shape: instance.shape,
      lifecycleState: instance.lifecycleState,
      maxVnicAttachments: instance.maxVnicAttachments,
    },
    vnics,
    subnets: subnets.map((s) => toObservedSubnet(s, 0)),
    nsgs: [],
    pendingPods: 0,
    releaseFirstSeen: record?.status?.release.firstSeenExcess ?? {},
  };

  // Stats do not depend on subnet counts, NSGs or pending pods: read those only when IPs are needed, and in block mode
  // only when the addresses already held in the node's blocks do not cover the need (offering them needs no OCI call).
  const stats = nodeStats(observed);
  if (stats.needed > 0 && blockMode(options.planner) && options.pendingPodsOf !== undefined) {
    observed.pendingPods = await deps.pods.countPending(options.pendingPodsOf);
  }
  if (stats.needed > 0 && !heldCover(observed, stats)) {
    const wanted = relevantSubnets(observed, subnets);
    // In block mode the same one GetSubnetIpInventory call per subnet also gives what is allocated, for placement.
    const blocks = blockMode(options.planner);
    const allocations = new Map<string, string[]>();
    const [counts, nsgs, pendingPods] = await Promise.all([
      Promise.all(
        wanted.map(async (s) => {
          if (!blocks) return [s.id, await deps.network.countAssignedIps(s.id, call)] as const;
          const inventory = await deps.network.getSubnetAllocations(s.id, call);
          allocations.set(s.id, inventory.allocations);
          return [s.id, inventory.assignedAddresses] as const;
        }),
      ),
      Object.keys(config.planner.nsgTags).length > 0
        ? deps.network.listNetworkSecurityGroups(config.networkCompartmentId, config.planner.vcnId, call)
        : Promise.resolve([]),
      options.pendingPodsOf && !blockMode(options.planner)
        ? deps.pods.countPending(options.pendingPodsOf)
        : Promise.resolve(observed.pendingPods),
    ]);
    const assigned = new Map(counts);
    observed.subnets = subnets
      .filter((s) => assigned.has(s.id))
      .map((s) => ({
        ...toObservedSubnet(s, Math.max(subnetCapacity(s) - assigned.get(s.id)!, 0)),
        ...(allocations.has(s.id) ? { allocations: allocations.get(s.id)! } : {}),
      }));
    observed.nsgs = nsgs.map((n) => ({ id: n.id, vcnId: n.vcnId, freeformTags: n.freeformTags }));
    observed.pendingPods = pendingPods;
  }

  const vnicDetails = new Map(
    details.map((d) => [
      d.vnic.id,
      {
        vnic: d.vnic,
        attachment: d.attachment,
        ...(subnetsById.get(d.vnic.subnetId) ? { subnet: subnetsById.get(d.vnic.subnetId)! } : {}),
      },
    ]),
  );
  return { kind: "observed", observed, ciliumNode, instance, record, vnicDetails, subnets };
}

/** Whether the node's blocks hold enough unoffered addresses for what the plan will allocate (needed, above, surge). */
function heldCover(observed: ObservedState, stats: ReturnType<typeof nodeStats>): boolean {
  if (!blockMode(observed.config)) return false;
  const want = stats.needed + stats.maxAboveWatermark + surgeAllocation(observed.pendingPods, stats.needed);
  return unofferedCount(heldBlocks(observed, usableVnics(observed)), rebuildPool(observed)) >= want;
}

function refuse(code: string, message: string, instance?: string): Refusal {
  return { kind: "refused", reason: { code, message }, ...(instance ? { instanceId: instance } : {}) };
}

/**
 * Device indexes: the primary VNIC is 0, secondary VNICs follow in attachment order (creation time, then OCID).
 * OCI has no device number like EC2's; attachment order is also the order the instance metadata lists VNICs in.
 */
function toObservedVnics(
  live: VnicAttachmentInfo[],
  details: Array<{ attachment: VnicAttachmentInfo; vnic: VnicInfo; ips: PrivateIpInfo[] }>,
): ObservedVnic[] {
  const byAttachment = new Map(details.map((d) => [d.attachment.id, d]));
  const ordered = [...live].sort((a, b) => {
    const pa = byAttachment.get(a.id)?.vnic.isPrimary ? 0 : 1;
    const pb = byAttachment.get(b.id)?.vnic.isPrimary ? 0 : 1;
    return pa - pb || (a.timeCreated ?? "").localeCompare(b.timeCreated ?? "") || a.id.localeCompare(b.id);
  });
  return ordered.map((attachment, index) => {
    const d = byAttachment.get(attachment.id);
    return {
      attachmentId: attachment.id,
      attachmentState: attachment.lifecycleState,
      ...(attachment.displayName ? { attachmentDisplayName: attachment.displayName } : {}),
      // OCI fills vnicId once ATTACHED and keeps it while DETACHING: a VNIC whose IPs cannot be listed now is still
      // known.
      ...(d ? { vnicId: d.vnic.id } : attachment.vnicId ? { vnicId: attachment.vnicId } : {}),
      index,
      isPrimary: d?.vnic.isPrimary ?? false,
      subnetId: d?.vnic.subnetId ?? attachment.subnetId ?? "",
      ...(d?.vnic.macAddress ? { macAddress: d.vnic.macAddress } : {}),
      nsgIds: d?.vnic.nsgIds ?? [],
      freeformTags: d?.vnic.freeformTags ?? {},
      privateIps: (d?.ips ?? []).map((ip) => ({
        id: ip.id,
        ipAddress: ip.ipAddress,
        isPrimary: ip.isPrimary,
        freeformTags: ip.freeformTags,
        ...(ip.cidrPrefixLength !== undefined ? { cidrPrefixLength: ip.cidrPrefixLength } : {}),
      })),
      ...(attachment.timeCreated ? { timeCreated: attachment.timeCreated } : {}),
    };
  });
}

/** Subnets a plan may use: those of the node's VNICs, plus candidates for a new VNIC in the instance's placement. */
function relevantSubnets(observed: ObservedState, subnets: SubnetInfo[]): SubnetInfo[] {
  const { config, instance } = observed;
  const vnicSubnets = new Set(observed.vnics.map((v) => v.subnetId));
  return subnets.filter((s) => {
    if (vnicSubnets.has(s.id)) return true;
    if (s.availabilityDomain !== null && s.availabilityDomain !== instance.availabilityDomain) return false;
    if (config.subnetIds.length > 0) return config.subnetIds.includes(s.id);
    if (Object.keys(config.subnetTags).length > 0) return tagsMatchAll(s.freeformTags, config.subnetTags);
    return true;
  });
}

function toObservedSubnet(s: SubnetInfo, freeAddresses: number): ObservedSubnet {
  return {
    id: s.id,
    vcnId: s.vcnId,
    availabilityDomain: s.availabilityDomain,
    cidrBlock: s.cidrBlock,
    freeAddresses,
    freeformTags: s.freeformTags,
    ...(s.cidrBlocks && s.cidrBlocks.length > 0 ? { cidrBlocks: [...s.cidrBlocks] } : {}),
    ...(s.lifecycleState && s.lifecycleState !== "AVAILABLE" ? { lifecycleState: s.lifecycleState } : {}),
  };
}

/**
 * Assignable addresses of an IPv4 subnet over every CIDR block it has (`cidrBlocks`, else `cidrBlock`): OCI reserves
 * the first two and the last address of each ("the first two addresses and the last in the subnet's CIDR are
 * reserved", https://docs.oracle.com/iaas/Content/Network/Tasks/Overview_of_VCNs_and_Subnets.htm; applied per block).
 */
export function subnetCapacity(subnet: Pick<SubnetInfo, "cidrBlock"> & { cidrBlocks?: readonly string[] }): number {
  const blocks = subnet.cidrBlocks && subnet.cidrBlocks.length > 0 ? subnet.cidrBlocks : [subnet.cidrBlock];
  return blocks.reduce((n, block) => {
    const prefix = Number(block.split("/")[1]);
    return n + (Number.isInteger(prefix) && prefix >= 0 && prefix <= 30 ? 2 ** (32 - prefix) - 3 : 0);
  }, 0);
}
