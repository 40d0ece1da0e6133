import { InvalidInputError } from "../../errors";
import { VERBS, knownResourceTypes, type Verb } from "./verbs";

/**
 * Parser for OCI IAM policy statements, the subset this project writes and the emulator evaluates:
 *
 *   Allow <subject> to <verb> <resource-type> in <location> [where <conditions>]
 *   Allow <subject> to { PERMISSION, ... } in <location> [where <conditions>]
 *
 * Grammar from "Policy Syntax" (https://docs.oracle.com/en-us/iaas/Content/Identity/Concepts/policysyntax.htm):
 * subject = group <name>|group id <ocid>|dynamic-group <name>|dynamic-group id <ocid>|service
 * <name>|any-user|any-group,
 * several separated by commas; location = tenancy | compartment <name>[:<child>...] | compartment id <ocid>;
 * conditions = <variable> =|!= <value>, or `all {..}` / `any {..}` lists. Identity-domain prefixes on names
 * (`'Default'/'name'`) are accepted and the domain is ignored (one domain is modelled).
 * Define/Endorse/Admit (cross-tenancy) statements are not supported and are rejected.
 */

export type SubjectKind = "group" | "dynamic-group" | "service";
export type Subject =
  | { kind: "any-user" }
  | { kind: "any-group" }
  | { kind: SubjectKind; by: "name" | "id"; value: string };

export type Grant = { verb: Verb; resourceType: string } | { permissions: string[] };

export type Location = { kind: "tenancy" } | { kind: "compartment"; by: "name" | "id"; value: string };

export type Condition =
  | { kind: "all" | "any"; items: Condition[] }
  | { kind: "compare"; variable: string; op: "=" | "!="; value: string };

export interface PolicyStatement {
  text: string;
  subjects: Subject[];
  grant: Grant;
  location: Location;
  condition?: Condition;
}

const STATEMENT =
  /^\s*allow\s+(.+?)\s+to\s+(\{[^}]*\}|[a-z]+\s+[a-z0-9-]+)\s+in\s+(tenancy|compartment\s+.+?)(?:\s+where\s+(.+?))?\s*$/is;

/** Parses one statement; throws InvalidInputError naming what is wrong. */
export function parsePolicyStatement(text: string): PolicyStatement {
  const m = STATEMENT.exec(text);
  if (!m) {
    if (/^\s*(define|endorse|admit)\b/i.test(text)) {
      throw new InvalidInputError("policy", `cross-tenancy statements are not supported: ${text}`);
    }
    throw new InvalidInputError(
      "policy",
      `not an "Allow <subject> to <verb> <resource-type> in <location>" statement: ${text}`,
    );
  }
  const [, subjectText, grantText, locationText, conditionText] = m;
  const statement: PolicyStatement = {
    text,
    subjects: parseSubjects(subjectText, text),
    grant: parseGrant(grantText, text),
    location: parseLocation(locationText, text),
  };
  if (conditionText !== undefined) statement.condition = parseCondition(conditionText, text);
  return statement;
}

/** Parses every statement; the first bad one throws. */
export function parsePolicy(statements: readonly string[]): PolicyStatement[] {
  return statements.map(parsePolicyStatement);
}

function unquote(s: string): string {
  const t = s.trim();
  if ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) return t.slice(1, -1);
  return t;
}

/** `'Default'/'ocipam-allocator'` or `Default/ocipam-allocator` → `ocipam-allocator`. */
function stripDomain(name: string): string {
  const parts = name.split("/").map(unquote);
  return parts[parts.length - 1];
}

function parseSubjects(text: string, statement: string): Subject[] {
  const subjects: Subject[] = [];
  let kind: SubjectKind | undefined;
  for (const rawItem of text.split(",")) {
    const item = rawItem.trim();
    if (/^any-user$/i.test(item)) {
      subjects.push({ kind: "any-user" });
      kind = undefined;
      continue;
    }
    if (/^any-group$/i.test(item)) {
      subjects.push({ kind: "any-group" });
      kind = undefined;
      continue;
    }
    const withKind = /^(group|dynamic-group|service)\s+(.+)$/i.exec(item);
    let rest = item;
    if (withKind) {
      kind = withKind[1].toLowerCase() as SubjectKind;
      rest = withKind[2].trim();
    }
    if (!kind || rest === "")
      throw new InvalidInputError("policy", `cannot read the subject "${item}" in: ${statement}`);
    const byId = /^id\s+(\S+)$/i.exec(rest);
    if (byId) subjects.push({ kind, by: "id", value: unquote(byId[1]) });
    else subjects.push({ kind, by: "name", value: stripDomain(rest) });
  }
  return subjects;
}

