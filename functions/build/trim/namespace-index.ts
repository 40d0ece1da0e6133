/**
 * Trimming of the CommonJS index files TypeScript emits for `export * as`-style namespaces (oci-core's
 * lib/model/index.js requires all 2,163 models, lib/request/index.js every request): each export is the pair
 *   const Name = __importStar(require("./file"));
 *   exports.Name = Name.Name;
 * preceded by `exports.A = exports.B = … = void 0;` declarations. Pure text processing.
 */

const PAIR_HEAD = /^const ([A-Za-z_$][\w$]*) = __importStar\(require\("(\.\/[^"]+)"\)\);$/;
const VOID_DECLARATION = /^exports\.[\w$]+ = (?:exports\.[\w$]+ = )*void 0;$/;

/** Every `Name → ./file` pair of an index file, in order. */
export function namespaceEntries(text: string): Array<{ name: string; file: string }> {
  const entries: Array<{ name: string; file: string }> = [];
  for (const line of text.split("\n")) {
    const m = PAIR_HEAD.exec(line);
    if (m) entries.push({ name: m[1]!, file: m[2]! });
  }
  return entries;
}

/** The index with only the entries in `keep` (and without the `= void 0` declarations, which only pre-declare). */
export function trimNamespaceIndex(text: string, keep: ReadonlySet<string>): string {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (VOID_DECLARATION.test(line)) continue;
    const m = PAIR_HEAD.exec(line);
    if (m) {
      const next = lines[i + 1] ?? "";
      const expected = `exports.${m[1]} = ${m[1]}.${m[1]};`;
      if (next !== expected) {
        throw new Error(`index entry ${m[1]}: expected "${expected}" next, got ${next.slice(0, 120)}`);
      }
      if (keep.has(m[1]!)) out.push(line, next);
      i++;
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

const LOCAL_REQUIRE = /^const ([A-Za-z_$][\w$]*) = (?:__importStar\()?require\("\.{1,2}\/[^"]+"\)\)?;$/;

/**
 * Drops top-level `const x = require("./…")` lines whose binding nothing else mentions (the waiters a trimmed
 * client no longer creates). Only relative requires: a package's require may be there for its side effects.
 */
export function dropUnusedLocalRequires(text: string): string {
  const lines = text.split("\n");
  const unused = new Set<number>();
  lines.forEach((line, i) => {
    const m = LOCAL_REQUIRE.exec(line);
    if (!m) return;
    const word = new RegExp(`(?<![\\w$])${m[1]!.replace(/\$/g, "\\$")}(?![\\w$])`);
    if (!lines.some((other, j) => j !== i && word.test(other))) unused.add(i);
  });
  return lines.filter((_, i) => !unused.has(i)).join("\n");
}
