import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { InvalidInputError } from "../errors";
import type { ObservedState } from "../core/model";
import { observedStateSchema } from "./observed-schema";

let validator: ValidateFunction | undefined;

/**
 * Compiled once, on first use (never at import time, never per call). `allErrors` so that a hand-edited file gets
 * every problem in one run rather than one per attempt (https://ajv.js.org/options.html#allerrors). Collecting
 * them all costs time in proportion to the document, which is the operator's own file here, not untrusted input.
 */
function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validator = ajv.compile(observedStateSchema);
  }
  return validator;
}

/** One thing wrong in a document: where (a JSON pointer, RFC 6901) and what. */
export interface InputProblem {
  pointer: string;
  message: string;
}

/** Problems listed in the message; a file broken everywhere (a wrong file) need not print thousands of lines. */
const MAX_LISTED = 20;

/**
 * An input document with one or more problems. `field` (and the first line of the message) names the first one as
 * `source#pointer`, the next ones follow one per line (up to 20 in all); `problems` holds every one.
 */
export class InvalidDocumentError extends InvalidInputError {
  readonly problems: InputProblem[];
  constructor(source: string, problems: InputProblem[]) {
    const [first, ...rest] = problems as [InputProblem, ...InputProblem[]];
    const shown = rest
      .slice(0, MAX_LISTED - 1)
      .map((p) => `\n  ${source}#${p.pointer}: ${p.message}`)
      .join("");
    const hidden = problems.length > MAX_LISTED ? `\n  … and ${problems.length - MAX_LISTED} more` : "";
    const more = rest.length === 0 ? "" : ` (1 of ${problems.length} problems)${shown}${hidden}`;
    super(`${source}#${first.pointer}`, `${first.message}${more}`, { problems });
    this.problems = problems;
  }
}

/** RFC 6901 escaping of one reference token: `~` as `~0`, `/` as `~1`. */
function token(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The problems in ajv's errors, in its order, each once; the pointer names the field itself, not its parent. */
export function problemsOf(errors: ErrorObject[]): InputProblem[] {
  const seen = new Set<string>();
  const problems: InputProblem[] = [];
  for (const e of errors) {
    // The propertyNames keyword adds a summary ("property name must be valid") after the error of the key itself.
    if (e.keyword === "propertyNames") continue;
    const at = (segment: string): string => `${e.instancePath}/${token(segment)}`;
    const params = e.params as { missingProperty?: string; additionalProperty?: string };
    let problem: InputProblem;
    const message = e.message ?? "is invalid";
    if (e.propertyName !== undefined) problem = { pointer: at(e.propertyName), message: `key ${message}` };
    else if (e.keyword === "required") problem = { pointer: at(params.missingProperty!), message: "is required" };
    else if (e.keyword === "additionalProperties") {
      problem = { pointer: at(params.additionalProperty!), message: "is not a known field" };
    } else problem = { pointer: e.instancePath || "/", message };
    if (problem.pointer === "") problem.pointer = "/";
    const key = `${problem.pointer}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

/**
 * Parses and validates an observed-state document (text of a JSON file). Returns the typed value with defaults
 * filled in, or throws InvalidInputError: `source: is not valid JSON (...)`, or an InvalidDocumentError naming every
 * bad field as a JSON pointer (e.g. `in.json#/vnics/0/index: must be >= 0`).
 */
export function parseObservedState(text: string, source = "input"): ObservedState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(source, `is not valid JSON (${(cause as Error).message})`, {}, { cause });
  }
  const check = validate();
  if (!check(value)) {
    const problems = problemsOf(check.errors ?? []);
    throw new InvalidDocumentError(source, problems.length > 0 ? problems : [{ pointer: "/", message: "is invalid" }]);
  }
  return value as unknown as ObservedState;
}
