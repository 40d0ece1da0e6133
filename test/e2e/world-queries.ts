import type { LocalCluster } from "../../lib/testbed/local/local-cluster";

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  freeformTags: Record<string, string>;
}
interface SnapshotVnic {
  id: string;
  instanceId: string;
  isPrimary: boolean;
  subnetId: string;
  lifecycleState: string;
  freeformTags: Record<string, string>;
}

/** Read-only views of the emulated world for assertions. */
export function ownedIpsOf(cluster: LocalCluster, node: string): SnapshotIp[] {
  const snap = cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[] };
  return snap.privateIps.filter((ip) => !ip.isPrimary && ip.freeformTags["ocipam-node"] === node);
}

export function vnicsOf(cluster: LocalCluster, instanceId: string): SnapshotVnic[] {
  const snap = cluster.oci.admin.snapshot() as unknown as { vnics: SnapshotVnic[] };
  return snap.vnics.filter((v) => v.instanceId === instanceId && v.lifecycleState !== "TERMINATED");
}

export function ciliumNode(cluster: LocalCluster, name: string): Record<string, any> {
  const cn = cluster.kube.store.get("ciliumnodes", name);
  if (!cn) throw new Error(`CiliumNode ${name} not found`);
  return cn as Record<string, any>;
}

export function poolOf(cluster: LocalCluster, name: string): Record<string, { resource?: string; owner?: string }> {
  return (ciliumNode(cluster, name).spec?.ipam?.pool ?? {}) as Record<string, { resource?: string }>;
}

export function ipamRecord(cluster: LocalCluster, name: string): Record<string, any> | undefined {
  return cluster.kube.store.get("ociipamnodes", name) as Record<string, any> | undefined;
}

/** Sets status.ipam.used to `count` pool IPs, as the agent does when pods start (in pool order). */
export function useIps(cluster: LocalCluster, name: string, count: number): void {
  const pool = poolOf(cluster, name);
  const used = Object.fromEntries(
    Object.entries(pool)
      .slice(0, count)
      .map(([ip, e], i) => [ip, { owner: `default/pod-${i}`, resource: e.resource }]),
  );
  const cn = ciliumNode(cluster, name);
  cluster.kube.store.updateStatus("ciliumnodes", {
    ...cn,
    status: { ...(cn.status ?? {}), ipam: { ...(cn.status?.ipam ?? {}), used } },
  });
}
