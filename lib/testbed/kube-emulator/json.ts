/**
 * JSON value helpers for the emulator. Objects are stored and exchanged as plain JSON trees (what the API
 * server's unstructured machinery works on), so every helper here treats values as parsed JSON: no Dates, no
 * undefined inside arrays, no class instances.
 */
export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy through JSON: stored objects must never share structure with what callers hold. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Semantic equality of two JSON values (numbers by value, object keys unordered), as
 * apimachinery's `equality.Semantic.DeepEqual` compares unstructured content.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Reads `obj.a.b.c` without throwing; undefined when any step is missing or not an object. */
export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The object at `obj[key]`, created (as {}) when absent or not an object. */
export function ensureObject(obj: JsonObject, key: string): JsonObject {
  const cur = obj[key];
  if (isObject(cur)) return cur;
  const created: JsonObject = {};
  obj[key] = created;
  return created;
}

export function stringValue(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
