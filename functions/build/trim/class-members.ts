/**
 * Member-level trimming of the classes TypeScript emits for generated SDK clients (oci-core's lib/client.js holds
 * four clients with ~1,400 operations in one CommonJS file; esbuild cannot drop unused methods of a class, nor
 * anything in a CommonJS module). The function calls about twenty of them, so the bundle keeps those members
 * verbatim and drops the others. Pure text processing of tsc's fixed layout: a top-level `class Name {` (or
 * `export class Name {`) line, members at four spaces of indentation, each ending with a line `    }`, the class
 * ending with a line `}`. Anything else inside a class body makes it throw, so a layout change fails the build
 * instead of producing a broken bundle.
 */

/** One member of a class body, by line range (end exclusive); its leading JSDoc belongs to it. */
export interface ClassMember {
  name: string;
  /** Constructors, accessors and static members are never dropped: the client's own machinery. */
  kind: "method" | "constructor" | "accessor" | "static";
  start: number;
  end: number;
}

export interface ClassBlock {
  name: string;
  /** Line of `class Name {` and of its closing `}`. */
  open: number;
  close: number;
  members: ClassMember[];
}

const CLASS_OPEN = /^(?:export )?class ([A-Za-z_$][\w$]*) (?:extends [\w$.]+ )?\{$/;
const MEMBER_HEAD = /^ {4}(?:(static|get|set|async) )?\*?([A-Za-z_$][\w$]*|\[[^\]]+\])\s*\(.*\{$/;
const STATIC_FIELD = /^ {4}static [A-Za-z_$][\w$]*\s*=.*;$/;

/** Finds every top-level class in `lines` and splits its body into members; throws on an unexpected layout. */
export function parseClasses(lines: readonly string[]): ClassBlock[] {
  const classes: ClassBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = CLASS_OPEN.exec(lines[i]!);
    if (!open) continue;
    const close = lines.indexOf("}", i + 1);
    if (close < 0) throw new Error(`class ${open[1]} at line ${i + 1} has no closing "}" line`);
    classes.push({ name: open[1]!, open: i, close, members: parseBody(lines, open[1]!, i + 1, close) });
    i = close;
  }
  return classes;
}

function parseBody(lines: readonly string[], className: string, from: number, to: number): ClassMember[] {
  const members: ClassMember[] = [];
  let start = from;
  let i = from;
  while (i < to) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i++;
      continue;
    }
    if (line.startsWith("    /**") || line.startsWith("    //")) {
      // A comment before a member: skip to its end; it is part of the member that follows.
      if (line.startsWith("    /**") && !line.includes("*/")) while (i < to && !lines[i]!.includes("*/")) i++;
      i++;
      continue;
    }
    if (STATIC_FIELD.test(line)) {
      members.push({ name: line.trim(), kind: "static", start, end: i + 1 });
      start = ++i;
      continue;
    }
    const head = MEMBER_HEAD.exec(line);
    if (!head) throw new Error(`class ${className}: unexpected line ${i + 1}: ${line.slice(0, 120)}`);
    const end = lines.indexOf("    }", i + 1);
    if (end < 0 || end >= to) {
      throw new Error(`class ${className}: member at line ${i + 1} has no closing "    }" line`);
    }
    const name = head[2]!;
    const modifier = head[1];
    let kind: ClassMember["kind"] = "method";
    if (name === "constructor") kind = "constructor";
    else if (modifier === "get" || modifier === "set") kind = "accessor";
    else if (modifier === "static") kind = "static";
    members.push({ name, kind, start, end: end + 1 });
    i = end + 1;
    start = i;
  }
  return members;
}

