import type { JsonObject } from "./json";
import type { JSONSchemaProps } from "./schema/types";
import type { GroupResource } from "./status";

/** An `additionalPrinterColumns` entry of a CRD version (also used for built-in printers). */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** Computes the cells of one table row for a built-in kind (the server-side printers of kube-apiserver). */
export type RowPrinter = (obj: JsonObject, now: Date) => unknown[];

/**
 * Everything the emulator knows about one served resource: its names, scope, verbs, and the strategy choices
 * that differ between kinds (they are the generic registry's knobs in k8s.io/apiserver, set per kind).
 */
export interface ResourceType {
  group: string;
  /** Versions served, the storage (preferred) version first. */
  versions: string[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** A `/status` subresource exists: the main resource ignores status, `/status` writes only status. */
  statusSubresource: boolean;
  /** Served from a CustomResourceDefinition: custom-resource strategy (generation, patch types, schema). */
  custom: boolean;
  /** Per version openAPIV3Schema of a CRD (pruning, defaulting, validation). */
  schemas?: Record<string, JSONSchemaProps>;
  /** Per version printer columns (CRD additionalPrinterColumns, defaulted to Age). */
  printerColumns?: Record<string, PrinterColumn[]>;
  /** Built-in printer: column definitions and a row function (kube-apiserver's internal printers). */
  printer?: { columns: Array<Omit<PrinterColumn, "jsonPath">>; row: RowPrinter };
  /** Field selectors beyond metadata.name / metadata.namespace, e.g. pods' spec.nodeName. */
  fieldLabels: Record<string, (obj: JsonObject) => string | undefined>;
  /** PUT without metadata.resourceVersion is allowed (false for custom resources). */
  allowUnconditionalUpdate: boolean;
  /** DELETE answers the deleted object instead of a Success Status. */
  returnDeletedObject: boolean;
  /** Status written on create is kept (Nodes allow it; Pods and custom resources reset it). */
  keepStatusOnCreate: boolean;
  /** Content types accepted by PATCH. */
  patchTypes: string[];
  /** Name validation: DNS-1123 subdomain (most kinds), label (namespaces) or path segment (RBAC kinds). */
  nameRule: "subdomain" | "label" | "path";
  /** Called to complete an object on create (e.g. a Namespace's status.phase). */
  prepareForCreate?: (obj: JsonObject) => void;
}

export const PATCH_JSON = "application/json-patch+json";
export const PATCH_MERGE = "application/merge-patch+json";
export const PATCH_STRATEGIC = "application/strategic-merge-patch+json";
export const PATCH_APPLY = "application/apply-patch+yaml";

/** What a CRD accepts: customresource_handler.go builds this list (strategic merge is absent). */
export const CUSTOM_PATCH_TYPES = [PATCH_JSON, PATCH_MERGE, PATCH_APPLY];
/** What built-in kinds accept (apiserver installer.go). */
export const BUILTIN_PATCH_TYPES = [PATCH_JSON, PATCH_MERGE, PATCH_STRATEGIC, PATCH_APPLY];

export function groupVersion(rt: ResourceType, version = rt.versions[0]): string {
  return rt.group ? `${rt.group}/${version}` : version;
}

export function groupResource(rt: ResourceType): GroupResource {
  return { group: rt.group, resource: rt.plural };
}

/** The store's key for a resource: version-independent, like the etcd key prefix. */
export function typeKey(rt: ResourceType): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

/**
 * The set of served resources. Built-ins are registered at start; CRDs add and remove entries as
 * CustomResourceDefinition objects are written (like the apiextensions-apiserver's crdHandler).
 */
export class ResourceRegistry {
  private readonly byKey = new Map<string, ResourceType>();

  /** Adds or replaces a resource type; called at start for built-ins and whenever a CRD is written. */
  register(rt: ResourceType): void {
    this.byKey.set(typeKey(rt), rt);
  }

  /** Removes a resource type; called when its CRD is deleted. */
  unregister(key: string): void {
    this.byKey.delete(key);
  }

  /** The type at `/apis/<group>/<version>/<plural>`, undefined when that version is not served. */
  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    const rt = this.byKey.get(group ? `${plural}.${group}` : plural);
    return rt?.versions.includes(version) ? rt : undefined;
  }

  /**
   * Resolves a kubectl-style reference: "ciliumnodes.cilium.io", "cn", "nodes", "leases.coordination.k8s.io",
   * a kind ("CiliumNode") or a singular name. Used by the admin API and manifest loading.
   */
  resolve(ref: string): ResourceType | undefined {
    const direct = this.byKey.get(ref);
    if (direct) return direct;
    const lower = ref.toLowerCase();
    for (const rt of this.byKey.values()) {
      if (
        rt.plural === lower ||
        rt.singular === lower ||
        rt.kind.toLowerCase() === lower ||
        rt.shortNames.includes(lower)
      )
        return rt;
    }
    return undefined;
  }

  /** The type whose objects have this apiVersion and kind (manifests carry these, not plurals). */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
    for (const rt of this.byKey.values()) {
      if (rt.group === group && rt.kind === kind && rt.versions.includes(version)) return rt;
    }
    return undefined;
  }

  /** Every served resource type (discovery, RBAC-independent). */
  all(): ResourceType[] {
    return [...this.byKey.values()];
  }

  /** The type stored under a type key ("ciliumnodes.cilium.io", "nodes"). */
  get(key: string): ResourceType | undefined {
    return this.byKey.get(key);
  }
}
