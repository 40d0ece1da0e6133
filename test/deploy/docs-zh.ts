/**
 * Compares a Simplified Chinese guide (README_CN.md) with its English twin (README.md), so that a change to the
 * English text that the translation has not followed is found by a test instead of by a reader. Prose is not
 * compared (it is translated); what both must share verbatim is: the heading structure (each Chinese heading carries
 * its English twin's anchor as `<a id="...">`, so a renamed English heading shows), the fenced code blocks, the
 * configuration keys, the repository paths and `ocipam` commands written as inline code (and every other inline code
 * span), the relative links, and the key, default and Terraform columns of the generated configuration reference.
 */

/** One `##` or `###` heading outside fenced blocks: its level, its text as written and its 1-based line. */
export interface Heading {
  level: number;
  text: string;
  line: number;
}

/** A markdown file split into fenced code blocks (verbatim, fences included) and the prose around them. */
export interface SplitMarkdown {
  blocks: string[];
  /** The file with every fenced block replaced by an empty line, so prose checks never read code. */
  prose: string;
}

/** Splits off fenced code blocks, including blocks indented inside list items (the fence keeps its indent). */
export function splitFences(markdown: string): SplitMarkdown {
  const lines = markdown.split("\n");
  const blocks: string[] = [];
  const prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```/.exec(lines[i]!);
    if (!open) {
      prose.push(lines[i]!);
      continue;
    }
    let j = i + 1;
    while (j < lines.length && !(lines[j]!.startsWith(open[1] + "```") && lines[j]!.trim() === "```")) j++;
    blocks.push(lines.slice(i, j + 1).join("\n"));
    // Keep the line count so that prose line numbers stay those of the file.
    for (let k = i; k <= j && k < lines.length; k++) prose.push("");
    i = j;
  }
  return { blocks, prose: prose.join("\n") };
}

/** The `##` and `###` headings of the prose (lines inside fenced blocks, such as shell comments, are not headings). */
export function headings(prose: string): Heading[] {
  return prose.split("\n").flatMap((text, i) => {
    const m = /^(#{2,3}) (.+)$/.exec(text);
    return m ? [{ level: m[1]!.length, text: m[2]!.trim(), line: i + 1 }] : [];
  });
}

/**
 * GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped, spaces to `-`
 * (github/cmark-gfm's `anchor` filter; the same rule the English guide's `#uninstalling`-style links rely on).
 */
export function githubSlug(text: string): string {
  return text
    .replace(/<a id="[^"]*"><\/a>/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The explicit anchor a Chinese heading carries (`<a id="two-commands"></a>`), or undefined. */
export function explicitAnchor(text: string): string | undefined {
  return /<a id="([^"]+)"><\/a>/.exec(text)?.[1];
}

/**
 * Inline code spans of the prose, in order (double-backtick spans included), with runs of white space as one space:
 * a span may break across lines differently once the prose around it is translated.
 */
export function inlineCode(prose: string): string[] {
  return [...prose.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)].map((m) => m[2]!.replace(/\s+/g, " ").trim());
}

/** Top-level folders of the repository whose paths the guides name. */
const REPO_PATH = /^(?:\.\/)?(?:\.ci|infra|lib|functions|events|test|dist)\/\S*$/;

/** Inline code spans that are repository paths (`infra/kubernetes/`, `lib/oci/permissions.ts`, ...). */
export function repositoryPaths(prose: string): string[] {
  return inlineCode(prose).filter((s) => REPO_PATH.test(s));
}

/** Inline code spans that are `ocipam` commands (`ocipam plan --input case.json`, `npx ocipam local ...`). */
export function ocipamCommands(prose: string): string[] {
  return inlineCode(prose).filter((s) => /(?:^|\s)ocipam [a-z]/.test(s));
}

/**
 * Every other inline code span (field names, metric names, Terraform variables, log messages, ...): code stays in
 * English, so a span that is only on one side is text that changed and was not followed.
 */
export function otherInlineCode(prose: string): string[] {
  const named = new Set([...repositoryPaths(prose), ...ocipamCommands(prose)]);
  return inlineCode(prose).filter((s) => !named.has(s));
}

/** Every configuration key (`OCIPAM_[A-Z_]+`) named anywhere in the file, code included. */
export function configKeys(markdown: string): string[] {
  return [...markdown.matchAll(/OCIPAM_[A-Z_]+/g)].map((m) => m[0]);
}

/** The first line of each twin, linking the other language's file. */
const TWIN_LINK_LINE = /^\[(?:English|简体中文)\]\([^)]*\).*$/m;

