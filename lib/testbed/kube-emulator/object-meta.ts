import { randomUUID } from "node:crypto";
import { isObject, type JsonObject } from "./json";
import { fieldErrors, type FieldError } from "./status";

/** Typed view of the metadata fields the emulator reads and writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [key: string]: unknown;
}

/** The object's metadata, created when absent (callers own `obj`). */
export function metaOf(obj: JsonObject): ObjectMeta {
  if (!isObject(obj.metadata)) obj.metadata = {};
  return obj.metadata as ObjectMeta;
}

/** RFC 3339 with second precision in UTC, as metav1.Time serializes. */
export function nowTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function newUid(): string {
  return randomUUID();
}

// names.SimpleNameGenerator: generateName + 5 random characters from this alphabet
// (k8s.io/apiserver/pkg/storage/names).
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
export function generateName(prefix: string): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return base + suffix;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * metadata.name validation (apimachinery pkg/util/validation/validation.go IsDNS1123Subdomain / IsDNS1123Label),
 * with the exact messages kube-apiserver returns.
 */
export function validateName(
  name: string,
  rule: "subdomain" | "label" | "path",
  field = "metadata.name",
): FieldError[] {
  if (rule === "path") {
    // path.IsValidPathSegmentName (ValidateRBACName): anything but ".", ".." and names with "/" or "%".
    if (name === "." || name === "..") return [fieldErrors.invalid(field, name, `may not be '${name}'`)];
    for (const bad of ["/", "%"])
      if (name.includes(bad)) return [fieldErrors.invalid(field, name, `may not contain '${bad}'`)];
    return [];
  }
  if (rule === "label") {
    const errs: FieldError[] = [];
    if (name.length > 63) errs.push(fieldErrors.invalid(field, name, "must be no more than 63 characters"));
    if (!DNS1123_LABEL.test(name)) {
      errs.push(
        fieldErrors.invalid(
          field,
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric " +
            "characters or '-', and must start and end with an alphanumeric " +
            "character (e.g. 'my-name',  or '123-abc', regex used for validation " +
            "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
      );
    }
    return errs;
  }
  const errs: FieldError[] = [];
  if (name.length > 253) errs.push(fieldErrors.invalid(field, name, "must be no more than 253 characters"));
  if (!DNS1123_SUBDOMAIN.test(name)) {
    errs.push(
      fieldErrors.invalid(
        field,
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case " +
          "alphanumeric characters, '-' or '.', and must start and end with an " +
          "alphanumeric character (e.g. 'example.com', regex used for validation " +
          "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    );
  }
  return errs;
}

/** Labels and annotations must be string maps; anything else is invalid. */
export function validateStringMaps(meta: ObjectMeta): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ["labels", "annotations"] as const) {
    const value = meta[field] as unknown;
    if (value === undefined || value === null) continue;
    if (!isObject(value)) {
      errs.push(fieldErrors.typeInvalid(`metadata.${field}`, value, "must be a map of strings"));
      continue;
    }
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== "string") errs.push(fieldErrors.typeInvalid(`metadata.${field}.${k}`, v, "must be a string"));
    }
  }
  return errs;
}
