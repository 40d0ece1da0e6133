import { randomUUID } from "node:crypto";
import { createOciAdapters, createOciClients, type OciAdapters } from "../../lib/adapters/oci";
import { silentLogger } from "../../lib/log";
import type { LocalCluster } from "../../lib/testbed/local/local-cluster";

/**
 * The OCI API as another party sees it (through the SDK, signed, IAM enforced), for tests that put objects into the
 * world the allocator did not create: an untagged IP, another cluster's IP, a leftover VNIC.
 */
export async function ociAs(cluster: LocalCluster): Promise<OciAdapters> {
  const config = cluster.allocatorConfig;
  const clients = await createOciClients({
    auth: { kind: "config-file", path: config.OCIPAM_OCI_CONFIG_FILE!, profile: config.OCIPAM_OCI_PROFILE! },
    endpoint: cluster.oci.endpoint,
    region: config.OCIPAM_OCI_REGION!,
  });
  return createOciAdapters({ clients, log: silentLogger() });
}

/** Creates a secondary IP with these tags on a VNIC; returns its address and OCID. */
export async function injectIp(
  oci: OciAdapters,
  vnicId: string,
  freeformTags: Record<string, string>,
): Promise<{ ipAddress: string; id: string }> {
  const created = await oci.network.createPrivateIp({
    vnicId,
    displayName: "injected",
    freeformTags,
    retryToken: randomUUID(),
  });
  return { ipAddress: created.value.ipAddress, id: created.value.id };
}