/**
 * Relative link targets of the prose, with a Chinese twin's name mapped back to the English one
 * (`infra/README_CN.md` → `infra/README.md`), so both files must point at the same places.
 */
export function linkTargets(prose: string): string[] {
  const withoutTwinLinks = prose.replace(TWIN_LINK_LINE, "");
  return [...withoutTwinLinks.replace(/`[^`\n]*`/g, "").matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^[a-z]+:/.test(t))
    .map((t) => t.replace(/README_CN\.md/, "README.md"));
}

/**
 * The rows of the generated configuration reference: key, default and "set by Terraform" cells, verbatim but for the
 * padding a formatter adds to align a table's columns.
 */
export function configReferenceRows(markdown: string): string[] {
  const begin = markdown.indexOf("<!-- config-reference:begin");
  const end = markdown.indexOf("<!-- config-reference:end -->");
  if (begin < 0 || end < begin) return [];
  return markdown
    .slice(begin, end)
    .split("\n")
    .filter((l) => l.startsWith("| `OCIPAM_"))
    .map((l) =>
      l
        .split("|")
        .slice(1, 4)
        .map((cell) => cell.trim())
        .join(" | "),
    );
}

/** What one item of `a` (English) or `b` (Chinese) has that the other lacks, as report lines. */
export function setDifference(what: string, en: string[], zh: string[]): string[] {
  const inZh = new Set(zh);
  const inEn = new Set(en);
  return [
    ...[...inEn].filter((x) => !inZh.has(x)).map((x) => `${what} only in English: ${x}`),
    ...[...inZh].filter((x) => !inEn.has(x)).map((x) => `${what} only in Chinese: ${x}`),
  ];
}

/** Heading by heading: the same levels in the same order, each Chinese anchor equal to its English twin's slug. */
export function headingDifferences(en: Heading[], zh: Heading[]): string[] {
  const found: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < Math.max(en.length, zh.length); i++) {
    const e = en[i];
    const z = zh[i];
    if (!e || !z) {
      const [which, h] = e ? ["English", e] : ["Chinese", z!];
      found.push(`heading ${i + 1} only in ${which} (line ${h.line}): ${"#".repeat(h.level)} ${h.text}`);
      continue;
    }
    // GitHub numbers repeated anchors: the second "Metrics" heading is #metrics-1.
    const base = githubSlug(e.text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    const slug = count === 0 ? base : `${base}-${count}`;
    const anchor = explicitAnchor(z.text);
    if (e.level !== z.level || anchor !== slug) {
      found.push(
        `heading ${i + 1} differs: English line ${e.line} "${"#".repeat(e.level)} ${e.text}" (anchor ${slug}) vs ` +
          `Chinese line ${z.line} "${"#".repeat(z.level)} ${z.text}" (anchor ${anchor ?? "missing"})`,
      );
    }
  }
  return found;
}

/** Block by block: the same fenced code blocks in the same order, naming the first differing line of each. */
export function blockDifferences(en: string[], zh: string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < Math.max(en.length, zh.length); i++) {
    const e = en[i];
    const z = zh[i];
    if (e === z) continue;
    if (e === undefined || z === undefined) {
      const [which, b] = e !== undefined ? ["English", e] : ["Chinese", z!];
      found.push(`code block ${i + 1} only in ${which}: ${b.split("\n").slice(0, 2).join(" ⏎ ")}`);
      continue;
    }
    const el = e.split("\n");
    const zl = z.split("\n");
    const k = el.findIndex((line, j) => line !== zl[j]);
    const at = k < 0 ? zl.length - 1 : k;
    found.push(`code block ${i + 1}, its line ${at + 1}: English "${el[at] ?? ""}" vs Chinese "${zl[at] ?? ""}"`);
  }
  return found;
}

/** Every difference between an English guide and its Chinese twin; empty when they are in step. */
export function twinDifferences(english: string, chinese: string): string[] {
  const en = splitFences(english);
  const zh = splitFences(chinese);
  return [
    ...headingDifferences(headings(en.prose), headings(zh.prose)),
    ...blockDifferences(en.blocks, zh.blocks),
    ...setDifference("configuration key", configKeys(english), configKeys(chinese)),
    ...setDifference("repository path", repositoryPaths(en.prose), repositoryPaths(zh.prose)),
    ...setDifference("ocipam command", ocipamCommands(en.prose), ocipamCommands(zh.prose)),
    ...setDifference("inline code", otherInlineCode(en.prose), otherInlineCode(zh.prose)),
    ...setDifference("link", linkTargets(en.prose), linkTargets(zh.prose)),
    ...setDifference("configuration reference row", configReferenceRows(english), configReferenceRows(chinese)),
  ];
}
