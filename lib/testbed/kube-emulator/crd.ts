import { isObject, type JsonObject } from "./json";
import { metaOf, nowTimestamp } from "./object-meta";
import { CUSTOM_PATCH_TYPES, BUILTIN_PATCH_TYPES, type PrinterColumn, type ResourceType } from "./resource-type";
import type { JSONSchemaProps } from "./schema/types";
import { fieldErrors, statusErrors } from "./status";
import { AGE_COLUMN, NAME_COLUMN } from "./table";

/**
 * CustomResourceDefinitions: the built-in `apiextensions.k8s.io/v1` kind, and the conversion of a stored CRD
 * into the resource type the emulator serves (what apiextensions-apiserver's crdHandler builds per CRD).
 */

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: unknown; scale?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: "Cluster" | "Namespaced";
  names: {
    kind: string;
    plural: string;
    singular?: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

function specOf(crd: JsonObject): CrdSpec | undefined {
  const spec = crd.spec;
  if (!isObject(spec) || !isObject(spec.names) || !Array.isArray(spec.versions) || typeof spec.group !== "string")
    return undefined;
  return spec as unknown as CrdSpec;
}

/** Validation the CRD itself must pass (a small part of apiextensions validation.ValidateCustomResourceDefinition). */
function validateCrd(crd: JsonObject): void {
  const name = String(metaOf(crd).name ?? "");
  const spec = specOf(crd);
  const gk = { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" };
  if (!spec) throw statusErrors.invalid(gk, name, [fieldErrors.required("spec", "")]);
  const errs = [];
  if (!spec.names.plural) errs.push(fieldErrors.required("spec.names.plural", ""));
  if (!spec.names.kind) errs.push(fieldErrors.required("spec.names.kind", ""));
  if (spec.scope !== "Cluster" && spec.scope !== "Namespaced")
    errs.push(fieldErrors.notSupported("spec.scope", spec.scope, ["Cluster", "Namespaced"]));
  if (name !== `${spec.names.plural}.${spec.group}`)
    errs.push(fieldErrors.invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'));
  const storage = spec.versions.filter((v) => v.storage);
  if (storage.length !== 1)
    errs.push(
      fieldErrors.invalid(
        "spec.versions",
        spec.versions.length,
        "must have exactly one version marked as storage version",
      ),
    );
  if (errs.length > 0) throw statusErrors.invalid(gk, name, errs);
}

/** Sets what the naming and establishing controllers would write into status. */
function completeCrd(crd: JsonObject): void {
  validateCrd(crd);
  const spec = specOf(crd) as CrdSpec;
  const names = {
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
    ...(spec.names.categories ? { categories: spec.names.categories } : {}),
  };
  const now = nowTimestamp();
  crd.status = {
    conditions: [
      {
        type: "NamesAccepted",
        status: "True",
        lastTransitionTime: now,
        reason: "NoConflicts",
        message: "no conflicts found",
      },
      {
        type: "Established",
        status: "True",
        lastTransitionTime: now,
        reason: "InitialNamesAccepted",
        message: "the initial names have been accepted",
      },
    ],
    acceptedNames: names,
    storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}

/** The built-in CustomResourceDefinition kind; writing one (un)registers the kind it defines. */
export function crdResourceType(): ResourceType {
  return {
    group: "apiextensions.k8s.io",
    versions: ["v1"],
    kind: "CustomResourceDefinition",
    listKind: "CustomResourceDefinitionList",
    plural: "customresourcedefinitions",
    singular: "customresourcedefinition",
    namespaced: false,
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    statusSubresource: true,
    custom: false,
    fieldLabels: {},
    allowUnconditionalUpdate: false,
    returnDeletedObject: false,
    keepStatusOnCreate: false,
    patchTypes: BUILTIN_PATCH_TYPES,
    nameRule: "subdomain",
    prepareForCreate: completeCrd,
    printer: {
      columns: [NAME_COLUMN, { name: "Created At", type: "date", description: "" }],
      row: (o) => [metaOf(o).name ?? "", metaOf(o).creationTimestamp ?? ""],
    },
  };
}

/** The resource type a stored CRD defines; undefined when it has no served version. */
export function resourceTypeFromCrd(crd: JsonObject): ResourceType | undefined {
  const spec = specOf(crd);
  if (!spec) return undefined;
  const served = spec.versions.filter((v) => v.served !== false);
  if (served.length === 0) return undefined;
  // Storage version first: objects are stored in it and it is the default when a version is not given.
  const ordered = [...served].sort((a, b) => Number(Boolean(b.storage)) - Number(Boolean(a.storage)));
  const schemas: Record<string, JSONSchemaProps> = {};
  const printerColumns: Record<string, PrinterColumn[]> = {};
  for (const v of ordered) {
    if (v.schema?.openAPIV3Schema) schemas[v.name] = v.schema.openAPIV3Schema;
    // apiextensions defaulting: a version without printer columns gets Age (.metadata.creationTimestamp).
    printerColumns[v.name] =
      v.additionalPrinterColumns && v.additionalPrinterColumns.length > 0
        ? v.additionalPrinterColumns
        : [{ name: AGE_COLUMN.name, type: "date", jsonPath: ".metadata.creationTimestamp" }];
  }
  return {
    group: spec.group,
    versions: ordered.map((v) => v.name),
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    namespaced: spec.scope === "Namespaced",
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
    statusSubresource: ordered.some((v) => v.subresources?.status !== undefined),
    custom: true,
    schemas,
    printerColumns,
    fieldLabels: {},
    allowUnconditionalUpdate: false,
    returnDeletedObject: false,
    keepStatusOnCreate: false,
    patchTypes: CUSTOM_PATCH_TYPES,
    nameRule: "subdomain",
  };
}
