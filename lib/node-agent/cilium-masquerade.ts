import { ConfigError } from "../errors";
import { parseCidr } from "./ipv4";

/**
 * Where a pod's egress must leave by its own VNIC follows from Cilium's masquerading, read from Cilium's own
 * configuration (the `cilium-config` ConfigMap the Helm chart writes):
 * - `enable-ipv4-masquerade` (Helm `enableIPv4Masquerade`, default true): Cilium rewrites the source of traffic
 *   leaving the cluster to the node's address. Such a packet must leave by the primary VNIC, whose address it now
 *   carries: OCI drops a packet whose source is not an address of the VNIC it leaves by, and a secondary interface
 *   has no address of its own to masquerade to.
 * - `ipv4-native-routing-cidr` (Helm `ipv4NativeRoutingCIDR`): "all destinations within that CIDR will not be
 *   masqueraded" (docs.cilium.io, Masquerading, "Setting the routable CIDR"). Traffic to it keeps the pod's address
 *   and must leave by the pod's VNIC.
 * So with masquerading on, the egress rules are `from <ip> to <native routing CIDR>` (Cilium ENI's own form under
 * masquerading, routing.go); with it off, `from <ip>` to everywhere (the VCN's NAT or internet gateway then
 * translates). Cilium's ip-masq-agent (`enable-ip-masq-agent`) replaces the CIDR with its own list, which is not read
 * here: the agent then needs `--egress-cidr` with those non-masquerade CIDRs.
 */
export interface EgressDecision {
  /** CIDRs the egress rules are restricted to; empty = every destination. */
  egressCidrs: string[];
  /** Why, for the start-up log line. */
  because: string;
}

export const CILIUM_CONFIG = { namespace: "kube-system", name: "cilium-config" } as const;

/** Pure: the egress decision for the data of Cilium's ConfigMap. Throws ConfigError when it cannot be decided. */
export function egressFromCiliumConfig(data: Record<string, string | undefined>): EgressDecision {
  const masquerade = (data["enable-ipv4-masquerade"] ?? "true").trim().toLowerCase();
  if (masquerade === "false") {
    const because =
      "Cilium does not masquerade IPv4 (enable-ipv4-masquerade: false): all egress leaves by the pod's VNIC";
    return { egressCidrs: [], because };
  }
  if ((data["enable-ip-masq-agent"] ?? "").trim().toLowerCase() === "true") {
    throw new ConfigError(
      "egress-cidr",
      "Cilium's ip-masq-agent decides what is masqueraded (enable-ip-masq-agent: true): " +
        "pass --egress-cidr with its nonMasqueradeCIDRs",
    );
  }
  const text = (data["ipv4-native-routing-cidr"] ?? "").trim();
  const cidr = parseCidr(text);
  if (!text || !cidr || !text.includes("/")) {
    const what = text ? `not an IPv4 CIDR (${JSON.stringify(text)})` : "not set";
    throw new ConfigError(
      "egress-cidr",
      `Cilium masquerades IPv4 but ipv4-native-routing-cidr is ${what}: ` +
        "set Cilium's ipv4NativeRoutingCIDR to the VCN's CIDR, or pass --egress-cidr",
    );
  }
  const canonical = `${cidr.address}/${cidr.prefix}`;
  const because =
    `Cilium masquerades IPv4 except to ipv4-native-routing-cidr ${canonical}: ` +
    "only traffic to it leaves by the pod's VNIC";
  return { egressCidrs: [canonical], because };
}
