import {
  RULE_PRIORITY_EGRESS,
  RULE_PRIORITY_INGRESS,
  type DesiredRouting,
  type DesiredRule,
  type ObservedLink,
  type ObservedNet,
  type ObservedRoute,
  type ObservedRule,
  type RoutingOp,
  type RoutingPlan,
  type RoutingProblem,
} from "./model";

export interface PlanOptions {
  /** The protocol number that marks the agent's own routes and rules. */
  protocol: number;
  /** MAC of the primary VNIC (IMDS entry 0): its interface is never configured, whatever the input says. */
  primaryMac?: string;
}

/**
 * The changes that turn the observed kernel state into the desired one, touching only what the agent owns.
 *
 * Ownership: a rule is the agent's when its protocol is `options.protocol` and its priority is 20 or 111; a route
 * is the agent's when its protocol is `options.protocol`. Nothing else is ever changed or deleted. Links are only
 * brought up and given an MTU, and only the secondary VNIC interfaces found by MAC.
 *
 * A VNIC with a problem (no interface with its MAC, several, the primary's interface, or a route of someone else in
 * its table that disagrees with ours) is frozen: nothing is added, changed or removed for it; the problem is reported.
 *
 * Order: links, routes, new rules, then removal of stale rules and stale routes, so a table is complete before a
 * rule points at it and a rule goes before the routes it used.
 */