function parseGrant(text: string, statement: string): Grant {
  if (text.startsWith("{")) {
    const permissions = text
      .slice(1, -1)
      .split(",")
      .map((p) => p.trim().toUpperCase())
      .filter((p) => p !== "");
    if (permissions.length === 0) throw new InvalidInputError("policy", `empty permission list in: ${statement}`);
    for (const p of permissions) {
      if (!/^[A-Z0-9_]+$/.test(p))
        throw new InvalidInputError("policy", `"${p}" is not a permission name in: ${statement}`);
    }
    return { permissions };
  }
  const [verbText, typeText] = text.trim().split(/\s+/);
  const verb = verbText.toLowerCase() as Verb;
  if (!VERBS.includes(verb)) throw new InvalidInputError("policy", `unknown verb "${verbText}" in: ${statement}`);
  const resourceType = typeText.toLowerCase();
  if (!knownResourceTypes().includes(resourceType)) {
    // Not an error in OCI (there are hundreds of types); the emulator simply grants nothing for it.
    return { verb, resourceType };
  }
  return { verb, resourceType };
}

function parseLocation(text: string, statement: string): Location {
  if (/^tenancy$/i.test(text)) return { kind: "tenancy" };
  const rest = text.replace(/^compartment\s+/i, "").trim();
  const byId = /^id\s+(\S+)$/i.exec(rest);
  if (byId) return { kind: "compartment", by: "id", value: unquote(byId[1]) };
  if (rest === "" || /\s/.test(unquote(rest)))
    throw new InvalidInputError("policy", `cannot read the location in: ${statement}`);
  return { kind: "compartment", by: "name", value: stripDomain(rest) };
}

type Token = { t: "word" | "str" | "op" | "{" | "}" | ","; v: string };

function tokenize(text: string, statement: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "{" || c === "}" || c === ",") {
      tokens.push({ t: c, v: c });
      i++;
      continue;
    }
    if (c === "!" && text[i + 1] === "=") {
      tokens.push({ t: "op", v: "!=" });
      i += 2;
      continue;
    }
    if (c === "=") {
      tokens.push({ t: "op", v: "=" });
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new InvalidInputError("policy", `unterminated string in: ${statement}`);
      tokens.push({ t: "str", v: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const m = /^[^\s{},=!'"]+/.exec(text.slice(i));
    if (!m) throw new InvalidInputError("policy", `unexpected "${c}" in: ${statement}`);
    tokens.push({ t: "word", v: m[0] });
    i += m[0].length;
  }
  return tokens;
}

function parseCondition(text: string, statement: string): Condition {
  const tokens = tokenize(text, statement);
  let pos = 0;
  const fail = (why: string): never => {
    throw new InvalidInputError("policy", `${why} in the condition of: ${statement}`);
  };
  const one = (): Condition => {
    const tok = tokens[pos];
    if (!tok) return fail("missing condition");
    if (tok.t === "word" && /^(all|any)$/i.test(tok.v) && tokens[pos + 1]?.t === "{") {
      pos += 2;
      const items: Condition[] = [one()];
      while (tokens[pos]?.t === ",") {
        pos++;
        items.push(one());
      }
      if (tokens[pos]?.t !== "}") fail("missing }");
      pos++;
      return { kind: tok.v.toLowerCase() as "all" | "any", items };
    }
    if (tok.t !== "word") fail(`expected a variable, found "${tok.v}"`);
    const op = tokens[pos + 1];
    const value = tokens[pos + 2];
    if (op?.t !== "op") fail(`expected = or != after ${tok.v}`);
    if (!value || (value.t !== "str" && value.t !== "word")) fail(`expected a value after ${tok.v} ${op.v}`);
    pos += 3;
    return { kind: "compare", variable: tok.v.toLowerCase(), op: op.v as "=" | "!=", value: value.v };
  };
  const condition = one();
  if (pos !== tokens.length) fail(`unexpected "${tokens[pos].v}"`);
  return condition;
}
