import { isObject, type JsonObject } from "../json";
import type { JSONSchemaProps } from "./types";

/**
 * Structural pruning, defaulting and null-pruning of a custom resource, after
 * apiextensions-apiserver pkg/apiserver/schema/pruning/algorithm.go and schema/defaulting (prunenulls.go,
 * algorithm.go). Mutates `obj` in place and returns the pruned field paths ("spec.foo", "spec.list[0].x",
 * "spec.map[key].x"), which the server reports as `unknown field "<path>"` warnings.
 */

/** ObjectMeta fields: anything else under metadata is dropped, as decoding into metav1.ObjectMeta does. */
export const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** Drops unknown metadata fields; used for every kind (typed decoding does the same for built-ins). */
export function pruneObjectMeta(obj: JsonObject, pathPrefix = ""): string[] {
  const pruned: string[] = [];
  const meta = obj.metadata;
  if (!isObject(meta)) return pruned;
  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key)) {
      delete meta[key];
      pruned.push(join(join(pathPrefix, "metadata"), key));
    }
  }
  return pruned;
}

/** Prunes a whole custom resource against its version's openAPIV3Schema. */
export function pruneCustomResource(obj: JsonObject, schema: JSONSchemaProps | undefined): string[] {
  const pruned = pruneObjectMeta(obj);
  if (!schema) return pruned;
  pruneObject(obj, schema, "", true, pruned);
  return pruned;
}

function pruneValue(value: unknown, schema: JSONSchemaProps | undefined, path: string, pruned: string[]): void {
  if (!schema) return;
  if (isObject(value)) {
    pruneObject(value, schema, path, schema["x-kubernetes-embedded-resource"] === true, pruned);
  } else if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      pruneValue(item, schema.items, `${path}[${i}]`, pruned);
    });
  }
}

function pruneObject(
  obj: JsonObject,
  schema: JSONSchemaProps,
  path: string,
  isResourceRoot: boolean,
  pruned: string[],
): void {
  if (schema["x-kubernetes-int-or-string"]) return;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const props = schema.properties ?? {};
  const additional = schema.additionalProperties;
  for (const key of Object.keys(obj)) {
    // apiVersion, kind and metadata of a resource (root or embedded) are never pruned by the schema.
    if (isResourceRoot && (key === "apiVersion" || key === "kind" || key === "metadata")) {
      if (key === "metadata" && path !== "") pruned.push(...pruneObjectMeta(obj, path));
      continue;
    }
    const propSchema = props[key];
    if (propSchema) {
      pruneValue(obj[key], propSchema, join(path, key), pruned);
    } else if (isObject(additional)) {
      pruneValue(obj[key], additional, `${path}[${key}]`, pruned);
    } else if (!preserve && additional !== true) {
      delete obj[key];
      pruned.push(join(path, key));
    }
  }
}

/**
 * Removes `null` values of fields that are not nullable and have no default
 * (defaulting/prunenulls.go PruneNonNullableNullsWithoutDefaults), so a JSON null never reaches validation.
 */
export function pruneNonNullableNulls(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const propSchema =
        schema.properties?.[key] ?? (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (!propSchema) continue;
      if (value[key] === null && !propSchema.nullable && propSchema.default === undefined) delete value[key];
      else pruneNonNullableNulls(value[key], propSchema);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) pruneNonNullableNulls(item, schema.items);
  }
}

/** Applies `default` values of missing object properties (structural defaulting, defaulting/algorithm.go). */
export function applyDefaults(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (isObject(value)) {
    for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
      if (value[key] === undefined && propSchema.default !== undefined)
        value[key] = JSON.parse(JSON.stringify(propSchema.default));
      applyDefaults(value[key], propSchema);
    }
    if (isObject(schema.additionalProperties)) {
      for (const key of Object.keys(value)) {
        if (!schema.properties?.[key]) applyDefaults(value[key], schema.additionalProperties);
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
  }
}
