import { ConfigError } from "../errors";

/**
 * Parsers for configuration values given as strings (environment, fn config, a config file). An error names the key
 * and what is wrong, never the value itself: a value can be a secret (a token, a URL with credentials), and errors
 * reach logs and function results.
 */

/** What can be said of a bad value without repeating it. */
function shape(raw: string): string {
  return raw.trim() === "" ? " (it is empty)" : ` (got a value of ${raw.length} characters)`;
}

export function parseInteger(key: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(key, `must be an integer${shape(raw)}`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(key, `must be between ${min} and ${max}`);
  return value;
}

export function parseNumber(key: string, raw: string, min: number): number {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value) || value < min)
    throw new ConfigError(key, `must be a number ≥ ${min}${shape(raw)}`);
  return value;
}

export function parseBoolean(key: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (["true", "1", "yes"].includes(v)) return true;
  if (["false", "0", "no", ""].includes(v)) return false;
  throw new ConfigError(key, `must be true or false${shape(raw)}`);
}

/** A comma-separated list; blanks dropped. */
export function parseList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `key=value,key=value` into a map; a key without `=` is an error. */
export function parseTags(key: string, raw: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [i, pair] of parseList(raw).entries()) {
    const at = pair.indexOf("=");
    if (at <= 0)
      throw new ConfigError(key, `expects key=value pairs separated by commas; item ${i + 1} has no key before "="`);
    tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return tags;
}

export function parseOcidList(key: string, raw: string, resourceType: string): string[] {
  const ids = parseList(raw);
  for (const [i, id] of ids.entries()) {
    if (!id.startsWith(`ocid1.${resourceType}.`))
      throw new ConfigError(
        key,
        `item ${i + 1} is not a ${resourceType} OCID (it must start with ocid1.${resourceType}.)`,
      );
  }
  return ids;
}

export function parseEnum<T extends string>(key: string, raw: string, allowed: readonly T[]): T {
  const v = raw.trim() as T;
  if (!allowed.includes(v)) throw new ConfigError(key, `must be one of ${allowed.join(", ")}${shape(raw)}`);
  return v;
}

/** An http(s) URL without trailing slashes; anything else is an error naming the key. */
export function parseHttpUrl(key: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
    return raw.replace(/\/+$/, "");
  } catch {
    // Never echo the value: a URL can carry credentials (user:password@host, a token in the query).
    throw new ConfigError(key, `must be an http(s) URL${shape(raw)}`);
  }
}

/**
 * The keys of an environment that start with `prefix`; the rest is never read or kept (a function's ctx.config is
 * its whole environment, credentials included).
 */
export function pickPrefixedKeys(env: Record<string, string | undefined>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith(prefix) && value !== undefined) out[key] = value;
  return out;
}
