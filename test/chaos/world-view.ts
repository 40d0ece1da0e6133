import type { Pipeline } from "../../lib/testbed/local/pipeline";

/** The parts of the OCI emulator's snapshot (admin.snapshot()) the chaos checks read. */
export interface WorldView {
  privateIps: Array<{
    id: string;
    ipAddress: string;
    vnicId: string;
    isPrimary: boolean;
    freeformTags: Record<string, string>;
  }>;
  vnics: Array<{
    id: string;
    instanceId: string;
    isPrimary: boolean;
    lifecycleState: string;
    freeformTags: Record<string, string>;
    secondaryIpCount: number;
  }>;
  vnicAttachments: Array<{ id: string; instanceId: string; lifecycleState: string; assignedVnicId: string }>;
  instances: Array<{ id: string; lifecycleState: string }>;
}

/** The cluster name the local pipeline tags the allocator's objects with (ocipam-cluster). */
export const CLUSTER_TAG = "local";

export function worldOf(pipeline: Pipeline): WorldView {
  return pipeline.cluster.oci.admin.snapshot() as unknown as WorldView;
}

/** Secondary private IPs the allocator created (its cluster tag). */
export function allocatorIps(world: WorldView): WorldView["privateIps"] {
  return world.privateIps.filter((ip) => !ip.isPrimary && ip.freeformTags["ocipam-cluster"] === CLUSTER_TAG);
}

/** The CiliumNode parts the checks read. */
export interface CiliumNodeView {
  metadata?: { name?: string };
  spec?: { ipam?: { pool?: Record<string, { resource?: string }>; "pre-allocate"?: number } };
  status?: { ipam?: { used?: Record<string, unknown>; "release-ips"?: Record<string, string> } };
}

export function ciliumNode(pipeline: Pipeline, name: string): CiliumNodeView | undefined {
  return pipeline.cluster.kube.store.get("ciliumnodes", name) as CiliumNodeView | undefined;
}

/** Successful calls of one operation as the OCI emulator counted them (any 2xx). */
export function successes(pipeline: Pipeline, operation: string): number {
  const byStatus = pipeline.cluster.oci.admin.countersByStatus()[operation] ?? {};
  return Object.entries(byStatus)
    .filter(([status]) => Number(status) >= 200 && Number(status) < 300)
    .reduce((a, [, n]) => a + n, 0);
}
