import { isObject, type JsonObject } from "./json";
import { metaOf } from "./object-meta";
import type { Storage } from "./storage";
import type { UserInfo } from "./auth";

/**
 * RBAC evaluation from the stored Role / ClusterRole / RoleBinding / ClusterRoleBinding objects, after
 * kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go and pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches,
 * APIGroupMatches, ResourceMatches with "resource/subresource" and "*\/subresource", ResourceNameMatches,
 * NonResourceURLMatches) and pkg/registry/rbac/validation/rule.go (appliesTo for User, Group and ServiceAccount
 * subjects). Members of system:masters are allowed everything, as kube-apiserver's privileged-group
 * authorizer does. Aggregated ClusterRoles (aggregationRule) are not evaluated.
 */
export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

function has(list: string[] | undefined, value: string): boolean {
  return (list ?? []).includes(value);
}

function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, "*") && !has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === "*" || u === a.path || (u.endsWith("*") && a.path.startsWith(u.slice(0, -1))),
    );
  }
  if (!has(rule.apiGroups, "*") && !has(rule.apiGroups, a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = (rule.resources ?? []).some(
    (r) => r === "*" || r === combined || (a.subresource !== "" && r === `*/${a.subresource}`),
  );
  if (!resourceOk) return false;
  if (!rule.resourceNames || rule.resourceNames.length === 0) return true;
  return a.name !== "" && rule.resourceNames.includes(a.name);
}

function appliesTo(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return subject.name === user.name;
    case "Group":
      return subject.name !== undefined && user.groups.includes(subject.name);
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      if (!ns) return false;
      return `system:serviceaccount:${ns}:${subject.name}` === user.name;
    }
    default:
      return false;
  }
}

function rulesOf(role: JsonObject | undefined): PolicyRule[] {
  return role && Array.isArray(role.rules) ? (role.rules.filter(isObject) as PolicyRule[]) : [];
}

export interface Decision {
  allowed: boolean;
  /**
   * Why, for SelfSubjectAccessReview (e.g. `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`).
   */
  reason: string;
}

export function authorize(storage: Storage, a: Attributes): Decision {
  if (a.user.groups.includes("system:masters")) return { allowed: true, reason: "" };
  const clusterRole = (name: string): JsonObject | undefined =>
    storage.get("clusterroles.rbac.authorization.k8s.io", name);
  for (const { object: binding } of storage.list("clusterrolebindings.rbac.authorization.k8s.io")) {
    const subjects = (Array.isArray(binding.subjects) ? binding.subjects : []) as Subject[];
    if (!subjects.some((s) => appliesTo(s, a.user, ""))) continue;
    const ref = binding.roleRef as { kind?: string; name?: string } | undefined;
    if (ref?.kind !== "ClusterRole" || !ref.name) continue;
    if (rulesOf(clusterRole(ref.name)).some((r) => ruleAllows(r, a))) {
      return {
        allowed: true,
        reason:
          `RBAC: allowed by ClusterRoleBinding "${metaOf(binding).name}" of ` +
          `ClusterRole "${ref.name}" to ${subjectText(a.user)}`,
      };
    }
  }
  if (a.resourceRequest && a.namespace) {
    for (const { object: binding } of storage.list("rolebindings.rbac.authorization.k8s.io")) {
      if (metaOf(binding).namespace !== a.namespace) continue;
      const subjects = (Array.isArray(binding.subjects) ? binding.subjects : []) as Subject[];
      if (!subjects.some((s) => appliesTo(s, a.user, a.namespace))) continue;
      const ref = binding.roleRef as { kind?: string; name?: string } | undefined;
      if (!ref?.name) continue;
      const role =
        ref.kind === "ClusterRole"
          ? clusterRole(ref.name)
          : ref.kind === "Role"
            ? storage.get("roles.rbac.authorization.k8s.io", `${a.namespace}/${ref.name}`)
            : undefined;
      if (rulesOf(role).some((r) => ruleAllows(r, a))) {
        return {
          allowed: true,
          reason:
            `RBAC: allowed by RoleBinding "${metaOf(binding).name}/${a.namespace}" ` +
            `of ${ref.kind} "${ref.name}" to ${subjectText(a.user)}`,
        };
      }
    }
  }
  return { allowed: false, reason: "" };
}

function subjectText(user: UserInfo): string {
  return user.serviceAccount
    ? `ServiceAccount "${user.serviceAccount.name}/${user.serviceAccount.namespace}"`
    : `User "${user.name}"`;
}

/** The 403 message (responsewriters/errors.go forbiddenMessage). */
export function forbiddenMessage(a: Attributes): string {
  if (!a.resourceRequest) return `User ${JSON.stringify(a.user.name)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (a.namespace) {
    return (
      `User ${JSON.stringify(a.user.name)} cannot ${a.verb} resource ` +
      `${JSON.stringify(resource)} in API group ` +
      `${JSON.stringify(a.apiGroup)} in the namespace ` +
      `${JSON.stringify(a.namespace)}`
    );
  }
  return (
    `User ${JSON.stringify(a.user.name)} cannot ${a.verb} resource ` +
    `${JSON.stringify(resource)} in API group ` +
    `${JSON.stringify(a.apiGroup)} at the cluster scope`
  );
}
