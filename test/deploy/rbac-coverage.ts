import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { Component, KubeUse } from "./rbac-uses";

/**
 * The RBAC check, per ServiceAccount: every use the code makes (rbac-uses.ts) must be allowed by a rule bound to the
 * account, and every verb of every bound rule must be needed by some use. A rule applies as Kubernetes RBAC applies
 * it (kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go, pkg/apis/rbac/v1/evaluation_helpers.go): a ClusterRole
 * through a ClusterRoleBinding in every namespace and for cluster-scoped resources; a Role (or ClusterRole) through a
 * RoleBinding only in the binding's namespace; resourceNames limit it to those objects. A namespaced resource granted
 * in every namespace but used in named namespaces only is reported too (least privilege). Returns the problems.
 */

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

/** One verb of one rule as bound to one account: where it applies. */
export interface Grant {
  account: string;
  /** `<kind>/<name>` of the role and the binding. */
  source: string;
  /** undefined: everywhere (ClusterRoleBinding); else the RoleBinding's namespace. */
  namespace?: string;
  group: string;
  resource: string;
  verb: string;
  names?: string[];
}

type Doc = {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind?: string; name?: string };
  subjects?: Array<{ kind?: string; name?: string; namespace?: string }>;
};

export function readRbac(dir: string): Doc[] {
  const docs: Doc[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const d of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
      const v = d.toJS() as Doc | null;
      if (v) docs.push(v);
    }
  }
  return docs;
}

/** Grants per ServiceAccount `namespace/name`, one per verb × resource × group of each bound rule. */
export function grantsOf(docs: Doc[]): Grant[] {
  const roles = new Map<string, Rule[]>();
  for (const d of docs) {
    if (d.kind === "ClusterRole") roles.set(`ClusterRole/${d.metadata?.name}`, d.rules ?? []);
    if (d.kind === "Role") roles.set(`Role/${d.metadata?.namespace}/${d.metadata?.name}`, d.rules ?? []);
  }
  const grants: Grant[] = [];
  for (const b of docs.filter((d) => d.kind === "ClusterRoleBinding" || d.kind === "RoleBinding")) {
    const ns = b.kind === "RoleBinding" ? b.metadata?.namespace : undefined;
    const key = b.roleRef?.kind === "Role" ? `Role/${ns}/${b.roleRef.name}` : `ClusterRole/${b.roleRef?.name}`;
    const rules = roles.get(key);
    if (!rules) throw new Error(`${b.kind} ${b.metadata?.name} refers to ${key}, which no manifest defines`);
    for (const s of b.subjects ?? []) {
      if (s.kind !== "ServiceAccount") continue;
      const account = `${s.namespace}/${s.name}`;
      for (const r of rules) {
        for (const group of r.apiGroups ?? []) {
          for (const resource of r.resources ?? []) {
            for (const verb of r.verbs ?? []) {
              grants.push({
                account,
                source: `${key} via ${b.kind}/${b.metadata?.name}`,
                ...(ns ? { namespace: ns } : {}),
                group,
                resource,
                verb,
                ...(r.resourceNames?.length ? { names: r.resourceNames } : {}),
              });
            }
          }
        }
      }
    }
  }
  return grants;
}

/** Does `g` allow `u`? (RBAC's rule match, with the use's namespace and fixed name.) */
export function allows(g: Grant, u: KubeUse): boolean {
  if (
    (g.group !== "*" && g.group !== u.group) ||
    (g.resource !== "*" && g.resource !== u.resource) ||
    (g.verb !== "*" && g.verb !== u.verb)
  )
    return false;
  // A RoleBinding applies in its namespace only: never to cluster-scoped resources or all-namespaces requests.
  if (g.namespace !== undefined && u.namespace !== g.namespace) return false;
  if (g.names && (!u.name || !g.names.includes(u.name))) return false;
  return true;
}

function describe(u: KubeUse): string {
  const where = u.namespace ? ` in ${u.namespace === "*" ? "all namespaces" : u.namespace}` : "";
  return `${u.verb} ${u.group || "core"}/${u.resource}${where}${u.name ? ` (${u.name})` : ""}`;
}

export function checkRbac(docs: Doc[], uses: KubeUse[], accounts: Record<Component, string>): string[] {
  const problems: string[] = [];
  const grants = grantsOf(docs);
  for (const [component, account] of Object.entries(accounts) as Array<[Component, string]>) {
    const mine = grants.filter((g) => g.account === account);
    const used = uses.filter((u) => u.component === component);
    for (const u of used) {
      if (!mine.some((g) => allows(g, u))) problems.push(`${account}: ${describe(u)} at ${u.at} is granted by no rule`);
    }
    for (const g of mine) {
      const users = used.filter((u) => allows(g, u));
      const what = `${g.verb} ${g.group || "core"}/${g.resource}${g.names ? ` (${g.names.join(", ")})` : ""}`;
      if (users.length === 0) {
        problems.push(`${account}: ${what} (${g.source}) is used by no code`);
        continue;
      }
      // Granted in every namespace although every use names one namespace: a Role there would do.
      if (g.namespace === undefined && users.every((u) => u.namespace !== undefined && u.namespace !== "*")) {
        const where = [...new Set(users.map((u) => u.namespace))].join(", ");
        problems.push(`${account}: ${what} (${g.source}) is granted in every namespace but used only in ${where}`);
      }
    }
  }
  return problems;
}
