/**
 * A small reader of the Terraform Plugin SDK schema literals in oracle/terraform-provider-oci's `*_resource.go` files:
 * `Schema: map[string]*schema.Schema{ "name": { Type: schema.TypeString, Required: true, ... }, ... }`, with nested
 * blocks as `Elem: &schema.Resource{ Schema: map[string]*schema.Schema{ ... } }`. It reads only literals (the
 * provider's generated resources write their schemas inline); anything else is an error naming the field, so a
 * schema the reader cannot understand is never silently taken as empty.
 */

export type Mode = "required" | "optional" | "computed";

export interface GoField {
  /** schema.TypeString, TypeList, ... without the `schema.` prefix. */
  type: string;
  mode: Mode;
  /** Optional + Computed: the provider fills it when the configuration leaves it out. */
  optionalComputed?: boolean;
  forceNew?: boolean;
  deprecated?: boolean;
  maxItems?: number;
  minItems?: number;
  /** validation.StringInSlice values and whether case is ignored. */
  validValues?: string[];
  ignoreCase?: boolean;
  conflictsWith?: string[];
  /** A nested block (TypeList/TypeSet whose Elem is a schema.Resource). */
  block?: Record<string, GoField>;
}

export interface GoResource {
  fields: Record<string, GoField>;
  /** `Timeouts:` is set on the resource: a `timeouts {}` block is accepted. */
  timeouts: boolean;
}

/** Index just after the bracket that closes the one at `open` (`{`, `(` or `[`), skipping strings and comments. */
function matching(text: string, open: number): number {
  const pairs: Record<string, string> = { "{": "}", "(": ")", "[": "]" };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "`") {
      i = text.indexOf("`", i + 1);
    } else if (c === "/" && text[i + 1] === "/") {
      i = text.indexOf("\n", i);
      if (i < 0) break;
    } else if (c in pairs) {
      stack.push(pairs[c]!);
    } else if (c === "}" || c === ")" || c === "]") {
      if (stack.pop() !== c) throw new Error(`unbalanced ${c} at ${i}`);
      if (stack.length === 0) return i + 1;
    }
  }
  throw new Error(`no closing bracket for the one at ${open}`);
}

/** Top-level `key: value` pairs of a Go composite literal body (without its braces). */
function pairsOf(body: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const skip = /^(\s+|\/\/[^\n]*\n?|,)/.exec(rest);
    if (skip) {
      i += skip[0].length;
      continue;
    }
    const key = /^("(?:[^"\\]|\\.)*"|[A-Za-z_][\w.]*)\s*:\s*/.exec(rest);
    if (!key) throw new Error(`cannot read a field at: ${rest.slice(0, 60)}`);
    i += key[0].length;
    // The value runs to the next comma at depth 0.
    let j = i;
    while (j < body.length && body[j] !== "," && body[j] !== "\n") {
      if ("{([".includes(body[j]!)) j = matching(body, j);
      else if (body[j] === '"') j = body.indexOf('"', j + 1) + 1;
      else if (body[j] === "`") j = body.indexOf("`", j + 1) + 1;
      else j++;
    }
    out.push([key[1]!.replace(/^"|"$/g, ""), body.slice(i, j).trim()]);
    i = j;
  }
  return out;
}

function stringsIn(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
}

function parseField(name: string, body: string): GoField {
  const f: Partial<GoField> & { required?: boolean; optional?: boolean; computed?: boolean } = {};
  for (const [key, value] of pairsOf(body)) {
    switch (key) {
      case "Type":
        f.type = value.replace(/^schema\./, "");
        break;
      case "Required":
        f.required = value === "true";
        break;
      case "Optional":
        f.optional = value === "true";
        break;
      case "Computed":
        f.computed = value === "true";
        break;
      case "ForceNew":
        if (value === "true") f.forceNew = true;
        break;
      case "Deprecated":
        f.deprecated = true;
        break;
      case "MaxItems":
        f.maxItems = Number(value);
        break;
      case "MinItems":
        f.minItems = Number(value);
        break;
      case "ConflictsWith":
        f.conflictsWith = stringsIn(value);
        break;
      case "ValidateFunc": {
        const inSlice = /^validation\.StringInSlice\(\[\]string\{([\s\S]*)\},\s*(true|false)\s*\)$/.exec(value);
        // Only lists of string literals: a list naming SDK constants (string(oci_x.StateActive)) is not read.
        const items = (inSlice?.[1] ?? "")
          .split(",")
          .map((x) => x.trim())
          .filter((x) => x !== "");
        if (inSlice && items.length > 0 && items.every((x) => /^"(?:[^"\\]|\\.)*"$/.test(x))) {
          f.validValues = stringsIn(inSlice[1]!);
          f.ignoreCase = inSlice[2] === "true";
        }
        break;
      }
      case "Elem": {
        const nested = /^&schema\.Resource\s*\{/.exec(value);
        if (nested) {
          const open = value.indexOf("{");
          const inner = pairsOf(value.slice(open + 1, matching(value, open) - 1));
          const schema = inner.find(([k]) => k === "Schema");
          if (!schema) throw new Error(`${name}: Elem schema.Resource without an inline Schema`);
          f.block = parseSchemaMap(schema[1]);
        } else if (!/^(&schema\.Schema\s*\{|schema\.Type\w+$)/.test(value)) {
          throw new Error(`${name}: Elem is not a literal: ${value.slice(0, 60)}`);
        }
        break;
      }
    }
  }
  if (!f.type) throw new Error(`${name}: no Type`);
  const mode: Mode = f.required ? "required" : f.optional ? "optional" : "computed";
  if (!f.required && !f.optional && !f.computed) throw new Error(`${name}: neither Required, Optional nor Computed`);
  const out: GoField = { type: f.type, mode };
  if (f.optional && f.computed) out.optionalComputed = true;
  for (const k of [
    "forceNew",
    "deprecated",
    "maxItems",
    "minItems",
    "validValues",
    "ignoreCase",
    "conflictsWith",
    "block",
  ] as const) {
    if (f[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = f[k];
  }
  return out;
}

/** Parses `map[string]*schema.Schema{ ... }` (the text starting at `map[`). */
export function parseSchemaMap(literal: string): Record<string, GoField> {
  const start = /^map\[string\]\*schema\.Schema\s*\{/.exec(literal.trim());
  if (!start) throw new Error(`not an inline schema map: ${literal.slice(0, 60)}`);
  const text = literal.trim();
  const open = text.indexOf("{");
  const fields: Record<string, GoField> = {};
  for (const [name, value] of pairsOf(text.slice(open + 1, matching(text, open) - 1))) {
    if (!value.startsWith("{")) throw new Error(`${name}: not a literal schema: ${value.slice(0, 60)}`);
    fields[name] = parseField(name, value.slice(1, -1));
  }
  return fields;
}

/** The schema of the resource built by `func <funcName>() *schema.Resource` in `source`. */
export function parseResource(source: string, funcName: string): GoResource {
  const decl = new RegExp(`func ${funcName}\\(\\) \\*schema\\.Resource \\{`).exec(source);
  if (!decl) throw new Error(`no func ${funcName}() *schema.Resource`);
  const ret = source.indexOf("&schema.Resource{", decl.index);
  const open = source.indexOf("{", ret);
  const pairs = pairsOf(source.slice(open + 1, matching(source, open) - 1));
  const schema = pairs.find(([k]) => k === "Schema");
  if (!schema) throw new Error(`${funcName}: no inline Schema`);
  return { fields: parseSchemaMap(schema[1]), timeouts: pairs.some(([k]) => k === "Timeouts") };
}
