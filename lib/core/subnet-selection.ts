import type { ObservedState, ObservedSubnet, ObservedVnic, Reason } from "./model";
import { tagsMatchAll } from "./ownership";

export type SubnetChoice = { subnet: ObservedSubnet; reason: Reason } | { subnet: undefined; reason: Reason };

/**
 * Picks the subnet for a new VNIC, in Cilium ENI's order (`findSuitableSubnet`), restricted to the cluster's VCN and
 * to subnets in the instance's availability domain or regional ones:
 * 1. configured subnet IDs: the one with the most free addresses;
 * 2. else configured subnet tags (all must match): the one with the most free addresses;
 * 3. else the node's own subnet (its primary VNIC's) when it has room for a whole VNIC;
 * 4. else any subnet of the VCN with the most free addresses.
 * When IDs or tags are configured the choice never leaves them: pods must not land in a subnet the operator did not
 * name (a load balancer or public subnet). A subnet needs room for the VNIC's own primary address plus one pod IP.
 */
export function selectSubnetForNewVnic(observed: ObservedState, minimumFree: number): SubnetChoice {
  const { config, instance } = observed;
  const inPlacement = observed.subnets.filter(
    (s) =>
      s.vcnId === config.vcnId &&
      (s.availabilityDomain === null || s.availabilityDomain === instance.availabilityDomain),
  );
  const withRoom = (list: ObservedSubnet[]) => mostFree(list.filter((s) => s.freeAddresses >= minimumFree));

  if (config.subnetIds.length > 0) {
    const named = inPlacement.filter((s) => config.subnetIds.includes(s.id));
    const best = withRoom(named);
    if (best)
      return {
        subnet: best,
        reason: {
          code: "SubnetFromConfiguredIds",
          message: `configured subnet ${best.id} has the most free addresses (${best.freeAddresses})`,
        },
      };
    return { subnet: undefined, reason: exhausted("configured subnet IDs", named, minimumFree) };
  }
  if (Object.keys(config.subnetTags).length > 0) {
    const tagged = inPlacement.filter((s) => tagsMatchAll(s.freeformTags, config.subnetTags));
    const best = withRoom(tagged);
    if (best)
      return {
        subnet: best,
        reason: {
          code: "SubnetFromConfiguredTags",
          message:
            `subnet ${best.id} matches the configured tags and has the most free ` +
            `addresses (${best.freeAddresses})`,
        },
      };
    return { subnet: undefined, reason: exhausted("subnets matching the configured tags", tagged, minimumFree) };
  }
  const nodeSubnet = inPlacement.find((s) => s.id === primaryVnic(observed.vnics)?.subnetId);
  const wholeVnic = config.ipsPerVnic + 1;
  if (nodeSubnet && nodeSubnet.freeAddresses >= wholeVnic) {
    return {
      subnet: nodeSubnet,
      reason: {
        code: "SubnetOfNode",
        message:
          `the node's own subnet ${nodeSubnet.id} has room for a whole VNIC ` +
          `(${nodeSubnet.freeAddresses} free ≥ ${wholeVnic})`,
      },
    };
  }
  const best = withRoom(inPlacement);
  if (best)
    return {
      subnet: best,
      reason: {
        code: "SubnetMostFree",
        message: `subnet ${best.id} of the VCN has the most free addresses (${best.freeAddresses})`,
      },
    };
  return {
    subnet: undefined,
    reason: exhausted(
      `subnets of VCN ${config.vcnId} in ${instance.availabilityDomain} or regional`,
      inPlacement,
      minimumFree,
    ),
  };
}

function exhausted(what: string, candidates: ObservedSubnet[], minimumFree: number): Reason {
  if (candidates.length === 0)
    return { code: "NoEligibleSubnet", message: `no ${what} exist in the instance's placement` };
  const detail = candidates.map((s) => `${s.id}: ${s.freeAddresses} free`).join(", ");
  return { code: "SubnetsExhausted", message: `none of the ${what} has ${minimumFree} free addresses (${detail})` };
}

function mostFree(list: ObservedSubnet[]): ObservedSubnet | undefined {
  return [...list].sort((a, b) => b.freeAddresses - a.freeAddresses || a.id.localeCompare(b.id))[0];
}

export function primaryVnic(vnics: ObservedVnic[]): ObservedVnic | undefined {
  return vnics.find((v) => v.isPrimary);
}

/**
 * NSGs for a new VNIC (Cilium ENI `getSecurityGroupIDs`, pkg/aws/eni/node.go): configured IDs, else NSGs of the VCN
 * matching the configured tags, else those of the primary VNIC. Tags that match no NSG fall back to the primary
 * VNIC's groups, as Cilium falls back to eth0's security groups when `security-group-tags` match none: a VNIC with no
 * NSG at all would carry pod traffic outside every rule the operator wrote for the nodes.
 */
export function selectNsgs(observed: ObservedState): { nsgIds: string[]; reason: Reason } {
  const { config } = observed;
  if (config.nsgIds.length > 0)
    return {
      nsgIds: [...config.nsgIds],
      reason: { code: "NsgsFromConfiguredIds", message: `configured NSGs ${config.nsgIds.join(", ")}` },
    };
  const primaryNsgs = [...(primaryVnic(observed.vnics)?.nsgIds ?? [])];
  const ofPrimary =
    primaryNsgs.length > 0 ? `the primary VNIC's NSGs: ${primaryNsgs.join(", ")}` : "the primary VNIC has no NSGs";
  if (Object.keys(config.nsgTags).length > 0) {
    const matched = observed.nsgs
      .filter((n) => n.vcnId === config.vcnId && tagsMatchAll(n.freeformTags, config.nsgTags))
      .map((n) => n.id)
      .sort();
    if (matched.length > 0)
      return {
        nsgIds: matched,
        reason: { code: "NsgsFromConfiguredTags", message: `NSGs matching the configured tags: ${matched.join(", ")}` },
      };
    return {
      nsgIds: primaryNsgs,
      reason: { code: "NsgTagsMatchNone", message: `no NSG matches the configured tags: ${ofPrimary}` },
    };
  }
  return { nsgIds: primaryNsgs, reason: { code: "NsgsOfPrimaryVnic", message: ofPrimary } };
}
