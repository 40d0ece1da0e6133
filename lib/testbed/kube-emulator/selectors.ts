/**
 * Label and field selectors with the syntax of k8s.io/apimachinery pkg/labels/selector.go and
 * pkg/fields/selector.go. Parsing errors throw SelectorSyntaxError; the HTTP layer answers 400 BadRequest.
 */
export class SelectorSyntaxError extends Error {}

type LabelOp = "exists" | "!" | "=" | "!=" | "in" | "notin" | "gt" | "lt";

interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export interface LabelSelector {
  /** True when every requirement holds for these labels (an empty selector matches everything). */
  matches(labels: Record<string, string> | undefined): boolean;
  readonly empty: boolean;
}

/** Splits on top-level commas (commas inside "(...)" of in/notin belong to the value list). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY_RE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function checkKey(key: string): string {
  if (!KEY_RE.test(key))
    throw new SelectorSyntaxError(`unable to parse requirement: invalid label key ${JSON.stringify(key)}`);
  return key;
}

function parseRequirement(text: string): LabelRequirement {
  let m = /^!\s*(\S+)$/.exec(text);
  if (m) return { key: checkKey(m[1]), op: "!", values: [] };
  m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (m) {
    const values = m[3].split(",").map((v) => v.trim());
    return { key: checkKey(m[1]), op: m[2] as LabelOp, values };
  }
  m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(text);
  if (m) {
    const op: LabelOp = m[2] === "!=" ? "!=" : m[2] === ">" ? "gt" : m[2] === "<" ? "lt" : "=";
    const value = m[3].trim();
    if ((op === "gt" || op === "lt") && !/^-?\d+$/.test(value)) {
      throw new SelectorSyntaxError(
        `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    }
    return { key: checkKey(m[1]), op, values: [value] };
  }
  if (/^\S+$/.test(text)) return { key: checkKey(text), op: "exists", values: [] };
  throw new SelectorSyntaxError(`unable to parse requirement: ${JSON.stringify(text)}`);
}

/** Parses `labelSelector` (e.g. "app=x,tier!=db,env in (a,b),!legacy"). */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  const reqs = text ? splitTopLevel(text).map(parseRequirement) : [];
  return {
    empty: reqs.length === 0,
    matches(labels) {
      const l = labels ?? {};
      return reqs.every((r) => {
        const has = Object.hasOwn(l, r.key);
        const v = l[r.key];
        switch (r.op) {
          case "exists":
            return has;
          case "!":
            return !has;
          case "=":
          case "in":
            return has && r.values.includes(v);
          case "!=":
          case "notin":
            return !has || !r.values.includes(v);
          case "gt":
            return has && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0]);
          case "lt":
            return has && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0]);
        }
        return false;
      });
    },
  };
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
  /** The value when the selector requires `field=value` exactly (RequiresExactMatch). */
  exactMatch(field: string): string | undefined;
}

/** Splits on unescaped commas and unescapes `\,` `\=` `\\` (fields.UnescapeValue). */
function splitEscaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "\\" && i + 1 < s.length) {
      cur += ch + s[i + 1];
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unescapeSelectorValue(s: string): string {
  return s.replace(/\\([\\,=])/g, "$1");
}

/** Parses `fieldSelector` (e.g. "spec.nodeName=worker-1,status.phase!=Succeeded"). */
export function parseFieldSelector(text: string | undefined): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of text ? splitEscaped(text, ",") : []) {
    if (part.trim() === "") continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/s.exec(part);
    if (!m) throw new SelectorSyntaxError(`invalid selector: '${text}'; can't understand '${part}'`);
    requirements.push({ field: m[1].trim(), op: m[2] === "!=" ? "!=" : "=", value: unescapeSelectorValue(m[3]) });
  }
  return {
    requirements,
    exactMatch(field) {
      return requirements.find((r) => r.field === field && r.op === "=")?.value;
    },
  };
}
