import * as common from "oci-common";
import * as core from "oci-core";
import type { OciEmulator } from "../../lib/testbed/oci-emulator";

/**
 * The polling baseline the issue compares with: what existing ports of cloud IPAM to OCI do once a minute — read every
 * instance of the compartment with its VNICs and their private IPs — done once with the real SDK clients against the
 * emulator, so its calls are counted by the same counters as ours. Per pass: ListInstances (paged), ListSubnets, and
 * per running instance that is a cluster node (`isNode`: the compartment may hold other instances, which a poller
 * would skip after listing) ListVnicAttachments, per attached VNIC GetVnic and ListPrivateIps (OCI has no "list every
 * VNIC with its IPs" call, unlike EC2's DescribeNetworkInterfaces).
 */
export async function fullPollPass(
  oci: OciEmulator,
  compartmentId: string,
  vcnId: string,
  isNode: (instanceId: string) => boolean,
): Promise<void> {
  const c = oci.credentials;
  const auth = new common.SimpleAuthenticationDetailsProvider(
    c.tenancyId,
    c.userId,
    c.fingerprint,
    c.privateKeyPem,
    null,
    common.Region.US_ASHBURN_1,
  );
  const noBreaker = { circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }) };
  const compute = new core.ComputeClient({ authenticationDetailsProvider: auth }, noBreaker);
  const network = new core.VirtualNetworkClient({ authenticationDetailsProvider: auth }, noBreaker);
  compute.endpoint = oci.endpoint;
  network.endpoint = oci.endpoint;
  try {
    const instances: core.models.Instance[] = [];
    let page: string | undefined;
    do {
      const res = await compute.listInstances({ compartmentId, ...(page ? { page } : {}) });
      instances.push(...res.items);
      page = res.opcNextPage;
    } while (page);
    await network.listSubnets({ compartmentId, vcnId });
    for (const instance of instances.filter(
      (i) => i.lifecycleState === core.models.Instance.LifecycleState.Running && isNode(i.id),
    )) {
      const attachments = await compute.listVnicAttachments({ compartmentId, instanceId: instance.id });
      for (const a of attachments.items.filter(
        (x) => x.vnicId && x.lifecycleState === core.models.VnicAttachment.LifecycleState.Attached,
      )) {
        await Promise.all([network.getVnic({ vnicId: a.vnicId! }), network.listPrivateIps({ vnicId: a.vnicId! })]);
      }
    }
  } finally {
    compute.shutdownCircuitBreaker();
    network.shutdownCircuitBreaker();
  }
}
