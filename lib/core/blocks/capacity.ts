import { nodeMaximumIps } from "../formulas";
import type { PlannerConfig } from "../model";
import { addressesPerObject } from "./held";

/**
 * The most addresses a node can hold: usable VNIC slots × private-IP objects per VNIC × addresses per object (1 for
 * single addresses, 2^(32 − n) for /n blocks), capped by the configured max pods per node. With /28 blocks a 2-OCPU
 * VM.Standard.E4.Flex (2 VNIC slots) reaches 2 × 31 × 16 = 992 before the cap; the cap is what the operator wants the
 * kubelet's max-pods to match.
 */
export function nodeMaximumAddresses(
  maxVnicAttachments: number,
  config: Pick<PlannerConfig, "firstInterfaceIndex" | "ipsPerVnic" | "ipBlockPrefixLength" | "maxPodsPerNode">,
): number {
  const objects = nodeMaximumIps(maxVnicAttachments, config.firstInterfaceIndex, config.ipsPerVnic);
  const addresses = objects * addressesPerObject(config);
  return config.maxPodsPerNode && config.maxPodsPerNode > 0 ? Math.min(addresses, config.maxPodsPerNode) : addresses;
}
