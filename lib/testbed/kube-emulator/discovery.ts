import type { JsonObject } from "./json";
import type { ResourceRegistry, ResourceType } from "./resource-type";

/**
 * Legacy (unaggregated) discovery documents: /api (APIVersions), /apis (APIGroupList), /apis/<group> (APIGroup)
 * and /api/v1, /apis/<group>/<version> (APIResourceList). kubectl 1.32 first asks for aggregated discovery
 * (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`); client-go falls back to these
 * documents when the response is plain application/json, which is what the emulator sends.
 */

function groupsOf(registry: ResourceRegistry): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const rt of registry.all()) {
    if (!rt.group) continue;
    const versions = groups.get(rt.group) ?? [];
    for (const v of rt.versions) if (!versions.includes(v)) versions.push(v);
    groups.set(rt.group, versions);
  }
  return groups;
}

function groupDoc(name: string, versions: string[]): JsonObject {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function apiGroupList(registry: ResourceRegistry): JsonObject {
  const groups = [...groupsOf(registry).entries()].map(([name, versions]) => groupDoc(name, versions));
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

/** /apis/<group>, or undefined when no resource is served in that group. */
export function apiGroup(registry: ResourceRegistry, group: string): JsonObject | undefined {
  const versions = groupsOf(registry).get(group);
  return versions ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(group, versions) } : undefined;
}

function resourceEntries(rt: ResourceType): JsonObject[] {
  const main: JsonObject = {
    name: rt.plural,
    singularName: rt.singular,
    namespaced: rt.namespaced,
    kind: rt.kind,
    verbs: rt.verbs,
    ...(rt.shortNames.length > 0 ? { shortNames: rt.shortNames } : {}),
    ...(rt.categories.length > 0 ? { categories: rt.categories } : {}),
  };
  const entries = [main];
  if (rt.statusSubresource)
    entries.push({
      name: `${rt.plural}/status`,
      singularName: "",
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: ["get", "patch", "update"],
    });
  return entries;
}

/** /api/v1 or /apis/<group>/<version>, or undefined when nothing is served there. */
export function apiResourceList(registry: ResourceRegistry, group: string, version: string): JsonObject | undefined {
  const types = registry.all().filter((rt) => rt.group === group && rt.versions.includes(version));
  if (types.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.sort((a, b) => a.plural.localeCompare(b.plural)).flatMap(resourceEntries),
  };
}

/** /version: kubectl 1.32 is on these machines, so the emulator reports the same minor (no skew warning). */
export function versionInfo(): JsonObject {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.0+ocipam-emulator",
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.23.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

// ---- OpenAPI v3 (only what kubectl's field-validation probe reads) ----

/**
 * /openapi/v3 and /openapi/v3/<api/v1 | apis/<group>/<version>>. kubectl 1.32 create/apply asks whether the
 * server validates fields itself (cli-runtime resource/query_param_verifier_v3.go supportsQueryParamV3: the
 * PATCH operation of the kind, found by its x-kubernetes-group-version-kind extension, lists a `fieldValidation`
 * query parameter). When it does, kubectl sends fieldValidation=Strict and skips client-side validation, which
 * would otherwise need /openapi/v2. The documents carry no schemas (kubectl explain is not served).
 */
function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiV3GroupVersion(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  const types = registry.all().filter((rt) => rt.group === group && rt.versions.includes(version));
  if (types.length === 0) return undefined;
  const query = (name: string) => ({ name, in: "query", schema: { type: "string", uniqueItems: true } });
  const paths: Record<string, JsonObject> = {};
  for (const rt of types) {
    const gvk = { group: rt.group, version, kind: rt.kind };
    const base = rt.namespaced
      ? `/${gvPath(group, version)}/namespaces/{namespace}/${rt.plural}`
      : `/${gvPath(group, version)}/${rt.plural}`;
    const op = (action: string) => ({
      operationId: `${action}${rt.kind}`,
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk,
      parameters: [query("dryRun"), query("fieldManager"), query("fieldValidation")],
      responses: { "200": { description: "OK" } },
    });
    if (rt.verbs.includes("create")) paths[base] = { post: op("post") };
    paths[`${base}/{name}`] = {
      ...(rt.verbs.includes("update") ? { put: op("put") } : {}),
      ...(rt.verbs.includes("patch") ? { patch: op("patch") } : {}),
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths, components: { schemas: {} } };
}

export function openApiV3Root(registry: ResourceRegistry, hash: (doc: JsonObject) => string): JsonObject {
  const gvs = new Map<string, [string, string]>();
  for (const rt of registry.all()) for (const v of rt.versions) gvs.set(gvPath(rt.group, v), [rt.group, v]);
  const paths: Record<string, JsonObject> = {};
  for (const [path, [group, version]] of [...gvs.entries()].sort()) {
    const doc = openApiV3GroupVersion(registry, group, version);
    if (doc) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash(doc)}` };
  }
  return { paths };
}
