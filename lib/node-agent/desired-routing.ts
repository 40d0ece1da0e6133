import type { AllocationIp } from "../core/model";
import { cidrContains, compareIpv4, isIpv4, parseCidr } from "./ipv4";
import {
  MAIN_TABLE,
  ROUTE_TABLE_OFFSET,
  RULE_PRIORITY_EGRESS,
  RULE_PRIORITY_INGRESS,
  type DesiredLink,
  type DesiredRouting,
  type DesiredRule,
  type DesiredTable,
  type ImdsVnic,
  type NodeIpamSnapshot,
  type RoutingConfig,
  type SkippedIp,
} from "./model";

/**
 * The routing this node needs, from the instance metadata and the node's CiliumNode: Cilium's cloud-mode layout
 * (cilium/cilium `pkg/datapath/linux/routing/routing.go` `Configure`) for every IP whose resource is a secondary VNIC.
 *
 * - The VNIC index is its position in the IMDS list (primary = 0), and its table is `10 + index`.
 * - Per IP: `priority 20 to <ip>/32 lookup main` and `priority 111 from <ip>/32 [to <cidr>] lookup <table>`.
 * - Per VNIC that carries at least one such IP: its interface (by MAC) up with the configured MTU, and the table
 *   holding `<virtualRouterIp>/32 dev <if> scope link` and `default via <virtualRouterIp> dev <if>`.
 *
 * IPs taken into account are those of `spec.ipam.pool` plus those of `status.ipam.used` that left the pool: Cilium
 * keeps an in-use IP working after it leaves the pool (crd mode), so its routing stays until its pod lets it go.
 * Primary-VNIC IPs need nothing. VNICs without such an IP are left alone (they may be configured by someone else).
 *
 * `hostIps` are addresses configured on the node itself (its local table): in crd mode Cilium's router IP
 * (cilium_host) comes from the pool too. Such an IP gets the egress rule but no ingress rule, as Cilium's
 * `Configure(..., host=true)` does: traffic to it must reach the local table, which Cilium may move behind
 * priority 20 (`RulePriorityLocalLookup = 100`).
 */
export function desiredRouting(
  vnics: readonly ImdsVnic[],
  ipam: NodeIpamSnapshot,
  config: RoutingConfig,
  hostIps: ReadonlySet<string> = new Set(),
): DesiredRouting {
  const byId = new Map<string, { vnic: ImdsVnic; index: number }>();
  vnics.forEach((vnic, index) => {
    if (!byId.has(vnic.vnicId)) byId.set(vnic.vnicId, { vnic, index });
  });
  const egressCidrs = config.egressCidrs.map((text) => parseCidr(text)).filter((c) => c !== undefined);

  const links = new Map<string, DesiredLink>();
  const tables = new Map<string, DesiredTable>();
  const rules: DesiredRule[] = [];
  const primaryIps: string[] = [];
  const skipped: SkippedIp[] = [];

  for (const [ip, entry] of ipsOf(ipam)) {
    const resource = entry.resource || undefined;
    if (!isIpv4(ip)) {
      skipped.push({ ip, resource, reason: "NotIpv4" });
      continue;
    }
    if (!resource) {
      skipped.push({ ip, reason: "NoResource" });
      continue;
    }
    const found = byId.get(resource);
    if (!found) {
      skipped.push({ ip, resource, reason: "VnicNotInMetadata" });
      continue;
    }
    const { vnic, index } = found;
    if (index === 0) {
      primaryIps.push(ip);
      continue;
    }
    const subnet = parseCidr(vnic.subnetCidrBlock);
    if (!subnet || !cidrContains(subnet, ip)) {
      skipped.push({ ip, resource, reason: "OutsideVnicSubnet" });
      continue;
    }
    const table = ROUTE_TABLE_OFFSET + index;
    if (!links.has(vnic.vnicId)) {
      links.set(vnic.vnicId, { mac: vnic.macAddr, vnicId: vnic.vnicId, index, mtu: config.mtu, up: true });
      tables.set(vnic.vnicId, {
        table,
        vnicId: vnic.vnicId,
        mac: vnic.macAddr,
        routes: [
          // A /32 link route first, so the gateway is reachable without an address on the interface (as Cilium does).
          { dst: `${vnic.virtualRouterIp}/32`, scope: "link", mac: vnic.macAddr },
          { dst: "default", gateway: vnic.virtualRouterIp, scope: "global", mac: vnic.macAddr },
        ],
      });
    }
    const host = `${ip}/32`;
    if (!hostIps.has(ip)) rules.push({ priority: RULE_PRIORITY_INGRESS, to: host, table: MAIN_TABLE, ip, vnicId: vnic.vnicId });
    if (egressCidrs.length === 0) {
      rules.push({ priority: RULE_PRIORITY_EGRESS, from: host, table, ip, vnicId: vnic.vnicId });
    } else {
      for (const cidr of egressCidrs) {
        rules.push({ priority: RULE_PRIORITY_EGRESS, from: host, to: `${cidr.address}/${cidr.prefix}`, table, ip, vnicId: vnic.vnicId });
      }
    }
  }

  return {
    links: [...links.values()].sort((a, b) => a.index - b.index),
    tables: [...tables.values()].sort((a, b) => a.table - b.table),
    rules,
    primaryIps,
    skipped,
  };
}

/** Pool IPs, then used IPs that are no longer in the pool, in numeric order (deterministic output). */
function ipsOf(ipam: NodeIpamSnapshot): Array<[string, AllocationIp]> {
  if (!ipam.exists) return [];
  const merged = new Map<string, AllocationIp>(Object.entries(ipam.pool));
  for (const [ip, entry] of Object.entries(ipam.used)) {
    if (!merged.has(ip)) merged.set(ip, entry);
  }
  const rank = (ip: string) => (isIpv4(ip) ? 0 : 1);
  return [...merged.entries()].sort(([a], [b]) => rank(a) - rank(b) || compareIpv4(a, b) || a.localeCompare(b));
}
