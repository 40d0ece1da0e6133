import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** One import of a source file: what it names, resolved to a repository path for relative imports. */
export interface ImportEdge {
  from: string;
  /** A repository path without extension (`lib/core/model`) or a package name (`oci-core`, `node:fs`). */
  to: string;
  typeOnly: boolean;
  line: number;
}

const SOURCE = /\.(ts|cjs|mjs|js)$/;
// Static imports and re-exports, require() and dynamic import() with a literal specifier.
const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^;'"]*?\sfrom\s+)?["']([^"']+)["']|\brequire\(\s*["']([^"']+)["']\s*\)|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** Every source file under `dirs` (relative to `root`), skipping node_modules and build output. */
export function sourceFiles(root: string, dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir))) {
      if (entry === "node_modules" || entry === "dist") continue;
      const path = join(dir, entry);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (SOURCE.test(entry) && !entry.endsWith(".d.ts")) out.push(path);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/** The imports of one file, with relative specifiers resolved against the file's folder. */
export function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(join(root, file), "utf8");
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4] ?? m[5]!;
    const line = text.slice(0, m.index).split("\n").length;
    const to = spec.startsWith(".")
      ? relative(".", normalize(join(dirname(file), spec)))
          .replace(/\\/g, "/")
          .replace(SOURCE, "")
      : spec;
    edges.push({ from: file, to, typeOnly: m[2] !== undefined, line });
  }
  return edges;
}

/** `path` is `folder` or inside it. */
export function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}
