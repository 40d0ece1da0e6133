import { isObject } from "./json";

/**
 * The JSONPath subset CRD printer columns use (k8s.io/client-go/util/jsonpath, wrapped as "{<path>}" by the
 * apiextensions table convertor): `.a.b`, `['a.b']`, `[0]`, `[*]`, `..`-free paths, and filters
 * `[?(@.field=="value")]` / `!=`. Returns every match in document order.
 */
type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "all" }
  | { kind: "filter"; path: string[]; op: "==" | "!="; value: string };

function parse(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const p = path.trim().replace(/^\{/, "").replace(/\}$/, "");
  while (i < p.length) {
    const ch = p[i];
    if (ch === ".") {
      i++;
      let name = "";
      while (i < p.length && p[i] !== "." && p[i] !== "[") name += p[i++];
      if (name) steps.push({ kind: "field", name });
    } else if (ch === "[") {
      const end = p.indexOf("]", i);
      if (end < 0) throw new Error(`unterminated [ in JSONPath ${path}`);
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ kind: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: "field", name: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[^.=!\s]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(\S+))\)$/.exec(inner);
        if (!m) throw new Error(`unsupported JSONPath filter ${inner}`);
        steps.push({
          kind: "filter",
          path: m[1].split(".").filter(Boolean),
          op: m[2] as "==" | "!=",
          value: m[3] ?? m[4] ?? m[5],
        });
      }
    } else if (ch === "$" || ch === "@") {
      i++;
    } else {
      let name = "";
      while (i < p.length && p[i] !== "." && p[i] !== "[") name += p[i++];
      steps.push({ kind: "field", name });
    }
  }
  return steps;
}

function getIn(value: unknown, path: string[]): unknown {
  let cur = value;
  for (const k of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Evaluates `path` on `doc`; an unsupported or malformed path yields no results. */
export function jsonPathFind(doc: unknown, path: string): unknown[] {
  let steps: Step[];
  try {
    steps = parse(path);
  } catch {
    return [];
  }
  let current: unknown[] = [doc];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === "field") {
        if (isObject(v) && v[step.name] !== undefined) next.push(v[step.name]);
      } else if (step.kind === "index") {
        if (Array.isArray(v)) {
          const idx = step.index < 0 ? v.length + step.index : step.index;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
        }
      } else if (step.kind === "all") {
        if (Array.isArray(v)) next.push(...v);
        else if (isObject(v)) next.push(...Object.values(v));
      } else {
        const items = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
        for (const item of items) {
          const got = getIn(item, step.path);
          const text = typeof got === "string" ? got : got === undefined ? undefined : JSON.stringify(got);
          if ((step.op === "==") === (text === step.value)) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
