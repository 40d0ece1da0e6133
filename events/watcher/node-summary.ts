import { toCiliumNodeView } from "../../lib/adapters/kube/cilium-node-mapping";
import type { CiliumNodeIpam } from "../../lib/core/model";
import type { CiliumNodeView } from "../../lib/ports/kube";

/**
 * What the watcher keeps of one CiliumNode: the sizes of its maps and the watermark settings, which is all its
 * decisions (decision.ts) and progress metrics (node-progress.ts) read — not the maps themselves. A CiliumNode's
 * pool and used maps hold one entry per IP (an IP string and an object each); at 5,000 nodes that is most of the
 * watcher's memory if it is kept, and a relist would hold all of it at once.
 */
export interface CiliumNodeSummary {
  name: string;
  uid: string;
  resourceVersion: string;
  /** `metadata.creationTimestamp` in ms since the epoch (the API server's clock, whole seconds). */
  createdAtMs?: number;
  /** `len(spec.ipam.pool)`. */
  available: number;
  /** `len(status.ipam.used)`. */
  used: number;
  /** `len(status.ipam.release-ips)`: a release handshake is in progress when > 0. */
  releasing: number;
  preAllocate?: number;
  minAllocate?: number;
  maxAllocate?: number;
  maxAboveWatermark?: number;
}

/** The counts and watermarks of an IPAM section (what {@link CiliumNodeSummary} keeps of it). */
export type IpamCounts = Pick<
  CiliumNodeSummary,
  "available" | "used" | "releasing" | "preAllocate" | "minAllocate" | "maxAllocate" | "maxAboveWatermark"
>;

/** The counts of an IPAM section: map sizes, watermarks as they are. */
export function countIpam(ipam: CiliumNodeIpam): IpamCounts {
  const counts: IpamCounts = {
    available: Object.keys(ipam.pool).length,
    used: Object.keys(ipam.used).length,
    releasing: Object.keys(ipam.releaseIps).length,
  };
  if (ipam.preAllocate !== undefined) counts.preAllocate = ipam.preAllocate;
  if (ipam.minAllocate !== undefined) counts.minAllocate = ipam.minAllocate;
  if (ipam.maxAllocate !== undefined) counts.maxAllocate = ipam.maxAllocate;
  if (ipam.maxAboveWatermark !== undefined) counts.maxAboveWatermark = ipam.maxAboveWatermark;
  return counts;
}

/** The summary of a mapped view (and its creation time, when known). */
export function summarizeView(view: CiliumNodeView & { createdAtMs?: number }): CiliumNodeSummary {
  const summary: CiliumNodeSummary = {
    name: view.name,
    uid: view.uid,
    resourceVersion: view.resourceVersion,
    ...countIpam(view.ipam),
  };
  if (view.createdAtMs !== undefined) summary.createdAtMs = view.createdAtMs;
  return summary;
}

/**
 * Maps a CiliumNode as served (the list/watch map function) to its summary, reading it exactly as the function
 * does (lib/adapters/kube/cilium-node-mapping.ts toCiliumNodeView: pool and used entries count when they are
 * objects, release states outside Cilium's enum do not). The pool and used maps are counted in place and kept out
 * of the view, so mapping a page of 500 nodes does not copy every IP entry once more. Throws, like that mapping,
 * when metadata is unusable.
 */
export function summarizeCiliumNode(object: unknown): CiliumNodeSummary {
  const o = asObject(object);
  const spec = asObject(o?.spec);
  const specIpam = asObject(spec?.ipam);
  const status = asObject(o?.status);
  const statusIpam = asObject(status?.ipam);
  const projected = {
    ...o,
    spec: { ...spec, ipam: { ...specIpam, pool: undefined } },
    status: { ...status, ipam: { ...statusIpam, used: undefined } },
  };
  const view: CiliumNodeView & { createdAtMs?: number } = toCiliumNodeView(projected);
  const creationTimestamp = asObject(o?.metadata)?.creationTimestamp;
  const created = typeof creationTimestamp === "string" ? Date.parse(creationTimestamp) : NaN;
  if (Number.isFinite(created)) view.createdAtMs = created;
  return {
    ...summarizeView(view),
    available: countAllocations(specIpam?.pool),
    used: countAllocations(statusIpam?.used),
  };
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Entries of an AllocationMap that toAllocationMap would keep (those whose value is an object). */
function countAllocations(map: unknown): number {
  let n = 0;
  for (const entry of Object.values(asObject(map) ?? {})) if (asObject(entry)) n++;
  return n;
}
