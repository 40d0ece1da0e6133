import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/**
 * Checks that the repository's documentation stands alone: every relative link of a markdown file points at a path
 * that exists inside the repository, and no file names the private design notes that do not ship with it.
 */

/** Folders that are not the repository's own text: dependencies, build output, local runs (as in .gitignore). */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", ".local"]);
const SKIPPED_PATHS = [/[/\\]bench[/\\]results$/];

/** File kinds scanned for mentions of the private notes (source, docs, manifests, infrastructure). */
export const SCANNED_FILES = /\.(ts|md|ya?ml|tf|json|sh)$|^Dockerfile$/;

/**
 * Ways a file can point at the private notes: the folder itself (`shared/…`, `../shared`) and the note names that
 * were cited with a section number. The two files of this check spell these patterns and are left out of the scan.
 */
const NOTE_MENTION = new RegExp(
  [
    "(?:^|[^\\w@/-])\\.{0,2}/?" + "shared/(?:reference|design)",
    "\\.\\./" + "shared\\b",
    "library-" + "notes",
    "oci-" + "facts",
    "cilium-ipam" + "\\.md",
    "\\bdesign" + "\\.md",
  ].join("|"),
);

/** A link found in a markdown file: its 1-based line and the target as written. */
export interface MarkdownLink {
  line: number;
  target: string;
}

/** What is wrong with one link or one line, for the test's failure message. */
export interface DocFinding {
  file: string;
  line: number;
  problem: string;
}

/** Every file under `root` whose name `pattern` matches, skipping dependencies and build output. */
export function filesUnder(root: string, pattern: RegExp): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        const path = join(dir, entry.name);
        if (!SKIPPED_DIRS.has(entry.name) && !SKIPPED_PATHS.some((p) => p.test(path))) walk(path);
      } else if (entry.isFile() && pattern.test(entry.name)) {
        found.push(join(dir, entry.name));
      }
    }
  };
  walk(root);
  return found.sort();
}

/**
 * The links of a markdown text outside fenced code blocks and inline code: inline `[text](target)`, images
 * `![alt](target)`, reference definitions `[id]: target` and `<a href="target">`.
 */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  let fenced = false;
  markdown.split("\n").forEach((raw, index) => {
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    const text = raw.replace(/`[^`]*`/g, "``");
    const line = index + 1;
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: m[1]! });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(text);
    if (definition) links.push({ line, target: definition[1]! });
    for (const m of text.matchAll(/<a\s[^>]*href="([^"]+)"/g)) links.push({ line, target: m[1]! });
  });
  return links;
}

/** True for a target that is not a file path: a URL with a scheme, a mail address or an anchor in the same page. */
function isExternalOrAnchor(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#") || target.startsWith("//");
}

/**
 * The problems of one markdown file's relative links: a target outside the repository, or one that does not
 * exist. `/x` is read from the repository root, anything else from the file's folder; `#…` and `?…` are dropped.
 */
export function brokenLinks(repo: string, file: string, markdown: string): DocFinding[] {
  const findings: DocFinding[] = [];
  const rel = relative(repo, file);
  for (const { line, target } of markdownLinks(markdown)) {
    if (isExternalOrAnchor(target)) continue;
    const path = decodeURIComponent(target.replace(/[#?].*$/, ""));
    if (path === "") continue;
    const absolute = path.startsWith("/") ? join(repo, path) : resolve(dirname(file), path);
    if (absolute !== repo && !absolute.startsWith(repo + sep)) {
      findings.push({ file: rel, line, problem: `links outside the repository: ${target}` });
    } else if (!existsSync(absolute)) {
      findings.push({ file: rel, line, problem: `links to a path that does not exist: ${target}` });
    }
  }
  return findings;
}

/** The lines of a text that name the private notes. */
export function noteMentions(rel: string, text: string): DocFinding[] {
  const findings: DocFinding[] = [];
  text.split("\n").forEach((line, index) => {
    const m = NOTE_MENTION.exec(line);
    if (m) findings.push({ file: rel, line: index + 1, problem: `names the private notes (${m[0].trim()})` });
  });
  return findings;
}

/**
 * The problems of the repository paths a markdown file names in inline code (`lib/…`, `events/…`, `functions/…`,
 * `infra/…`, `test/…`): each must exist, read from the repository root or from the file's folder. Globs and
 * placeholders (`*`, `{…}`, `<…>`) are skipped, and so is a path of the installed package named just before it
 * (oci-core `lib/model/…`); a trailing `:line` or `#anchor` is dropped.
 */
export function missingNamedPaths(repo: string, file: string, markdown: string): DocFinding[] {
  const findings: DocFinding[] = [];
  let fenced = false;
  markdown.split("\n").forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const m of line.matchAll(/`((?:lib|events|functions|infra|test)\/[^`\s]*)`/g)) {
      const path = m[1]!.replace(/[:#].*$/, "").replace(/[),.;]+$/, "");
      if (/[*{}<>]/.test(path)) continue;
      // "oci-core `lib/model/x.d.ts`" names a file of an installed package, not of the repository.
      const pkg = /([@\w./-]+)\s+$/.exec(line.slice(0, m.index))?.[1];
      if (pkg && existsSync(join(repo, "node_modules", pkg, path))) continue;
      if (!existsSync(join(repo, path)) && !existsSync(resolve(dirname(file), path))) {
        const problem = `names a path that does not exist: ${path}`;
        findings.push({ file: relative(repo, file), line: index + 1, problem });
      }
    }
  });
  return findings;
}

/** Reads a file as UTF-8 (a helper so the test reads like the checks it makes). */
export function readText(file: string): string {
  return readFileSync(file, "utf8");
}
