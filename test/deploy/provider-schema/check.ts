import type { Body, TerraformConfig } from "../terraform";
import { compareVersions, type ProviderSchema, type SchemaField } from "./schema-types";

/**
 * Checks every resource of a parsed Terraform configuration (test/deploy/terraform.ts) against the stored provider
 * schema (oci-provider-schema.json): unknown resource types, unknown attributes or blocks, attributes written as blocks
 * and the reverse, computed-only attributes set, required ones missing (in the resource and in each block written),
 * deprecated fields, literal values outside the provider's allowed list, and fields newer than `lowerBound`, the
 * oldest provider release the version constraint admits. Returns one sentence per problem (empty = consistent).
 */

/** Meta-arguments Terraform takes in every resource (developer.hashicorp.com/terraform/language/meta-arguments). */
const META = new Set(["count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"]);

const isBlockValue = (v: unknown): v is Body[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x));

/** The required mode of a field anywhere from `lowerBound` on (a field optional today may have been required then). */
function requiredSince(field: SchemaField, lowerBound: string): boolean {
  if (field.mode === "required") return true;
  const history = field.modeHistory ?? [];
  // The mode in force at lowerBound is the last change at or before it; changes after it count too.
  let atLower = history.length > 0 ? history[0]!.mode : field.mode;
  for (const h of history) if (compareVersions(h.since, lowerBound) <= 0) atLower = h.mode;
  return (
    atLower === "required" || history.some((h) => compareVersions(h.since, lowerBound) > 0 && h.mode === "required")
  );
}

function checkBody(
  where: string,
  body: Body,
  fields: Record<string, SchemaField>,
  lowerBound: string,
  problems: string[],
  top: boolean,
  timeouts: boolean,
) {
  const written = new Map<string, unknown>();
  for (const [name, value] of Object.entries(body)) {
    if (name === "dynamic") {
      // dynamic "x" { for_each = ..., content { ... } } stands for blocks named x.
      for (const [blockName, defs] of Object.entries(value as Record<string, Body[]>)) {
        written.set(
          blockName,
          (defs ?? []).flatMap((d) => (d.content as Body[] | undefined) ?? [{}]),
        );
      }
      continue;
    }
    if (top && META.has(name)) continue;
    if (top && name === "timeouts" && timeouts) continue;
    written.set(name, value);
  }
  for (const [name, value] of written) {
    const field = fields[name];
    const at = `${where}.${name}`;
    if (!field) {
      problems.push(`${at}: no such attribute or block in the provider schema`);
      continue;
    }
    if (compareVersions(field.introduced, lowerBound) > 0) {
      problems.push(
        `${at}: introduced in provider ${field.introduced} (${field.source}), ` +
          `newer than the constraint's lower bound ${lowerBound}`,
      );
    }
    if (field.deprecated) problems.push(`${at}: deprecated in the provider schema`);
    if (field.kind === "block") {
      if (!isBlockValue(value)) {
        problems.push(`${at}: is a block in the provider schema, written as an attribute`);
        continue;
      }
      if (field.maxItems !== undefined && value.length > field.maxItems)
        problems.push(`${at}: at most ${field.maxItems} block(s), ${value.length} written`);
      value.forEach((b, i) => {
        checkBody(value.length > 1 ? `${at}[${i}]` : at, b, field.fields ?? {}, lowerBound, problems, false, false);
      });
      continue;
    }
    if (isBlockValue(value)) {
      problems.push(`${at}: is an attribute in the provider schema, written as a block`);
      continue;
    }
    if (field.mode === "computed") problems.push(`${at}: computed by the provider, it cannot be set`);
    if (field.validValues && typeof value === "string" && !value.includes("${")) {
      const ok = field.ignoreCase
        ? field.validValues.some((v) => v.toLowerCase() === value.toLowerCase())
        : field.validValues.includes(value);
      if (!ok) problems.push(`${at}: "${value}" is not one of ${field.validValues.join(", ")}`);
    }
  }
  for (const [name, field] of Object.entries(fields)) {
    if (!written.has(name) && requiredSince(field, lowerBound))
      problems.push(`${where}: required ${field.kind} ${name} is missing`);
  }
}

/** Problems of `config` against `schema` for provider releases from `lowerBound` on. */
export function checkAgainstSchema(config: TerraformConfig, schema: ProviderSchema, lowerBound: string): string[] {
  const problems: string[] = [];
  for (const [file, parsed] of Object.entries(config.parsed)) {
    const data = (parsed as Record<string, unknown>).data as Record<string, unknown> | undefined;
    for (const type of Object.keys(data ?? {}))
      problems.push(`${file}: data source ${type} is not in the stored schema (add it to the extractor)`);
  }
  for (const [type, byName] of Object.entries(config.resources)) {
    const resource = schema.resources[type];
    if (!resource) {
      problems.push(`${type}: unknown resource type (not in the stored provider schema ${schema.schemaTag})`);
      continue;
    }
    if (compareVersions(resource.introduced, lowerBound) > 0)
      problems.push(`${type}: introduced in provider ${resource.introduced}, newer than ${lowerBound}`);
    for (const [name, body] of Object.entries(byName))
      checkBody(`${type}.${name}`, body, resource.fields, lowerBound, problems, true, resource.timeouts);
  }
  return problems;
}

export interface Constraint {
  text: string;
  /** Oldest release admitted. */
  lower: string;
  /** First release not admitted (exclusive), if any. */
  upperExclusive?: string;
}

/**
 * Parses a provider version constraint of the forms Terraform documents (developer.hashicorp.com/terraform/language/
 * expressions/version-constraints): `~> X.Y` (>= X.Y.0, < (X+1).0.0), `~> X.Y.Z` (>= X.Y.Z, < X.(Y+1).0),
 * `>= X.Y.Z` and `>= A, < B`. Other operators are refused so the lower bound is never guessed.
 */
export function parseConstraint(text: string): Constraint {
  let lower: string | undefined;
  let upper: string | undefined;
  for (const part of text.split(",").map((p) => p.trim())) {
    const m = /^(~>|>=|<|=)?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(part);
    if (!m) throw new Error(`unsupported version constraint: ${part}`);
    const [maj, min, pat] = [
      Number(m[2]),
      m[3] === undefined ? undefined : Number(m[3]),
      m[4] === undefined ? undefined : Number(m[4]),
    ];
    const v = `v${maj}.${min ?? 0}.${pat ?? 0}`;
    switch (m[1]) {
      case "~>":
        lower = v;
        upper = pat === undefined ? `v${maj + 1}.0.0` : `v${maj}.${(min ?? 0) + 1}.0`;
        if (min === undefined) throw new Error(`~> with only a major version is ambiguous: ${part}`);
        break;
      case ">=":
        lower = v;
        break;
      case "<":
        upper = v;
        break;
      default:
        lower = v;
        upper = `v${maj}.${min ?? 0}.${(pat ?? 0) + 1}`;
    }
  }
  if (!lower) throw new Error(`no lower bound in version constraint: ${text}`);
  return { text, lower, ...(upper ? { upperExclusive: upper } : {}) };
}

/** The `oci` provider's version constraint in versions.tf of `config`. */
export function ociConstraint(config: TerraformConfig): string {
  for (const parsed of Object.values(config.parsed)) {
    for (const tf of ((parsed as Record<string, unknown>).terraform ?? []) as Body[]) {
      for (const rp of (tf.required_providers ?? []) as Body[]) {
        const oci = rp.oci as { source?: string; version?: string } | undefined;
        if (oci?.version) return oci.version;
      }
    }
  }
  throw new Error("no required_providers.oci.version in the configuration");
}
