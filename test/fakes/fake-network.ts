import type {
  CallOptions,
  Mutation,
  NsgInfo,
  OciNetwork,
  PrivateIpInfo,
  SubnetInfo,
  VnicInfo,
} from "../../lib/ports/oci";
import { OciApiError } from "../../lib/ports/oci-errors";
import { type FakeOciWorld, notFound } from "./oci-world";

/** OciNetwork over the fake OCI world: VNICs, private IPs, subnets and NSGs as the Core API answers them. */
export class FakeNetwork implements OciNetwork {
  constructor(private readonly world: FakeOciWorld) {}

  /** GetVnic: a copy, or 404. */
  async getVnic(vnicId: string, options?: CallOptions): Promise<VnicInfo> {
    this.world.enter("oci", "getVnic", [vnicId], options?.deadline);
    const vnic = this.world.vnics.get(vnicId);
    if (!vnic) throw notFound("GetVnic", vnicId, this.world.requestId());
    const { compartmentId: _c, ...info } = vnic;
    return structuredClone(info);
  }

  /** ListPrivateIps by VNIC: the primary and every secondary IP; 404 for a VNIC that is gone. */
  async listPrivateIps(vnicId: string, options?: CallOptions): Promise<PrivateIpInfo[]> {
    this.world.enter("oci", "listPrivateIps", [vnicId], options?.deadline);
    if (!this.world.vnics.has(vnicId)) throw notFound("ListPrivateIps", vnicId, this.world.requestId());
    return structuredClone(this.world.ipsOfVnic(vnicId));
  }

  /** ListPrivateIps by subnet: every IP in it, whatever VNIC holds it. */
  async listPrivateIpsInSubnet(subnetId: string, options?: CallOptions): Promise<PrivateIpInfo[]> {
    this.world.enter("oci", "listPrivateIpsInSubnet", [subnetId], options?.deadline);
    return structuredClone([...this.world.privateIps.values()].filter((ip) => ip.subnetId === subnetId));
  }

  /**
   * CreatePrivateIp: honours the retry token (replay, 409 Conflict, 409 InvalidatedRetryToken), refuses a VNIC at its
   * secondary-IP limit or a full subnet (400 LimitExceeded), and takes the subnet's next free address.
   */
  async createPrivateIp(
    request: Parameters<OciNetwork["createPrivateIp"]>[0],
    options?: CallOptions,
  ): Promise<Mutation<PrivateIpInfo>> {
    const { world } = this;
    world.enter("oci", "createPrivateIp", [request], options?.deadline);
    const opcRequestId = world.requestId();
    const fingerprint = JSON.stringify({ ...request, retryToken: undefined });
    const replay = world.tokens.replayed("CreatePrivateIp", request.retryToken, fingerprint, opcRequestId);
    if (replay) return { value: structuredClone(world.privateIps.get(replay)!), opcRequestId };
    const vnic = world.vnics.get(request.vnicId);
    if (!vnic) throw notFound("CreatePrivateIp", request.vnicId, opcRequestId);
    const secondaries = world.ipsOfVnic(vnic.id).filter((ip) => !ip.isPrimary).length;
    if (secondaries >= world.secondaryIpsPerVnic) {
      throw new OciApiError(
        "CreatePrivateIp",
        `VNIC ${vnic.id} has ${secondaries} secondary private IPs; the limit is ${world.secondaryIpsPerVnic}`,
        { statusCode: 400, serviceCode: "LimitExceeded", opcRequestId },
      );
    }
    const ip = world.addPrivateIp({
      vnicId: vnic.id,
      subnetId: vnic.subnetId,
      isPrimary: false,
      freeformTags: request.freeformTags,
    });
    world.tokens.remember("CreatePrivateIp", request.retryToken, fingerprint, ip.id);
    return { value: structuredClone(ip), opcRequestId };
  }

