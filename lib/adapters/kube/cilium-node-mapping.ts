import { RELEASE_STATUSES, type AllocationIp, type ReleaseStatus } from "../../core/model";
import type { CiliumNodeView } from "../../ports/kube";

/**
 * Pure mapping between a CiliumNode (cilium.io/v2, JSON as served) and the project's CiliumNodeView, and the JSON
 * merge patches (RFC 7386) the adapter sends. Field names are Cilium's exact JSON names (cilium/cilium
 * pkg/ipam/types/types.go @66382ef IPAMSpec/IPAMStatus; infra/kubernetes/crds/ciliumnodes.cilium.io.yaml).
 */
export const CILIUM_NODES = { group: "cilium.io", version: "v2", plural: "ciliumnodes" } as const;

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A non-negative integer, or undefined (Cilium's ints; absent and malformed both mean "not set"). */
function int(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** An AllocationMap (`map[ip]{owner,resource}`); entries that are not objects are dropped. */
export function toAllocationMap(value: unknown): Record<string, AllocationIp> {
  const out: Record<string, AllocationIp> = {};
  for (const [ip, entry] of Object.entries(obj(value) ?? {})) {
    const e = obj(entry);
    if (!e) continue;
    const a: AllocationIp = {};
    const owner = str(e.owner);
    const resource = str(e.resource);
    if (owner) a.owner = owner;
    if (resource) a.resource = resource;
    out[ip] = a;
  }
  return out;
}

const RELEASE = new Set<string>(RELEASE_STATUSES);

/** `status.ipam.release-ips`; values outside Cilium's enum (the CRD forbids them) are dropped. */
export function toReleaseIps(value: unknown): Record<string, ReleaseStatus> {
  const out: Record<string, ReleaseStatus> = {};
  for (const [ip, s] of Object.entries(obj(value) ?? {})) {
    if (typeof s === "string" && RELEASE.has(s)) out[ip] = s as ReleaseStatus;
  }
  return out;
}

/** Maps a CiliumNode object to the view the use cases read. Throws when metadata is unusable. */
export function toCiliumNodeView(object: unknown): CiliumNodeView {
  const o = obj(object) ?? {};
  const meta = obj(o.metadata) ?? {};
  const name = str(meta.name);
  const resourceVersion = str(meta.resourceVersion);
  if (!name || !resourceVersion) throw new TypeError("CiliumNode without metadata.name or metadata.resourceVersion");
  const spec = obj(o.spec) ?? {};
  const specIpam = obj(spec.ipam) ?? {};
  const statusIpam = obj(obj(o.status)?.ipam) ?? {};
  const view: CiliumNodeView = {
    name,
    uid: str(meta.uid) ?? "",
    resourceVersion,
    ipam: {
      name,
      pool: toAllocationMap(specIpam.pool),
      used: toAllocationMap(statusIpam.used),
      releaseIps: toReleaseIps(statusIpam["release-ips"]),
    },
  };
  const generation = typeof meta.generation === "number" ? meta.generation : undefined;
  if (generation !== undefined) view.generation = generation;
  const instanceId = str(spec["instance-id"]);
  if (instanceId) view.instanceId = instanceId;
  const watermarks: Array<[keyof CiliumNodeView["ipam"], string]> = [
    ["preAllocate", "pre-allocate"],
    ["minAllocate", "min-allocate"],
    ["maxAllocate", "max-allocate"],
    ["maxAboveWatermark", "max-above-watermark"],
  ];
  for (const [key, json] of watermarks) {
    const v = int(specIpam[json]);
    if (v !== undefined) (view.ipam as unknown as Record<string, number>)[key] = v;
  }
  return view;
}

function sameAllocation(a: AllocationIp | undefined, b: AllocationIp): boolean {
  return a !== undefined && (a.owner ?? "") === (b.owner ?? "") && (a.resource ?? "") === (b.resource ?? "");
}

/**
 * The merge patch that turns `previous` (the pool as read at `resourceVersion`) into exactly `next`:
 * changed or new entries are sent whole, with `null` for the AllocationIP fields they lack (so a stale `owner`
 * cannot survive the merge); entries absent from `next` are sent as `null` (removal). `metadata.resourceVersion`
 * makes the API server reject the patch with 409 if the object changed since it was read. Only
 * `spec.ipam.pool` and (when given) `spec.ipam.pre-allocate` are touched.
 */
export function poolMergePatch(
  resourceVersion: string,
  next: Record<string, AllocationIp>,
  previous: Record<string, AllocationIp>,
  preAllocate?: number,
): Json {
  const pool: Record<string, unknown> = {};
  for (const [ip, entry] of Object.entries(next)) {
    if (sameAllocation(previous[ip], entry)) continue;
    pool[ip] = { owner: entry.owner ? entry.owner : null, resource: entry.resource ? entry.resource : null };
  }
  for (const ip of Object.keys(previous)) if (!(ip in next)) pool[ip] = null;
  const ipam: Json = {};
  if (Object.keys(pool).length > 0) ipam.pool = pool;
  if (preAllocate !== undefined) ipam["pre-allocate"] = preAllocate;
  const patch: Json = { metadata: { resourceVersion } };
  if (Object.keys(ipam).length > 0) patch.spec = { ipam };
  return patch;
}

/**
 * The merge patch (sent to the /status subresource) that turns `previous` `status.ipam.release-ips` into exactly
 * `next`, guarded by `resourceVersion`. Nothing else in status (the agent's `used`, `operator-status`, cloud
 * blocks) is touched.
 */
export function releaseStatusMergePatch(
  resourceVersion: string,
  next: Record<string, ReleaseStatus>,
  previous: Record<string, ReleaseStatus>,
): Json {
  const releaseIps: Record<string, ReleaseStatus | null> = {};
  for (const [ip, s] of Object.entries(next)) if (previous[ip] !== s) releaseIps[ip] = s;
  for (const ip of Object.keys(previous)) if (!(ip in next)) releaseIps[ip] = null;
  const patch: Json = { metadata: { resourceVersion } };
  if (Object.keys(releaseIps).length > 0) patch.status = { ipam: { "release-ips": releaseIps } };
  return patch;
}
