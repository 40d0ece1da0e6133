import { parse } from "@cdktf/hcl2json";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

/**
 * The Terraform of infra/terraform as data: every `.tf` file parsed with @cdktf/hcl2json (HCL → JSON; expressions stay
 * strings such as "${var.x}") and merged. Plus a deliberately tiny evaluator for the few expression shapes this
 * configuration uses where tests need values (count/for_each switches, compartment locals, config values). An
 * expression outside those shapes is an error, which keeps the policies and the config map analysable.
 */

export type Body = Record<string, unknown>;

export interface TerraformConfig {
  dir: string;
  files: string[];
  /** type → name → body (hcl2json wraps each block in a one-element array; unwrapped here). */
  resources: Record<string, Record<string, Body>>;
  variables: Record<string, Body>;
  locals: Record<string, unknown>;
  outputs: Record<string, Body>;
  /** The raw parsed JSON of each file, for scans over everything. */
  parsed: Record<string, unknown>;
}

async function tfFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== ".terraform") out.push(...(await tfFiles(path)));
    else if (entry.isFile() && entry.name.endsWith(".tf")) out.push(path);
  }
  return out.sort();
}

const one = (v: unknown): Body => (Array.isArray(v) ? (v[0] as Body) : (v as Body));

/** Parses every .tf file under `dir`. A syntax error rejects with the file name. */
export async function loadTerraform(dir: string): Promise<TerraformConfig> {
  const config: TerraformConfig = { dir, files: [], resources: {}, variables: {}, locals: {}, outputs: {}, parsed: {} };
  for (const file of await tfFiles(dir)) {
    const name = relative(dir, file);
    let json: Record<string, unknown>;
    try {
      json = (await parse(name, await readFile(file, "utf8"))) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    config.files.push(name);
    config.parsed[name] = json;
    for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [rname, body] of Object.entries(byName)) {
        config.resources[type] ??= {};
        if (config.resources[type]![rname]) throw new Error(`${name}: resource ${type}.${rname} defined twice`);
        config.resources[type]![rname] = one(body);
      }
    }
    for (const [vname, body] of Object.entries((json.variable ?? {}) as Record<string, unknown>))
      config.variables[vname] = one(body);
    for (const block of (json.locals ?? []) as Body[]) Object.assign(config.locals, block);
    for (const [oname, body] of Object.entries((json.output ?? {}) as Record<string, unknown>))
      config.outputs[oname] = one(body);
  }
  return config;
}

/** Values of input variables for one evaluation: the declared defaults, overridden by `given`. */
export function variableValues(config: TerraformConfig, given: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, body] of Object.entries(config.variables)) if ("default" in body) values[name] = body.default;
  return { ...values, ...given };
}

/**
 * Stand-in for attributes only known after apply: `oci_vault_secret.kube_token.id` →
 * `ocid1.tf.oci_vault_secret.kube_token`.
 */
export function resourceAttribute(type: string, name: string, attribute: string): string {
  if (type === "oci_identity_dynamic_group" && attribute === "name") return `dg-${name.replace(/_/g, "-")}`;
  return `ocid1.tf.${type}.${name}`;
}

export interface EvalContext {
  config: TerraformConfig;
  vars: Record<string, unknown>;
  each?: string;
}

function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote = false;
  let current = "";
  for (const c of text) {
    if (c === '"') quote = !quote;
    if (!quote && (c === "(" || c === "[" || c === "{")) depth++;
    if (!quote && (c === ")" || c === "]" || c === "}")) depth--;
    if (!quote && depth === 0 && c === ",") {
      args.push(current.trim());
      current = "";
    } else current += c;
  }
  if (current.trim() !== "") args.push(current.trim());
  return args;
}

/** The last of `ops` outside parentheses and quotes (left-associative: a / b * c is (a / b) * c), if any. */
function topLevelOperator(e: string, ops: string[]): { left: string; op: string; right: string } | undefined {
  let depth = 0;
  let quote = false;
  for (let i = e.length - 1; i >= 0; i--) {
    const c = e[i]!;
    if (c === '"') quote = !quote;
    if (quote) continue;
    if (c === ")" || c === "]" || c === "}") depth++;
    if (c === "(" || c === "[" || c === "{") depth--;
    if (depth !== 0) continue;
    const op = ops.find((o) => e.startsWith(o, i));
    if (op) return { left: e.slice(0, i), op, right: e.slice(i + op.length) };
  }
  return undefined;
}

