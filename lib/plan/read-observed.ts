import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { InvalidInputError } from "../errors";
import type { ObservedState } from "../core/model";
import { observedStateSchema } from "./observed-schema";

let validator: ValidateFunction | undefined;

/** Compiled once, on first use (never at import time, never per call). */
function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validator = ajv.compile(observedStateSchema);
  }
  return validator;
}

/**
 * Parses and validates an observed-state document (text of a JSON file). Returns the typed value with defaults
 * filled in, or throws InvalidInputError naming the bad field as a JSON pointer (e.g. `/vnics/0/index`).
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
    // For a bad map key ajv reports the key in `propertyName`: name it in the field.
    const error = check.errors!.find((e) => e.propertyName !== undefined) ?? check.errors![0]!;
    if (error.propertyName !== undefined) {
      throw new InvalidInputError(`${source}#${error.instancePath}/${error.propertyName}`, `key ${error.message ?? "is invalid"}`);
    }
    const missing = error.keyword === "required" ? `/${(error.params as { missingProperty: string }).missingProperty}` : "";
    const extra = error.keyword === "additionalProperties" ? `/${(error.params as { additionalProperty: string }).additionalProperty}` : "";
    const field = `${error.instancePath}${missing}${extra}` || "/";
    const detail = error.keyword === "additionalProperties" ? "is not a known field"
      : error.keyword === "required" ? "is required"
      : error.message ?? "is invalid";
    throw new InvalidInputError(`${source}#${field}`, detail);
  }
  return value as unknown as ObservedState;
}