/** Identifiers in code, comments left out (`//` lines and `/* … *\/` blocks). Over-approximates, never misses. */
export function identifiersIn(code: string): Set<string> {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/^\s*\/\/.*$/gm, " ");
  return new Set(stripped.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

export interface TrimResult {
  text: string;
  keptClasses: string[];
  droppedClasses: string[];
  keptMethods: number;
  droppedMethods: number;
  /** Identifiers of the code that remains: what else it may reach (models, helpers). */
  identifiers: Set<string>;
}

export interface TrimOptions {
  /**
   * Keep every class and trim only methods (ES modules: esbuild already drops classes nothing imports). Default
   * false: only the classes named in `wanted` stay (CommonJS, where esbuild keeps everything).
   */
  keepAllClasses?: boolean;
}

/** {@link trimClassesJointly} for one file. */
export function trimClasses(text: string, wanted: ReadonlySet<string>, options: TrimOptions = {}): TrimResult {
  return trimClassesJointly([text], wanted, options)[0]!;
}

/**
 * Keeps the classes named in `wanted` (or all, see {@link TrimOptions}) and, of their methods, those whose name is
 * in `wanted` or is mentioned by another kept member of any of the files (closure: `close()` calls
 * `shutdownCircuitBreaker()`, a record iterator calls its list operation, client-node's ObjectCoreV1Api.listNode
 * calls ObservableCoreV1Api.listNode, which calls CoreV1ApiRequestFactory.listNode and
 * CoreV1ApiResponseProcessor.listNodeWithHttpInfo in another file). Dropped classes lose their trailing
 * `Name.x = …` / `exports.Name = Name` statements too. Lines outside classes are kept as they are.
 */
export function trimClassesJointly(
  texts: readonly string[],
  wanted: ReadonlySet<string>,
  options: TrimOptions = {},
): TrimResult[] {
  const files = texts.map((text) => {
    const lines = text.split("\n");
    const classes = parseClasses(lines);
    const keep = (c: ClassBlock) => options.keepAllClasses === true || wanted.has(c.name);
    return { lines, kept: classes.filter(keep), dropped: classes.filter((c) => !keep(c)) };
  });
  const names = new Set(wanted);
  const keptMembers = new Set<ClassMember>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of files) {
      for (const c of f.kept) {
        for (const m of c.members) {
          if (keptMembers.has(m) || (m.kind === "method" && !names.has(m.name))) continue;
          keptMembers.add(m);
          changed = true;
          for (const id of identifiersIn(f.lines.slice(m.start, m.end).join("\n"))) names.add(id);
        }
      }
    }
  }
  return files.map(({ lines, kept, dropped }) => {
    const drop = new Array<boolean>(lines.length).fill(false);
    let droppedMethods = 0;
    for (const c of kept) {
      for (const m of c.members) {
        if (keptMembers.has(m)) continue;
        droppedMethods++;
        for (let i = m.start; i < m.end; i++) drop[i] = true;
      }
    }
    const droppedNames = new Set(dropped.map((c) => c.name));
    for (const c of dropped) for (let i = c.open; i <= c.close; i++) drop[i] = true;
    // `exports.Name = Name;`, `Name.serviceEndpointTemplate = "…";` after a dropped class.
    const trailing = /^(?:exports\.([\w$]+) = ([\w$]+);|([\w$]+)\.[\w$]+ = .*;)$/;
    lines.forEach((line, i) => {
      const m = trailing.exec(line);
      if (m && (droppedNames.has(m[2] ?? "") || droppedNames.has(m[3] ?? ""))) drop[i] = true;
    });
    const out = lines.filter((_, i) => !drop[i]).join("\n");
    return {
      text: out,
      keptClasses: kept.map((c) => c.name),
      droppedClasses: dropped.map((c) => c.name),
      keptMethods: kept.reduce((n, c) => n + c.members.filter((m) => isKeptMethod(m, keptMembers)).length, 0),
      droppedMethods,
      identifiers: identifiersIn(out),
    };
  });
}

function isKeptMethod(m: ClassMember, kept: ReadonlySet<ClassMember>): boolean {
  return m.kind === "method" && kept.has(m);
}