/**
 * Evaluates one bare expression (no surrounding `${}`) of the supported shapes:
 * string/number/bool/null literals, `var.x`, `var.x[0]`, `local.x`, `each.value`, `<type>.<name>[0]?.<attr>`,
 * `coalesce(...)`, `toset(x)`, `toset([])`, `join(",", x)`, `tostring(x)`, `trimsuffix(x, "s")`, `base64encode(x)`,
 * `max(...)`, `floor(x)`, `a / b`, `a * b`,
 * `a == "lit"`, `a != null`, `a && b`, `cond ? a : b`.
 */
export function evaluate(expr: string, ctx: EvalContext): unknown {
  const e = expr.trim();
  const ternary = /^(.+?) \? (.+) : (.+)$/s.exec(e);
  if (ternary) return evaluate(ternary[1]!, ctx) ? evaluate(ternary[2]!, ctx) : evaluate(ternary[3]!, ctx);
  if (e.includes(" && ")) return e.split(" && ").every((part) => Boolean(evaluate(part, ctx)));
  const cmp = /^(.+?) (==|!=) (.+)$/.exec(e);
  if (cmp) {
    const equal = evaluate(cmp[1]!, ctx) === evaluate(cmp[3]!, ctx);
    return cmp[2] === "==" ? equal : !equal;
  }
  const arithmetic = topLevelOperator(e, [" / ", " * "]);
  if (arithmetic) {
    const [a, b] = [Number(evaluate(arithmetic.left, ctx)), Number(evaluate(arithmetic.right, ctx))];
    return arithmetic.op === " / " ? a / b : a * b;
  }
  if (/^"[^"]*"$/.test(e)) return e.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (e === "true" || e === "false") return e === "true";
  if (e === "null") return null;
  if (e === "[]") return [];
  if (e === "each.value") {
    if (ctx.each === undefined) throw new Error("each.value outside for_each");
    return ctx.each;
  }
  const v = /^var\.(\w+)(\[(\d+)\])?$/.exec(e);
  if (v) {
    if (!(v[1]! in ctx.vars)) throw new Error(`no value for var.${v[1]}`);
    const value = ctx.vars[v[1]!];
    return v[3] === undefined ? value : (value as unknown[])[Number(v[3])];
  }
  const l = /^local\.(\w+)$/.exec(e);
  if (l) {
    const raw = ctx.config.locals[l[1]!];
    if (typeof raw !== "string") throw new Error(`local.${l[1]} is not a string expression`);
    return evaluateTemplate(raw, ctx);
  }
  const res = /^(oci_\w+)\.(\w+)(\[\d+\])?\.(\w+)$/.exec(e);
  if (res) return resourceAttribute(res[1]!, res[2]!, res[4]!);
  const call = /^(\w+)\((.*)\)$/s.exec(e);
  if (call) {
    const args = splitArgs(call[2]!).map((a) => evaluate(a, ctx));
    switch (call[1]) {
      case "coalesce":
        return args.find((a) => a !== null && a !== undefined && a !== "");
      case "toset":
        return [...new Set(args[0] as unknown[])];
      case "join":
        return (args[1] as unknown[]).join(args[0] as string);
      case "tostring":
        return args[0] === null ? null : String(args[0]);
      case "trimsuffix":
        return (args[0] as string).endsWith(args[1] as string)
          ? (args[0] as string).slice(0, -(args[1] as string).length)
          : args[0];
      case "max":
        return Math.max(...args.map(Number));
      case "floor":
        return Math.floor(Number(args[0]));
      case "base64encode":
        return Buffer.from(args[0] as string, "utf8").toString("base64");
    }
  }
  throw new Error(`unsupported expression: ${e}`);
}

/** Evaluates a hcl2json string: a pure `${expr}` keeps the value's type; text with interpolations gives a string. */
export function evaluateTemplate(value: string, ctx: EvalContext): unknown {
  const whole = /^\$\{([^}]*|.*\})\}$/s.exec(value);
  if (whole && !value.slice(2, -1).includes("${")) return evaluate(whole[1]!, ctx);
  return value.replace(/\$\{([^{}]*)\}/g, (_, inner: string) => {
    const result = evaluate(inner, ctx);
    if (result === null || result === undefined) throw new Error(`interpolation of null: ${inner}`);
    return String(result);
  });
}

/** The instances a resource block expands to under `vars`: one per for_each element, or `count` copies. */
export function instancesOf(body: Body, ctx: EvalContext): Array<string | undefined> {
  if (typeof body.for_each === "string") {
    const set = evaluateTemplate(body.for_each, ctx);
    if (!Array.isArray(set)) throw new Error(`for_each did not give a set: ${body.for_each}`);
    return set.map(String);
  }
  if (typeof body.count === "string") {
    const n = evaluateTemplate(body.count, ctx);
    if (typeof n !== "number") throw new Error(`count did not give a number: ${body.count}`);
    return Array.from({ length: n }, () => undefined);
  }
  return [undefined];
}
