import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePolicyStatement } from "../../lib/testbed/iam";
import type { Body, TerraformConfig } from "./terraform";

/**
 * The alarm check: the log-line metric of infra/terraform/monitoring.tf must be made from the invocation log, with
 * each dimension read from a field the allocator really writes in its JSON log lines; every alarm on that metric
 * must filter on those dimensions with values the code produces; alarms must exist for invocations reporting
 * ok:false and for nodes AtCapacity and in Error; the connector's policy must let only connectors of compartment_id
 * write only that namespace. Returns the problems (empty = consistent).
 */

export interface AlarmDefinition {
  namespace: string;
  query: string;
  severity: string;
}

/** Sources of the lines the metric is made from: the per-node summary and the per-invocation line. */
const LOG_SOURCES = ["lib/reconcile/reconcile-node.ts", "functions/allocator/handler.ts"];

/** Fields of the allocator's JSON log lines: explicit keys of log calls, plus pino's own `level` (lib/log.ts). */
function loggedField(repo: string, field: string): boolean {
  if (field === "level")
    return /formatters: \{ level: \(label\) => \(\{ level: label \}\) \}/.test(
      readFileSync(join(repo, "lib", "log.ts"), "utf8"),
    );
  return LOG_SOURCES.some((f) => new RegExp(`[{,]\\s*${field}[:,}]`).test(readFileSync(join(repo, f), "utf8")));
}

/** Members of the NodeState union (lib/core/model.ts): the values of the `state` field. */
function nodeStates(repo: string): string[] {
  const m = /export type NodeState = ([^;]+);/.exec(readFileSync(join(repo, "lib", "core", "model.ts"), "utf8"));
  return m ? [...m[1]!.matchAll(/"(\w+)"/g)].map((x) => x[1]!) : [];
}

/** What each dimension may equal in an alarm query, as the code writes it (JMESPath prints booleans bare). */
function producedValues(repo: string, field: string): string[] | undefined {
  if (field === "ok") return ["true", "false"];
  if (field === "state") return nodeStates(repo);
  if (field === "level") return ["trace", "debug", "info", "warn", "error", "fatal"];
  return undefined;
}