export function planRouting(desired: DesiredRouting, observed: ObservedNet, options: PlanOptions): RoutingPlan {
  const problems: RoutingProblem[] = [];
  const linkOps: RoutingOp[] = [];
  const routeOps: RoutingOp[] = [];
  const frozen = new Set<string>();
  const ifnameOf = new Map<string, string>();

  const byMac = new Map<string, ObservedLink[]>();
  for (const link of observed.links) {
    if (link.slave) continue; // a bond member carries its master's MAC (Cilium's retrieveIfIndexFromMAC skips them too)
    byMac.set(link.mac, [...(byMac.get(link.mac) ?? []), link]);
  }
  const primaryIfname = options.primaryMac ? byMac.get(options.primaryMac)?.[0]?.ifname : undefined;

  for (const want of desired.links) {
    const candidates = byMac.get(want.mac) ?? [];
    const problem = (kind: RoutingProblem["kind"], detail: string) => {
      problems.push({ kind, vnicId: want.vnicId, mac: want.mac, detail });
      frozen.add(want.vnicId);
    };
    if (candidates.length === 0) {
      problem(
        "InterfaceNotFound",
        `no interface has MAC ${want.mac} (VNIC not attached to the OS yet, or a bare metal VLAN VNIC)`,
      );
      continue;
    }
    if (candidates.length > 1) {
      problem(
        "SeveralInterfacesWithMac",
        `interfaces ${candidates.map((l) => l.ifname).join(", ")} all have MAC ${want.mac}`,
      );
      continue;
    }
    const link = candidates[0]!;
    if (want.mac === options.primaryMac || link.ifname === primaryIfname) {
      problem("PrimaryInterfaceReused", `interface ${link.ifname} is the primary VNIC's; it is never configured`);
      continue;
    }
    ifnameOf.set(want.vnicId, link.ifname);
  }

  const desiredRouteKeys = new Set<string>();
  for (const table of desired.tables) {
    const ifname = ifnameOf.get(table.vnicId);
    for (const route of table.routes) desiredRouteKeys.add(routeKey(table.table, route.dst));
    if (ifname === undefined || frozen.has(table.vnicId)) continue;
    const upserts: RoutingOp[] = [];
    for (const route of table.routes) {
      const existing = observed.routes.find((r) => r.table === table.table && r.dst === route.dst && r.metric === 0);
      const matches =
        existing !== undefined &&
        existing.type === "unicast" &&
        existing.dev === ifname &&
        existing.gateway === route.gateway &&
        existing.scope === route.scope;
      if (matches) continue;
      if (existing && existing.protocol !== options.protocol) {
        problems.push({
          kind: "ForeignRouteConflict",
          vnicId: table.vnicId,
          mac: table.mac,
          table: table.table,
          detail:
            `table ${table.table} already holds ${describeRoute(existing)} ` +
            `(protocol ${existing.protocol}), not installed by this agent`,
        });
        frozen.add(table.vnicId);
        break;
      }
      upserts.push({
        kind: "replaceRoute",
        table: table.table,
        dst: route.dst,
        ...(route.gateway ? { gateway: route.gateway } : {}),
        dev: ifname,
        scope: route.scope,
        reason: existing
          ? `table ${table.table}: ${describeRoute(existing)} differs`
          : `table ${table.table}: ${route.dst} missing`,
      });
    }
    if (!frozen.has(table.vnicId)) routeOps.push(...upserts);
  }

  // Links last in the computation (first in the plan), once route conflicts have frozen what they freeze.
  for (const want of desired.links) {
    const ifname = ifnameOf.get(want.vnicId);
    const link = observed.links.find((l) => l.ifname === ifname);
    if (!link || frozen.has(want.vnicId)) continue;
    if (link.mtu !== want.mtu) {
      linkOps.push({
        kind: "setLinkMtu",
        ifname: link.ifname,
        mtu: want.mtu,
        reason: `MTU ${link.mtu} → ${want.mtu} (VNIC ${want.vnicId})`,
      });
    }
    if (!link.up)
      linkOps.push({ kind: "setLinkUp", ifname: link.ifname, reason: `interface of VNIC ${want.vnicId} is down` });
  }

  const ownRules = observed.rules.filter(
    (r) =>
      r.protocol === options.protocol && (r.priority === RULE_PRIORITY_INGRESS || r.priority === RULE_PRIORITY_EGRESS),
  );
  const ownRuleKeys = new Set(ownRules.map(ruleKey));
  const desiredRuleKeys = new Set(desired.rules.map(ruleKey));
  const ruleAdds: RoutingOp[] = [];
  const seen = new Set<string>();
  for (const rule of desired.rules) {
    const key = ruleKey(rule);
    if (ownRuleKeys.has(key) || seen.has(key) || frozen.has(rule.vnicId) || !ifnameOf.has(rule.vnicId)) continue;
    seen.add(key);
    ruleAdds.push({ kind: "addRule", ...ruleFields(rule), reason: `IP ${rule.ip} on VNIC ${rule.vnicId}` });
  }
  const ruleDeletes: RoutingOp[] = ownRules
    .filter((r) => !desiredRuleKeys.has(ruleKey(r)))
    .map(
      (r) =>
        ({
          kind: "deleteRule",
          ...ruleFields(r),
          reason: "its IP is no longer in the pool of a secondary VNIC",
        }) as RoutingOp,
    );

  const frozenTables = new Set(desired.tables.filter((t) => frozen.has(t.vnicId)).map((t) => t.table));
  const routeDeletes: RoutingOp[] = observed.routes
    .filter(
      (r) =>
        r.protocol === options.protocol &&
        !frozenTables.has(r.table) &&
        !(r.metric === 0 && desiredRouteKeys.has(routeKey(r.table, r.dst))),
    )
    .map(
      (r) =>
        ({
          kind: "deleteRoute",
          table: r.table,
          dst: r.dst,
          metric: r.metric,
          reason: `table ${r.table} no longer needed`,
        }) as RoutingOp,
    );

  return { ops: [...linkOps, ...routeOps, ...ruleAdds, ...ruleDeletes, ...routeDeletes], problems };
}

function ruleFields(rule: DesiredRule | ObservedRule): { priority: number; from?: string; to?: string; table: number } {
  return {
    priority: rule.priority,
    ...(rule.from ? { from: rule.from } : {}),
    ...(rule.to ? { to: rule.to } : {}),
    table: rule.table,
  };
}

function ruleKey(rule: DesiredRule | ObservedRule): string {
  const other = "otherSelectors" in rule ? rule.otherSelectors.join(",") : "";
  return `${rule.priority}|${rule.from ?? "all"}|${rule.to ?? "all"}|${rule.table}|${other}`;
}

function routeKey(table: number, dst: string): string {
  return `${table}|${dst}`;
}

function describeRoute(route: ObservedRoute): string {
  return [
    route.dst,
    route.gateway ? `via ${route.gateway}` : "",
    route.dev ? `dev ${route.dev}` : "",
    `scope ${route.scope}`,
  ]
    .filter(Boolean)
    .join(" ");
}
