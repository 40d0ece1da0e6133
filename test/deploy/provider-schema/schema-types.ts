import type { Mode } from "./go-schema";

/** One attribute or nested block of a provider resource, as stored in oci-provider-schema.json. */
export interface SchemaField {
  kind: "attribute" | "block";
  /** The SDK type: TypeString, TypeList, TypeSet, TypeMap, TypeBool, TypeInt, TypeFloat. */
  type: string;
  mode: Mode;
  optionalComputed?: boolean;
  forceNew?: boolean;
  deprecated?: boolean;
  maxItems?: number;
  minItems?: number;
  validValues?: string[];
  ignoreCase?: boolean;
  conflictsWith?: string[];
  /** First release of the last gap-free run of releases that hold the field, up to the schema's tag. */
  introduced: string;
  /** The field was already in the first scanned release: introduced there or earlier. */
  introducedOrEarlier?: boolean;
  /** `oracle/terraform-provider-oci:<path>@<tag>`: where `introduced` was read. */
  source: string;
  /** When the mode changed within that run (e.g. optional, then required): each mode from its first release. */
  modeHistory?: Array<{ since: string; mode: Mode }>;
  /** Fields of a block. */
  fields?: Record<string, SchemaField>;
}

export interface ResourceSchema {
  /** `oracle/terraform-provider-oci:<path>@<tag>` of the schema's release. */
  source: string;
  introduced: string;
  /** The resource sets Timeouts: a `timeouts {}` block is accepted. */
  timeouts: boolean;
  fields: Record<string, SchemaField>;
}

export interface ProviderSchema {
  provider: string;
  upstream: string;
  schemaTag: string;
  scannedFrom: string;
  scannedTags: number;
  generatedBy: string;
  note: string;
  resources: Record<string, ResourceSchema>;
}

/** Orders release tags `vX.Y.Z` (the `v` is optional) numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, "").split(".").map(Number);
  const pb = b.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
