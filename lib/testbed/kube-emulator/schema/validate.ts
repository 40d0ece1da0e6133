import { isObject } from "../json";
import { fieldErrors, type FieldError } from "../status";
import type { JSONSchemaProps } from "./types";

/**
 * OpenAPI v3 validation of a custom resource, worded as kube-apiserver words it.
 *
 * The real server runs k8s.io/kube-openapi pkg/validation/validate (messages in pkg/validation/errors/schema.go,
 * e.g. "%s in body must be of type %s: %q", "%s in body should be greater than or equal to %v") and converts each
 * result into a field error in apiextensions-apiserver pkg/apiserver/validation/validation.go
 * (kubeOpenAPIResultToFieldErrors): enum → NotSupported, required → Required, type → TypeInvalid, maxLength →
 * TooLong, maxItems/maxProperties → TooMany, anything else → Invalid(value, message). Paths are joined with "."
 * for properties and map keys (object_validator.go) and "[i]" for array items (slice_validator.go).
 * Properties are visited in sorted order (Go visits them in map order, so the real order varies).
 */
export function validateAgainstSchema(value: unknown, schema: JSONSchemaProps | undefined, path = ""): FieldError[] {
  const errs: FieldError[] = [];
  if (schema) validateNode(value, schema, path, errs);
  return errs;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "object") return "object";
  return typeof value; // string, boolean
}

function typeMatches(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  if (expected === "number" && actual === "integer") return true;
  return false;
}

function validateNode(value: unknown, schema: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const actual = jsonType(value);
  if (value === null) {
    if (schema.type && !schema.nullable)
      errs.push(fieldErrors.typeInvalid(path, "null", `${path} in body must be of type ${schema.type}: "null"`));
    return;
  }
  if (schema["x-kubernetes-int-or-string"]) {
    if (actual !== "integer" && actual !== "string")
      errs.push(fieldErrors.typeInvalid(path, actual, `${path} in body must be of type integer,string: "${actual}"`));
  } else if (schema.type && !typeMatches(schema.type, actual)) {
    errs.push(fieldErrors.typeInvalid(path, actual, `${path} in body must be of type ${schema.type}: "${actual}"`));
    // kube-openapi's other validators only apply to values of their kind, so nothing else is reported here
    // except enum, which applies to every kind.
    checkEnum(value, schema, path, errs);
    return;
  }

  if (typeof value === "string") validateString(value, schema, path, errs);
  if (typeof value === "number") validateNumber(value, schema, path, errs);
  checkEnum(value, schema, path, errs);
  if (Array.isArray(value)) validateArray(value, schema, path, errs);
  if (isObject(value)) validateObject(value, schema, path, errs);
}

function checkEnum(value: unknown, schema: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (!schema.enum || schema.enum.length === 0) return;
  if (schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return;
  const valid = schema.enum.map((e) => (typeof e === "string" ? e : JSON.stringify(e)));
  errs.push(fieldErrors.notSupported(path, value, valid));
}

const FORMAT_CHECKS: Record<string, (s: string) => boolean> = {
  // strfmt DateTime accepts RFC 3339 with or without fractional seconds (and a few ISO 8601 variants).
  "date-time": (s) =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(s) &&
    !Number.isNaN(Date.parse(s.replace(" ", "T"))),
  datetime: (s) => FORMAT_CHECKS["date-time"](s),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  ipv4: (s) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(s),
  cidr: (s) => {
    const [ip, bits, extra] = s.split("/");
    if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    if (FORMAT_CHECKS.ipv4(ip)) return Number(bits) <= 32;
    return ip.includes(":") && Number(bits) <= 128;
  },
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  mac: (s) => /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(s),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
};

function validateString(value: string, schema: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength)
    errs.push(fieldErrors.tooLong(path, value, schema.maxLength));
  if (schema.minLength !== undefined && length < schema.minLength) {
    errs.push(fieldErrors.invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) {
    errs.push(fieldErrors.invalid(path, value, `${path} in body should match '${schema.pattern}'`));
  }
  const check = schema.format ? FORMAT_CHECKS[schema.format] : undefined;
  if (check && !check(value)) {
    errs.push(
      fieldErrors.typeInvalid(
        path,
        value,
        `${path} in body must be of type ${schema.format}: ${JSON.stringify(value)}`,
      ),
    );
  }
}

function validateNumber(value: number, schema: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (schema.minimum !== undefined) {
    const bad = schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum;
    if (bad) {
      const op = schema.exclusiveMinimum ? "greater than" : "greater than or equal to";
      errs.push(fieldErrors.invalid(path, value, `${path} in body should be ${op} ${schema.minimum}`));
    }
  }
  if (schema.maximum !== undefined) {
    const bad = schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum;
    if (bad) {
      const op = schema.exclusiveMaximum ? "less than" : "less than or equal to";
      errs.push(fieldErrors.invalid(path, value, `${path} in body should be ${op} ${schema.maximum}`));
    }
  }
  if (schema.multipleOf !== undefined && schema.multipleOf > 0 && !Number.isInteger(value / schema.multipleOf)) {
    errs.push(fieldErrors.invalid(path, value, `${path} in body should be a multiple of ${schema.multipleOf}`));
  }
  if (schema.format === "int32" && (value < -(2 ** 31) || value > 2 ** 31 - 1)) {
    errs.push(fieldErrors.typeInvalid(path, "integer", `${path} in body must be of type int32: "integer"`));
  }
}

function validateArray(value: unknown[], schema: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (schema.items)
    value.forEach((item, i) => {
      validateNode(item, schema.items as JSONSchemaProps, `${path}[${i}]`, errs);
    });
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errs.push(fieldErrors.invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems)
    errs.push(fieldErrors.tooMany(path, value.length, schema.maxItems));
  if (schema.uniqueItems) {
    const seen = new Set(value.map((v) => JSON.stringify(v)));
    if (seen.size !== value.length)
      errs.push(fieldErrors.invalid(path, "", `${path} in body shouldn't contain duplicates`));
  }
}

function validateObject(
  value: Record<string, unknown>,
  schema: JSONSchemaProps,
  path: string,
  errs: FieldError[],
): void {
  const count = Object.keys(value).length;
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    errs.push(
      fieldErrors.invalid(path, count, `${path} in body should have at least ${schema.minProperties} properties`),
    );
    return;
  }
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    errs.push(fieldErrors.tooMany(path, count, schema.maxProperties));
    return;
  }
  const props = schema.properties ?? {};
  if (isObject(schema.additionalProperties)) {
    for (const key of Object.keys(value).sort()) {
      if (!props[key]) validateNode(value[key], schema.additionalProperties, path ? `${path}.${key}` : key, errs);
    }
  }
  for (const key of Object.keys(props).sort()) {
    if (key in value) validateNode(value[key], props[key], path ? `${path}.${key}` : key, errs);
  }
  for (const key of schema.required ?? []) {
    if (!(key in value)) errs.push(fieldErrors.required(path ? `${path}.${key}` : key));
  }
}
