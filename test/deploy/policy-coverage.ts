import {
  authorize,
  knownResourceTypes,
  parsePolicyStatement,
  permissionsGranted,
  type Condition,
  type PolicyStatement,
  type Principal,
} from "../../lib/testbed/iam";
import { permissionSide } from "../../lib/oci/permission-placement";
import { permissionsFor, workRequestPermissions, type OciOperation } from "../../lib/oci/permissions";
import { COMPONENT_OPERATIONS } from "../../lib/oci/project-policies";
import { allocatorOperations, watcherOperations } from "./code-operations";
import {
  evaluateTemplate,
  instancesOf,
  loadTerraform,
  resourceAttribute,
  variableValues,
  type TerraformConfig,
} from "./terraform";

/**
 * The policy-coverage check: expands every oci_identity_policy of infra/terraform for one set of input variables,
 * parses each statement with the IAM parser the OCI emulator uses (lib/testbed/iam), and compares what each principal
 * is
 * granted, compartment by compartment, with what the code's OCI operations need (lib/oci/permissions.ts).
 * Any missing or extra permission, any statement to an unrestricted subject, and any platform statement other than
 * the documented ones is a problem. Returns the problems (empty = exact).
 */

/** Input variables for the Terraform under test; OCIDs are placeholders. */
export type Scenario = Record<string, unknown>;

export const BASE_SCENARIO: Scenario = {
  tenancy_ocid: "ocid1.tenancy.oc1..tenancy",
  region: "us-ashburn-1",
  compartment_id: "ocid1.compartment.oc1..ocipam",
  cluster_name: "prod-1",
  cluster_compartment_ids: ["ocid1.compartment.oc1..workers"],
  network_compartment_id: "ocid1.compartment.oc1..network",
  vcn_id: "ocid1.vcn.oc1..vcn",
  function_subnet_ids: ["ocid1.subnet.oc1..functions"],
  function_image: "iad.ocir.io/tenancy/ocipam/allocator:0.1.0",
  kubernetes_api_server: "https://10.0.0.5:6443",
  vault_id: "ocid1.vault.oc1..vault",
  vault_key_id: "ocid1.key.oc1..key",
  kubernetes_token_base64: "dG9rZW4=",
};

/**
 * Where a permission of the allocator is checked: the compartment of the resource it is about
 * (lib/oci/permission-placement.ts): instance-side ones in each cluster compartment, network-side ones (subnets,
 * IP inventory, NSGs, and the VNICs and private IPs that live in the subnets' compartment) in the network
 * compartment, the token secret's in compartment_id. A grant anywhere else is a problem, even one in a compartment
 * that contains the right one.
 */
function allocatorLocation(permission: string): "cluster" | "network" | "secret" {
  const side = permissionSide(permission);
  return side === "instance" ? "cluster" : side;
}

interface Concrete {
  resource: string;
  text: string;
  parsed: PolicyStatement;
}

function conditionPairs(c: Condition | undefined): string[] {
  if (!c) return [];
  if (c.kind === "compare") return [`${c.variable} ${c.op} ${c.value}`];
  if (c.kind === "any") return [`any(${c.items.flatMap(conditionPairs).join(", ")})`];
  return c.items.flatMap(conditionPairs);
}

function grantText(s: PolicyStatement): string {
  return "permissions" in s.grant
    ? `{${[...s.grant.permissions].sort().join(", ")}}`
    : `${s.grant.verb} ${s.grant.resourceType}`;
}

function location(s: PolicyStatement): string {
  return s.location.kind === "tenancy" ? "tenancy" : s.location.value;
}

/** Who a statement grants to, or undefined when the subject is not restricted to one principal of this deployment. */
function granteeOf(s: PolicyStatement): string | undefined {
  if (s.subjects.length !== 1) return undefined;
  const subject = s.subjects[0]!;
  const pairs = conditionPairs(s.condition);
  if (subject.kind === "dynamic-group" && subject.by === "name") return `dynamic-group ${subject.value}`;
  if (subject.kind === "service") return `service ${subject.value.toLowerCase()}`;
  if (subject.kind === "any-user") {
    if (pairs.includes("request.principal.type = serviceconnector")) return "serviceconnector";
  }
  return undefined;
}

function expandPolicies(config: TerraformConfig, vars: Record<string, unknown>): Concrete[] {
  const out: Concrete[] = [];
  for (const [name, body] of Object.entries(config.resources.oci_identity_policy ?? {})) {
    for (const each of instancesOf(body, { config, vars })) {
      for (const raw of (body.statements ?? []) as string[]) {
        const text = evaluateTemplate(raw, { config, vars, ...(each !== undefined ? { each } : {}) }) as string;
        out.push({
          resource: `oci_identity_policy.${name}${each !== undefined ? `["${each}"]` : ""}`,
          text,
          parsed: parsePolicyStatement(text),
        });
      }
    }
  }
  return out;
}

const diff = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

export interface CoverageResult {
  problems: string[];
  statements: Concrete[];
}

/**
 * Checks the Terraform in `tfDir` for the input variables of `scenario`. `repoRoot` locates the code whose operations
 * define what is needed.
 */