export function checkAlarms(config: TerraformConfig, repo: string): string[] {
  const problems: string[] = [];
  const connector = config.resources.oci_sch_service_connector?.log_metrics;
  const dims = config.locals.log_metric_dimensions as Record<string, string> | undefined;
  const metric = config.locals.log_metric_name as string | undefined;
  const alarms = config.locals.alarm_definitions as Record<string, AlarmDefinition> | undefined;
  if (!connector || !dims || !metric || !alarms)
    return ["monitoring.tf: no log_metrics connector, log_metric_dimensions, log_metric_name or alarm_definitions"];

  if (connector.count !== "${var.enable_alarms ? 1 : 0}")
    problems.push("the log_metrics connector is not created exactly when enable_alarms is set");
  const source = (connector.source as Body[])[0]!;
  const logSource = (source.log_sources as Body[] | undefined)?.[0];
  if (
    source.kind !== "logging" ||
    logSource?.log_id !== "${oci_logging_log.invoke.id}" ||
    logSource?.log_group_id !== "${oci_logging_log_group.ocipam.id}"
  ) {
    problems.push("the log_metrics connector does not read the function's invocation log");
  }
  const target = (connector.target as Body[])[0]!;
  if (
    target.kind !== "monitoring" ||
    target.metric_namespace !== "${var.alarm_metric_namespace}" ||
    target.metric !== "${local.log_metric_name}"
  ) {
    problems.push("the log_metrics connector does not write <alarm_metric_namespace>/<log_metric_name> to Monitoring");
  }
  const dynamic = ((target.dynamic as Record<string, Body[]> | undefined)?.dimensions ?? [])[0];
  const content = (dynamic?.content as Body[] | undefined)?.[0];
  const value = (content?.dimension_value as Body[] | undefined)?.[0];
  if (
    dynamic?.for_each !== "${local.log_metric_dimensions}" ||
    content?.name !== "${dimensions.key}" ||
    value?.kind !== "jmesPath" ||
    value?.path !== "logContent.data.message.${dimensions.value}"
  ) {
    problems.push(
      "the connector's dimensions are not read from logContent.data.message.<field> " +
        "for each of local.log_metric_dimensions",
    );
  }
  for (const [name, field] of Object.entries(dims)) {
    if (!loggedField(repo, field))
      problems.push(`dimension ${name}: the allocator's log lines carry no field ${field}`);
  }

  const filters = new Map<string, Map<string, string>>(); // alarm -> dimension -> value
  for (const [name, alarm] of Object.entries(alarms)) {
    if (alarm.namespace === "oci_faas") continue;
    if (alarm.namespace !== "${var.alarm_metric_namespace}") {
      problems.push(`alarm ${name}: namespace ${alarm.namespace} is neither oci_faas nor the log-line metric's`);
      continue;
    }
    const q = /^\$\{local\.log_metric_name\}\[(\d+m)\]\{([^}]*)\}\.count\(\) > 0$/.exec(alarm.query);
    if (!q) {
      problems.push(
        `alarm ${name}: query is not <log_metric_name>[interval]{dimension = "value", ...}.count() > 0: ${alarm.query}`,
      );
      continue;
    }
    const f = new Map<string, string>();
    for (const part of q[2]!.split(",").map((p) => p.trim())) {
      const m = /^(\w+) = "([^"]*)"$/.exec(part);
      if (!m) {
        problems.push(`alarm ${name}: cannot read the dimension filter ${part}`);
        continue;
      }
      f.set(m[1]!, m[2]!);
      const field = dims[m[1]!];
      if (!field) problems.push(`alarm ${name}: filters on ${m[1]}, which the connector does not write`);
      const values = field ? producedValues(repo, field) : undefined;
      if (values && !values.includes(m[2]!))
        problems.push(`alarm ${name}: ${m[1]} = "${m[2]}" is a value the code never writes (${values.join(", ")})`);
    }
    filters.set(name, f);
  }
  const covered = (dim: string, v: string) => [...filters.values()].some((f) => f.size === 1 && f.get(dim) === v);
  for (const [dim, v, what] of [
    ["ok", "false", "invocations reporting ok:false"],
    ["state", "AtCapacity", "nodes AtCapacity"],
    ["state", "Error", "nodes in Error"],
  ] as const) {
    if (!covered(dim, v)) problems.push(`no alarm for ${what} (${dim} = "${v}")`);
  }

  const policy = config.resources.oci_identity_policy?.log_metrics;
  const statements = (policy?.statements ?? []) as string[];
  if (policy?.count !== "${var.enable_alarms ? 1 : 0}" || statements.length !== 1) {
    problems.push("oci_identity_policy.log_metrics: expected one statement, created exactly when enable_alarms is set");
  } else {
    const text = statements[0]!
      .replace(/\$\{var\.compartment_id\}/g, "ocid1.compartment.oc1..c")
      .replace(/\$\{var\.alarm_metric_namespace\}/g, "ns");
    const s = parsePolicyStatement(text);
    const grant = "verb" in s.grant ? `${s.grant.verb} ${s.grant.resourceType}` : "a permission list";
    if (grant !== "use metrics") problems.push(`the connector's policy grants ${grant}, expected use metrics`);
    if (s.location.kind !== "compartment" || s.location.value !== "ocid1.compartment.oc1..c")
      problems.push("the connector's policy is not limited to compartment_id");
    const conditionText = JSON.stringify(s.condition ?? {});
    for (const needed of [
      "request.principal.type",
      "serviceconnector",
      "request.principal.compartment.id",
      "target.metrics.namespace",
      '"ns"',
    ]) {
      if (!conditionText.includes(needed)) problems.push(`the connector's policy condition lacks ${needed}`);
    }
  }
  return problems;
}
