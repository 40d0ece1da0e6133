import type { ObservedPrivateIp, ObservedVnic, PlannerConfig } from "./model";

/**
 * Freeform tag keys the allocator puts on every VNIC and private IP it creates. Release and leak collection only
 * ever touch objects carrying the cluster tag and an owner (node or instance). Keys use letters and hyphens only,
 * which every OCI tag form accepts.
 */
export const TAG_CLUSTER = "ocipam-cluster";
export const TAG_NODE = "ocipam-node";
/**
 * The instance OCID the object was created on. It is what makes an object created before its node exists (prewarm
 * on the instance's launch event, when the node name is not known yet) attributable: such an object carries no node
 * tag, and it belongs to whichever node turns out to run on that instance.
 */
export const TAG_INSTANCE = "ocipam-instance";

/**
 * The tags for an object created on `instanceId` for `node` of `cluster`. With no node (`undefined` or "": a prewarm
 * before the node joined), the node tag is left out, so the node that later runs on the instance owns the object.
 */
export function ownershipTags(cluster: string, node: string | undefined, instanceId?: string): Record<string, string> {
  return {
    [TAG_CLUSTER]: cluster,
    ...(node ? { [TAG_NODE]: node } : {}),
    ...(instanceId ? { [TAG_INSTANCE]: instanceId } : {}),
  };
}

/**
 * Display name the allocator gives its VNIC attachments (and their VNICs). An attachment has no tags and no VNIC until
 * it is ATTACHED, so this name is how a later run recognises its own attachment still in progress:
 * `ocipam:<cluster>:<node>`, or `ocipam:<cluster>:instance:<instance OCID>` for a prewarm (no node yet; node names are
 * DNS names and never contain ':').
 */
export function attachmentDisplayName(cluster: string, node: string | undefined, instanceId?: string): string {
  if (node) return `ocipam:${cluster}:${node}`;
  if (!instanceId) throw new TypeError("attachmentDisplayName: a node or an instance is required");
  return `ocipam:${cluster}:instance:${instanceId}`;
}

/** The prefix every attachment display name of this cluster's allocator starts with (leak collection filters on it). */
export function attachmentDisplayNamePrefix(cluster: string): string {
  return `ocipam:${cluster}:`;
}

/**
 * True when an attachment (by display name) was started by this cluster's allocator for `node` on `instanceId`: its
 * own, or a prewarm's on the same instance (which the node adopts).
 */
export function isOwnAttachmentName(
  displayName: string | undefined,
  cluster: string,
  node: string | undefined,
  instanceId?: string,
): boolean {
  if (!displayName) return false;
  if (node && displayName === attachmentDisplayName(cluster, node)) return true;
  return (
    instanceId !== undefined &&
    instanceId !== "" &&
    displayName === attachmentDisplayName(cluster, undefined, instanceId)
  );
}

/**
 * True when the tags say the object belongs to `node` on `instanceId` for this cluster: the cluster tag matches and
 * either the node tag names the node, or there is no node tag and the instance tag names the instance (an object a
 * prewarm created before the node's name was known). An object tagged for another node is never owned, whatever its
 * instance tag says. With no node (a prewarm), only node-less objects of the instance are owned.
 */
export function isOwnedBy(
  tags: Record<string, string> | undefined,
  cluster: string,
  node: string | undefined,
  instanceId?: string,
): boolean {
  if (!tags || tags[TAG_CLUSTER] !== cluster) return false;
  const taggedNode = tags[TAG_NODE];
  if (taggedNode) return !!node && taggedNode === node;
  return !!instanceId && tags[TAG_INSTANCE] === instanceId;
}

/** True when every required tag is present with the same value; an empty requirement matches nothing. */
export function tagsMatchAll(tags: Record<string, string>, required: Record<string, string>): boolean {
  const entries = Object.entries(required);
  return entries.length > 0 && entries.every(([key, value]) => tags[key] === value);
}

/**
 * A secondary IP the allocator created for this node (or, node-less, on this instance): the only kind that enters the
 * pool or is ever released.
 */
export function isOwnedSecondaryIp(
  ip: ObservedPrivateIp,
  config: PlannerConfig,
  node: string,
  instanceId?: string,
): boolean {
  return !ip.isPrimary && isOwnedBy(ip.freeformTags, config.clusterName, node, instanceId);
}

/**
 * Why a VNIC is not used for pods, or undefined when it is usable. Usable: ATTACHED, index at or above
 * first-interface-index, not matching the exclusion tags, and either the primary VNIC or one the allocator
 * attached for this node (or, before the node existed, for its instance). A secondary VNIC somebody else attached
 * (storage network, another tool) is left alone.
 */
export function vnicExclusion(
  vnic: ObservedVnic,
  config: PlannerConfig,
  node: string,
  instanceId?: string,
): string | undefined {
  if (vnic.attachmentState !== "ATTACHED" || !vnic.vnicId) return `attachment is ${vnic.attachmentState}`;
  if (vnic.index < config.firstInterfaceIndex) {
    return `index ${vnic.index} is below first-interface-index ${config.firstInterfaceIndex}`;
  }
  if (tagsMatchAll(vnic.freeformTags, config.excludeInterfaceTags)) return "its tags match exclude-interface-tags";
  if (!vnic.isPrimary && !isOwnedBy(vnic.freeformTags, config.clusterName, node, instanceId)) {
    return "a secondary VNIC the allocator did not attach";
  }
  return undefined;
}