export async function checkPolicyCoverage(
  tfDir: string,
  repoRoot: string,
  scenario: Scenario,
): Promise<CoverageResult> {
  const config = await loadTerraform(tfDir);
  const vars = variableValues(config, scenario);
  const problems: string[] = [];
  const statements = expandPolicies(config, vars);

  const clusterCompartments = vars.cluster_compartment_ids as string[];
  const networkCompartment = (vars.network_compartment_id as string | null) ?? clusterCompartments[0]!;
  const deployCompartment = vars.compartment_id as string;
  const functionNetwork = (vars.function_network_compartment_id as string | null) ?? networkCompartment;
  const repoCompartment = (vars.image_repository_compartment_id as string | null) ?? deployCompartment;
  const streamId = resourceAttribute("oci_streaming_stream", "nudges", "id");
  const secretId = resourceAttribute("oci_vault_secret", "kube_token", "id");
  const allocatorDg = `dynamic-group ${resourceAttribute("oci_identity_dynamic_group", "allocator", "name")}`;
  const watcherGrantee = `dynamic-group ${resourceAttribute("oci_identity_dynamic_group", "watcher", "name")}`;
  const modelled = new Set(knownResourceTypes());

  // --- What the code needs -----------------------------------------------------------------------------------------
  const required = new Map<string, Set<string>>(); // `${grantee} @ ${compartment}` → permissions
  const need = (grantee: string, compartment: string, permission: string) => {
    const key = `${grantee} @ ${compartment}`;
    if (!required.has(key)) required.set(key, new Set());
    required.get(key)!.add(permission);
  };
  const allocatorOps = allocatorOperations(repoRoot, vars.use_bulk_create === true);
  for (const op of allocatorOps) {
    // AttachVnic with NSGs needs the most; the allocator attaches NSGs whenever configured or the primary VNIC has
    // some.
    for (const p of permissionsFor(op, { nsgIds: ["nsg"] })) {
      const where = allocatorLocation(p);
      if (where === "network") need(allocatorDg, networkCompartment, p);
      else if (where === "secret") need(allocatorDg, deployCompartment, p);
      else for (const c of clusterCompartments) need(allocatorDg, c, p);
    }
  }
  const watcherOps = watcherOperations(repoRoot);
  for (const op of watcherOps) for (const p of permissionsFor(op)) need(watcherGrantee, deployCompartment, p);

  // Platform principals: what the services themselves need, as documented (sources in infra/terraform/iam.tf).
  const expectedPlatform = new Set<string>();
  const sch = `request.principal.type = serviceconnector, request.principal.compartment.id = ${deployCompartment}`;
  // Reading a stream: CreateCursor/GetMessages (lib/oci/project-policies.ts) plus STREAM_READ, as the documented
  // default policy of a connector with a Streaming source grants.
  const connectorPerms = new Set([
    "STREAM_READ",
    ...(COMPONENT_OPERATIONS.connector as readonly OciOperation[]).flatMap((op) => permissionsFor(op)),
  ]);
  expectedPlatform.add(
    `serviceconnector | {${[...connectorPerms].sort().join(", ")}} | ` +
      `${deployCompartment} | ${sch}, target.stream.id = ${streamId}`,
  );
  expectedPlatform.add(`serviceconnector | use fn-function | ${deployCompartment} | ${sch}`);
  expectedPlatform.add(`serviceconnector | use fn-invocation | ${deployCompartment} | ${sch}`);
  if (vars.create_service_policies === true) {
    expectedPlatform.add(`service faas | use virtual-network-family | ${functionNetwork} | `);
    expectedPlatform.add(`service faas | read repos | ${repoCompartment} | `);
    if (vars.enable_instance_events === true) {
      expectedPlatform.add(`service cloudevents | use fn-function | ${deployCompartment} | `);
      expectedPlatform.add(`service cloudevents | use fn-invocation | ${deployCompartment} | `);
    }
  }
  // The alarms' connector turns the invocation log into a custom metric (monitoring.tf): metrics of one namespace only.
  if (vars.enable_alarms === true)
    expectedPlatform.add(
      `serviceconnector | use metrics | ${deployCompartment} | ${sch}, ` +
        `target.metrics.namespace = ${vars.alarm_metric_namespace ?? "ocipam"}`,
    );

  // --- What the policies grant ---------------------------------------------------------------------------------------
  const granted = new Map<string, Set<string>>();
  const grantedPlatform = new Set<string>();
  const codeGrantees = new Set([allocatorDg, watcherGrantee]);
  for (const s of statements) {
    const st = s.parsed;
    const grantee = granteeOf(st);
    const where = `${s.resource}: "${s.text}"`;
    if (!grantee) {
      problems.push(`${where} grants to a subject that is not one principal of this deployment`);
      continue;
    }
    const pairs = conditionPairs(st.condition);
    const descriptor = `${grantee} | ${grantText(st)} | ${location(st)} | ${pairs.join(", ")}`;
    const isModelled = "permissions" in st.grant || modelled.has(st.grant.resourceType);
    if (!codeGrantees.has(grantee)) {
      grantedPlatform.add(descriptor);
      continue;
    }
    if (!isModelled) {
      problems.push(`statement no code operation needs: ${descriptor}`);
      continue;
    }
    // Conditions a code principal's statement must carry, and nothing else.
    const perms =
      "permissions" in st.grant ? st.grant.permissions : [...permissionsGranted(st.grant.verb, st.grant.resourceType)];
    // The watcher's grant is usable by every pod on the worker nodes (instance principal): one stream only. The
    // token grant: one secret only. Everything else is unconditional.
    const expectedPairs: string[] =
      grantee === watcherGrantee
        ? [`target.stream.id = ${streamId}`]
        : perms.some((p) => p.startsWith("SECRET_"))
          ? [`target.secret.id = ${secretId}`]
          : [];
    if ([...pairs].sort().join(", ") !== [...expectedPairs].sort().join(", ")) {
      problems.push(`${where} has condition [${pairs.join(", ")}], expected [${expectedPairs.join(", ")}]`);
    }
    const key = `${grantee} @ ${location(st)}`;
    if (!granted.has(key)) granted.set(key, new Set());
    for (const p of perms) granted.get(key)!.add(p);
  }

  // --- Compare -------------------------------------------------------------------------------------------------------
  for (const key of new Set([...required.keys(), ...granted.keys()])) {
    const want = required.get(key) ?? new Set<string>();
    const have = granted.get(key) ?? new Set<string>();
    const missing = diff(want, have);
    const extra = diff(have, want);
    if (missing.length > 0) problems.push(`${key} is missing ${missing.join(", ")}`);
    if (extra.length > 0) problems.push(`${key} is granted more than the code needs: ${extra.join(", ")}`);
  }
  for (const d of diff(expectedPlatform, grantedPlatform)) problems.push(`missing platform statement: ${d}`);
  for (const d of diff(grantedPlatform, expectedPlatform)) problems.push(`unexpected platform statement: ${d}`);

  // --- And the emulator's evaluator agrees: every operation of each code principal is allowed
  // -------------------------
  const tree = compartmentTree(vars.tenancy_ocid as string, [
    ...clusterCompartments,
    networkCompartment,
    deployCompartment,
  ]);
  const parsed = statements.map((s) => s.parsed);
  const allocator: Principal = {
    id: "ocid1.fnfunc.oc1..allocator",
    type: "resource",
    groups: [],
    dynamicGroups: [{ name: allocatorDg.slice("dynamic-group ".length) }],
  };
  for (const op of allocatorOps) {
    for (const c of clusterCompartments) {
      const at = { cluster: c, network: networkCompartment, secret: deployCompartment };
      // Work requests check what the spawning BulkCreatePrivateIps needs, where its work request lives (network).
      const readsWorkRequest = op === "GetWorkRequest" || op === "ListWorkRequestErrors";
      const own = readsWorkRequest ? workRequestPermissions("BulkCreatePrivateIps") : [];
      const checks = [...permissionsFor(op, { nsgIds: ["nsg"] }), ...own].map((permission) => ({
        permission,
        compartmentId: at[allocatorLocation(permission)],
      }));
      const result = authorize(
        parsed,
        allocator,
        { operation: op, checks, variables: { "target.secret.id": secretId } },
        tree,
      );
      if (!result.allowed)
        problems.push(
          `IAM evaluator denies the allocator ${op} in ${c}: missing ` +
            `${result.missing.map((m) => m.permission).join(", ")}`,
        );
      if (op === "GetSecretBundle") {
        const other = authorize(
          parsed,
          allocator,
          { operation: op, checks, variables: { "target.secret.id": "ocid1.vaultsecret.oc1..another" } },
          tree,
        );
        if (other.allowed) problems.push("the allocator may read secrets other than the Kubernetes token");
      }
    }
  }
  const watcher: Principal = {
    id: "ocid1.instance.oc1..node",
    type: "instance",
    groups: [],
    dynamicGroups: [{ name: watcherGrantee.slice("dynamic-group ".length) }],
  };
  for (const op of watcherOps as OciOperation[]) {
    const checks = permissionsFor(op).map((permission) => ({ permission, compartmentId: deployCompartment }));
    const result = authorize(
      parsed,
      watcher,
      { operation: op, checks, variables: { "target.stream.id": streamId } },
      tree,
    );
    if (!result.allowed)
      problems.push(
        `IAM evaluator denies the watcher ${op}: missing ${result.missing.map((m) => m.permission).join(", ")}`,
      );
    const elsewhere = authorize(
      parsed,
      watcher,
      { operation: op, checks, variables: { "target.stream.id": "ocid1.stream.oc1..another" } },
      tree,
    );
    if (elsewhere.allowed) problems.push(`the watcher may ${op} to streams other than the nudge stream`);
  }
  return { problems, statements };
}

/** The tenancy with each compartment directly below it (names are not used: statements name compartments by id). */
function compartmentTree(tenancyId: string, compartments: string[]) {
  const known = new Set(compartments);
  return {
    tenancyId,
    resolve: () => undefined,
    lineage: (id: string) => (known.has(id) ? [id, tenancyId] : [id]),
  };
}
