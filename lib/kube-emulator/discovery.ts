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
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
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
  if (rt.statusSubresource) entries.push({ name: `${rt.plural}/status`, singularName: "", namespaced: rt.namespaced, kind: rt.kind, verbs: ["get", "patch", "update"] });
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
