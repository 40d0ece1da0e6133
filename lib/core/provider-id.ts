/**
 * The instance OCID from a Kubernetes Node's `spec.providerID`: `oci://<instance OCID>` (OKE and the OCI cloud
 * controller manager) or the bare OCID. Anything else yields undefined, so a forged or foreign providerID can
 * never point the allocator at an arbitrary OCID.
 */
export function instanceIdFromProviderId(providerId: string | undefined): string | undefined {
  if (!providerId) return undefined;
  const id = providerId.startsWith("oci://") ? providerId.slice("oci://".length) : providerId;
  return /^ocid1\.instance\.[a-z0-9-]*\.[a-z0-9-]*\.[A-Za-z0-9._-]+$/.test(id) ? id : undefined;
}
