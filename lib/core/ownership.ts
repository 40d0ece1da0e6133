import type { ObservedPrivateIp, ObservedVnic, PlannerConfig } from "./model";

/**
 * Freeform tag keys the allocator puts on every VNIC and private IP it creates. Release and leak collection only
 * ever touch objects carrying both. Keys use letters and hyphens only, which every OCI tag form accepts.
 */
export const TAG_CLUSTER = "ocipam-cluster";
export const TAG_NODE = "ocipam-node";

/** The tags for an object created for `node` of `cluster`. */
export function ownershipTags(cluster: string, node: string): Record<string, string> {
  return { [TAG_CLUSTER]: cluster, [TAG_NODE]: node };
}

/**
 * Display name the allocator gives its VNIC attachments. An attachment has no tags and no VNIC until it is
 * ATTACHED, so this name is how a later run recognises its own attachment still in progress.
 */
export function attachmentDisplayName(cluster: string, node: string): string {
  return `ocipam:${cluster}:${node}`;
}

/** True when the tags say the object was created by this cluster's allocator for this node. */
export function isOwnedBy(tags: Record<string, string> | undefined, cluster: string, node: string): boolean {
  return tags?.[TAG_CLUSTER] === cluster && tags?.[TAG_NODE] === node;
}

/** True when every required tag is present with the same value; an empty requirement matches nothing. */
export function tagsMatchAll(tags: Record<string, string>, required: Record<string, string>): boolean {
  const entries = Object.entries(required);
  return entries.length > 0 && entries.every(([key, value]) => tags[key] === value);
}

/** A secondary IP the allocator created for this node: the only kind that enters the pool or is ever released. */
export function isOwnedSecondaryIp(ip: ObservedPrivateIp, config: PlannerConfig, node: string): boolean {
  return !ip.isPrimary && isOwnedBy(ip.freeformTags, config.clusterName, node);
}

/**
 * Why a VNIC is not used for pods, or undefined when it is usable. Usable: ATTACHED, index at or above
 * first-interface-index, not matching the exclusion tags, and either the primary VNIC or one the allocator
 * attached for this node. A secondary VNIC somebody else attached (storage network, another tool) is left alone.
 */
export function vnicExclusion(vnic: ObservedVnic, config: PlannerConfig, node: string): string | undefined {
  if (vnic.attachmentState !== "ATTACHED" || !vnic.vnicId) return `attachment is ${vnic.attachmentState}`;
  if (vnic.index < config.firstInterfaceIndex) {
    return `index ${vnic.index} is below first-interface-index ${config.firstInterfaceIndex}`;
  }
  if (tagsMatchAll(vnic.freeformTags, config.excludeInterfaceTags)) return "its tags match exclude-interface-tags";
  if (!vnic.isPrimary && !isOwnedBy(vnic.freeformTags, config.clusterName, node)) {
    return "a secondary VNIC the allocator did not attach";
  }
  return undefined;
}
