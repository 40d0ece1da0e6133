import type { Condition, Location, PolicyStatement, Subject } from "./policy";
import { permissionsGranted } from "./verbs";

/**
 * Evaluates parsed policy statements the way OCI IAM does for one request: policies only allow (everything else is
 * denied); a statement applies to its compartment and every compartment below it ("compartments inherit any policies
 * from their parent compartment"); a request is allowed only if EVERY permission it needs is granted by some statement
 * (https://docs.oracle.com/en-us/iaas/Content/Identity/Concepts/policies.htm, policysyntax.htm).
 * A condition on a variable that does not apply to the request evaluates to false (policysyntax.htm, "Conditions").
 * All statements are treated as attached to the tenancy (root) compartment.
 */

/** Who is calling: the emulator maps each API key to one of these. */
export interface Principal {
  /** User OCID (or instance / resource OCID for dynamic-group members). */
  id: string;
  /** `request.principal.type`: user, instance, resource, serviceconnector, … */
  type: string;
  /** Compartment of the principal (for `request.principal.compartment.id`), if any. */
  compartmentId?: string;
  groups: Array<{ name: string; id?: string }>;
  dynamicGroups: Array<{ name: string; id?: string }>;
  /** Service principal name, for `service <name>` subjects. */
  serviceName?: string;
}

/** The compartment structure the evaluator needs. */
export interface CompartmentTree {
  tenancyId: string;
  /** The compartment OCID for a name path like `a:b` (resolved from the root), or undefined. */
  resolve(path: string): string | undefined;
  /** The compartment and all its ancestors up to the tenancy (inclusive). */
  lineage(compartmentId: string): string[];
}

export interface AuthorizationRequest {
  operation: string;
  /** Each permission with the compartment of the resource it is checked against. */
  checks: Array<{ permission: string; compartmentId: string }>;
  /** Extra `target.*` variables (e.g. `target.stream.id`). Keys lowercase. */
  variables?: Record<string, string>;
}

export interface AuthorizationResult {
  allowed: boolean;
  /** Permissions no statement granted (empty when allowed). */
  missing: Array<{ permission: string; compartmentId: string }>;
}

const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function subjectMatches(subject: Subject, principal: Principal): boolean {
  switch (subject.kind) {
    case "any-user":
      return true;
    case "any-group":
      return principal.type === "user";
    case "group":
      return principal.groups.some((g) =>
        subject.by === "id" ? g.id !== undefined && eq(g.id, subject.value) : eq(g.name, subject.value),
      );
    case "dynamic-group":
      return principal.dynamicGroups.some((g) =>
        subject.by === "id" ? g.id !== undefined && eq(g.id, subject.value) : eq(g.name, subject.value),
      );
    case "service":
      return principal.serviceName !== undefined && eq(principal.serviceName, subject.value);
  }
}

function locationCovers(location: Location, compartmentId: string, tree: CompartmentTree): boolean {
  if (location.kind === "tenancy") return true;
  const target = location.by === "id" ? location.value : tree.resolve(location.value);
  if (!target) return false;
  return tree.lineage(compartmentId).some((c) => c === target);
}

/** Glob match with `*` as the only wildcard (used by OCI for some string variables). */
function valueMatches(actual: string, pattern: string): boolean {
  if (!pattern.includes("*")) return eq(actual, pattern);
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );
  return re.test(actual);
}

function conditionHolds(condition: Condition, variables: Record<string, string | undefined>): boolean {
  if (condition.kind !== "compare") {
    const holds = (c: Condition) => conditionHolds(c, variables);
    return condition.kind === "all" ? condition.items.every(holds) : condition.items.some(holds);
  }
  const actual = variables[condition.variable];
  if (actual === undefined) return false;
  const match = valueMatches(actual, condition.value);
  return condition.op === "=" ? match : !match;
}

function grants(statement: PolicyStatement, permission: string): boolean {
  if ("permissions" in statement.grant) return statement.grant.permissions.includes(permission);
  return permissionsGranted(statement.grant.verb, statement.grant.resourceType).has(permission);
}

/** Decides one request. Pure: no I/O, no clock. */
export function authorize(
  statements: readonly PolicyStatement[],
  principal: Principal,
  request: AuthorizationRequest,
  tree: CompartmentTree,
): AuthorizationResult {
  const missing: Array<{ permission: string; compartmentId: string }> = [];
  for (const check of request.checks) {
    const variables: Record<string, string | undefined> = {
      "request.operation": request.operation,
      "request.permission": check.permission,
      "request.principal.type": principal.type,
      "request.principal.id": principal.id,
      "request.principal.compartment.id": principal.compartmentId,
      "request.user.id": principal.type === "user" ? principal.id : undefined,
      "target.compartment.id": check.compartmentId,
      ...(request.variables ?? {}),
    };
    const ok = statements.some(
      (s) =>
        s.subjects.some((subj) => subjectMatches(subj, principal)) &&
        grants(s, check.permission) &&
        locationCovers(s.location, check.compartmentId, tree) &&
        (s.condition === undefined || conditionHolds(s.condition, variables)),
    );
    if (!ok) missing.push(check);
  }
  return { allowed: missing.length === 0, missing };
}