  /** DeletePrivateIp: 404 when gone, 400 for a primary IP; the address returns to the subnet. */
  async deletePrivateIp(privateIpId: string, options?: CallOptions): Promise<Mutation<void>> {
    const { world } = this;
    world.enter("oci", "deletePrivateIp", [privateIpId], options?.deadline);
    const opcRequestId = world.requestId();
    const ip = world.privateIps.get(privateIpId);
    if (!ip) throw notFound("DeletePrivateIp", privateIpId, opcRequestId);
    if (ip.isPrimary)
      throw new OciApiError("DeletePrivateIp", `${privateIpId} is a primary private IP`, {
        statusCode: 400,
        serviceCode: "InvalidParameter",
        opcRequestId,
      });
    world.removePrivateIp(privateIpId);
    return { value: undefined, opcRequestId };
  }

  /** UpdatePrivateIp: replaces the freeform tags. */
  async updatePrivateIpTags(
    privateIpId: string,
    freeformTags: Record<string, string>,
    options?: CallOptions,
  ): Promise<Mutation<PrivateIpInfo>> {
    this.world.enter("oci", "updatePrivateIpTags", [privateIpId, freeformTags], options?.deadline);
    const ip = this.world.privateIps.get(privateIpId);
    if (!ip) throw notFound("UpdatePrivateIp", privateIpId, this.world.requestId());
    ip.freeformTags = { ...freeformTags };
    return { value: structuredClone(ip), opcRequestId: this.world.requestId() };
  }

  /** UpdateVnic: replaces the freeform tags. */
  async updateVnicTags(
    vnicId: string,
    freeformTags: Record<string, string>,
    options?: CallOptions,
  ): Promise<Mutation<VnicInfo>> {
    this.world.enter("oci", "updateVnicTags", [vnicId, freeformTags], options?.deadline);
    const vnic = this.world.vnics.get(vnicId);
    if (!vnic) throw notFound("UpdateVnic", vnicId, this.world.requestId());
    vnic.freeformTags = { ...freeformTags };
    const { compartmentId: _c, ...info } = vnic;
    return { value: structuredClone(info), opcRequestId: this.world.requestId() };
  }

  /** ListSubnets: the VCN's AVAILABLE and UPDATING subnets in the compartment. */
  async listSubnets(compartmentId: string, vcnId: string, options?: CallOptions): Promise<SubnetInfo[]> {
    this.world.enter("oci", "listSubnets", [compartmentId, vcnId], options?.deadline);
    return structuredClone(
      [...this.world.subnets.values()].filter(
        (s) =>
          s.compartmentId === compartmentId &&
          s.vcnId === vcnId &&
          (s.lifecycleState === "AVAILABLE" || s.lifecycleState === "UPDATING"),
      ),
    );
  }

  /** The subnet's assigned addresses (primary and secondary IPs). */
  async countAssignedIps(subnetId: string, options?: CallOptions): Promise<number> {
    this.world.enter("oci", "countAssignedIps", [subnetId], options?.deadline);
    this.world.subnet(subnetId);
    return this.world.assignedIn(subnetId);
  }

  async getSubnetAllocations(
    subnetId: string,
    options?: CallOptions,
  ): Promise<{ assignedAddresses: number; allocations: string[] }> {
    this.world.enter("oci", "getSubnetAllocations", [subnetId], options?.deadline);
    this.world.subnet(subnetId);
    const allocations = [...this.world.privateIps.values()]
      .filter((ip) => ip.subnetId === subnetId)
      .map((ip) => `${ip.ipAddress}/${ip.cidrPrefixLength ?? 32}`);
    return { assignedAddresses: this.world.assignedIn(subnetId), allocations };
  }

  async listNetworkSecurityGroups(compartmentId: string, vcnId: string, options?: CallOptions): Promise<NsgInfo[]> {
    this.world.enter("oci", "listNetworkSecurityGroups", [compartmentId, vcnId], options?.deadline);
    return structuredClone([...this.world.nsgs.values()].filter((n) => n.vcnId === vcnId));
  }
}
