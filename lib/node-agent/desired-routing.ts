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
  const routed: Routed[] = [];

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
    routed.push({ ip, vnicId: vnic.vnicId, table });
  }

  const egress = (from: string, table: number, ip: string, vnicId: string) => {
    if (egressCidrs.length === 0) {
      rules.push({ priority: RULE_PRIORITY_EGRESS, from, table, ip, vnicId });
    } else {
      for (const cidr of egressCidrs)
        rules.push({ priority: RULE_PRIORITY_EGRESS, from, to: `${cidr.address}/${cidr.prefix}`, table, ip, vnicId });
    }
  };
  for (const group of groupByBlock(routed, vnics, ipam, config.blockPrefixLength ?? 32)) {
    if (group.block) {
      // One rule per block, not per address: the whole aligned block is this VNIC's (lib/core/blocks).
      if (!group.members.some((m) => hostIps.has(m.ip))) {
        rules.push({
          priority: RULE_PRIORITY_INGRESS,
          to: group.block,
          table: MAIN_TABLE,
          ip: group.block,
          vnicId: group.vnicId,
        });
      } else {
        for (const m of group.members)
          if (!hostIps.has(m.ip))
            rules.push({
              priority: RULE_PRIORITY_INGRESS,
              to: `${m.ip}/32`,
              table: MAIN_TABLE,
              ip: m.ip,
              vnicId: m.vnicId,
            });
      }
      egress(group.block, group.table, group.block, group.vnicId);
      continue;
    }
    for (const { ip, vnicId, table } of group.members) {
      const host = `${ip}/32`;
      if (!hostIps.has(ip)) rules.push({ priority: RULE_PRIORITY_INGRESS, to: host, table: MAIN_TABLE, ip, vnicId });
      egress(host, table, ip, vnicId);
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

interface Routed {
  ip: string;
  vnicId: string;
  table: number;
}

/**
 * Routed IPs grouped by aligned block of `prefixLength` (in address order). A group is a block (`block` set) when the
 * prefix is below 32, its addresses are all on one VNIC, and no other address of the node (another VNIC's pool or
 * used address, or any VNIC's own primary address from the metadata) lies inside it: then one rule covers it without
 * capturing anything else. Otherwise each address keeps its own rules.
 */
function groupByBlock(
  routed: readonly Routed[],
  vnics: readonly ImdsVnic[],
  ipam: NodeIpamSnapshot,
  prefixLength: number,
): Array<{ block?: string; vnicId: string; table: number; members: Routed[] }> {
  if (prefixLength >= 32 || prefixLength < 1)
    return routed.map((r) => ({ vnicId: r.vnicId, table: r.table, members: [r] }));
  const size = 2 ** (32 - prefixLength);
  const base = (ip: string) => {
    const n = ipToInt(ip);
    return n - (n % size);
  };
  // Every address the node knows with its VNIC: pool and used entries, and each VNIC's primary address.
  const owners = new Map<number, Set<string>>();
  const note = (ip: string, vnicId: string | undefined) => {
    if (!isIpv4(ip)) return;
    const b = base(ip);
    if (!owners.has(b)) owners.set(b, new Set());
    owners.get(b)!.add(vnicId ?? "?");
  };
  for (const [ip, e] of Object.entries(ipam.pool)) note(ip, e.resource);
  for (const [ip, e] of Object.entries(ipam.used)) note(ip, e.resource);
  for (const v of vnics) note(v.privateIp, `${v.vnicId}#primary`);
  const groups = new Map<number, Routed[]>();
  for (const r of routed) {
    const b = base(r.ip);
    if (!groups.has(b)) groups.set(b, []);
    groups.get(b)!.push(r);
  }
  return [...groups.entries()].map(([b, members]) => {
    const first = members[0]!;
    const only = owners.get(b)!;
    const exclusive = only.size === 1 && only.has(first.vnicId) && members.every((m) => m.vnicId === first.vnicId);
    return exclusive
      ? { block: `${intToIp(b)}/${prefixLength}`, vnicId: first.vnicId, table: first.table, members }
      : { vnicId: first.vnicId, table: first.table, members };
  });
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
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
