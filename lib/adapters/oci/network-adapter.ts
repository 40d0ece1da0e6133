import type * as core from "oci-core";
import type * as workrequests from "oci-workrequests";
import type {
  CallOptions,
  Mutation,
  NsgInfo,
  OciBulkNetwork,
  OciNetwork,
  PrivateIpInfo,
  SubnetInfo,
  VnicInfo,
  WorkRequestFinalStatus,
  WorkRequestOutcome,
} from "../../ports/oci";
import type { OciCaller } from "./caller";
import { OciDeadlineError, OciUnexpectedError } from "./errors";
import { inventoryAddresses, isoTime, toNsgInfo, toPrivateIpInfo, toSubnetInfo, toVnicInfo } from "./mappers";

/** Subnet states the port returns: UPDATING passes (e.g. after a subnet's first IP CIDR address), so it is kept. */
const USABLE_SUBNET_STATES: readonly string[] = ["AVAILABLE", "UPDATING"];

/** The VirtualNetworkClient methods the adapter uses (structural, so tests can hand in a recording fake). */
export type NetworkApi = Pick<
  core.VirtualNetworkClient,
  | "getVnic"
  | "listPrivateIps"
  | "createPrivateIp"
  | "deletePrivateIp"
  | "updatePrivateIp"
  | "updateVnic"
  | "listSubnets"
  | "getSubnetIpInventory"
  | "listNetworkSecurityGroups"
  | "bulkCreatePrivateIps"
>;
export type WorkRequestApi = Pick<workrequests.WorkRequestClient, "getWorkRequest" | "listWorkRequestErrors">;

export type { OciBulkNetwork, WorkRequestFinalStatus, WorkRequestOutcome } from "../../ports/oci";

export interface OciNetworkAdapterOptions {
  /** `limit` of list calls; default: the service's page size. */
  pageSize?: number;
  /** First wait between GetWorkRequest polls; grows ×1.5 up to `maxPollMs`. Default 250 ms. */
  pollMs?: number;
  /** Default 2000 ms. */
  maxPollMs?: number;
  /** Shortest time a poll needs; no poll starts with less left before the deadline. Default 250 ms. */
  minPollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const FINAL: readonly string[] = ["SUCCEEDED", "FAILED", "CANCELED"];

/** `OciNetwork` (plus `OciBulkNetwork`) over oci-core's VirtualNetworkClient and oci-workrequests' client. */
export class OciNetworkAdapter implements OciNetwork, OciBulkNetwork {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: NetworkApi,
    private readonly workRequests: WorkRequestApi,
    private readonly caller: OciCaller,
    private readonly options: OciNetworkAdapterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async getVnic(vnicId: string, options?: CallOptions): Promise<VnicInfo> {
    const request: core.requests.GetVnicRequest = { vnicId };
    const r = await this.caller.call("GetVnic", { vnic: vnicId }, options, () => this.client.getVnic(request));
    return toVnicInfo(r.vnic);
  }

  async listPrivateIps(vnicId: string, options?: CallOptions): Promise<PrivateIpInfo[]> {
    const items = await this.caller.listAll(
      "ListPrivateIps",
      { vnic: vnicId },
      options,
      (page) => this.client.listPrivateIps({ vnicId, limit: this.options.pageSize, page }),
      (r) => ({ items: r.items, next: r.opcNextPage }),
    );
    return items.map((p) => toPrivateIpInfo(p, "ListPrivateIps"));
  }

  async listPrivateIpsInSubnet(subnetId: string, options?: CallOptions): Promise<PrivateIpInfo[]> {
    const items = await this.caller.listAll(
      "ListPrivateIps",
      { subnet: subnetId },
      options,
      (page) => this.client.listPrivateIps({ subnetId, limit: this.options.pageSize, page }),
      (r) => ({ items: r.items, next: r.opcNextPage }),
    );
    return items.map((p) => toPrivateIpInfo(p, "ListPrivateIps"));
  }

  async createPrivateIp(
    request: {
      vnicId: string;
      displayName: string;
      freeformTags: Record<string, string>;
      retryToken: string;
      ipAddress?: string;
      cidrPrefixLength?: number;
    },
    options?: CallOptions,
  ): Promise<Mutation<PrivateIpInfo>> {
    // Built once: every attempt sends this object, so the retry token (and the body it fingerprints) never changes.
    // An IP CIDR block sends ipAddress with cidrPrefixLength: OCI uses the prefix length only "when combined with the
    // ipAddress field" (oci-core lib/model/create-private-ip-details.d.ts, SDK 2.139.1).
    const block =
      request.cidrPrefixLength !== undefined
        ? { ipAddress: request.ipAddress, cidrPrefixLength: request.cidrPrefixLength }
        : request.ipAddress
          ? { ipAddress: request.ipAddress }
          : {};
    const sdkRequest: core.requests.CreatePrivateIpRequest = {
      createPrivateIpDetails: {
        vnicId: request.vnicId,
        displayName: request.displayName,
        freeformTags: { ...request.freeformTags },
        ...block,
      },
      opcRetryToken: request.retryToken,
    };
    const r = await this.caller.call("CreatePrivateIp", { vnic: request.vnicId }, options, () =>
      this.client.createPrivateIp(sdkRequest),
    );
    return { value: toPrivateIpInfo(r.privateIp, "CreatePrivateIp"), opcRequestId: r.opcRequestId };
  }

  /**
   * DeletePrivateIp. A 404 is thrown like any error (`notFound`): after a retried delete whose first attempt
   * succeeded unseen, the caller may treat it as done.
   */
  async deletePrivateIp(privateIpId: string, options?: CallOptions): Promise<Mutation<void>> {
    const request: core.requests.DeletePrivateIpRequest = { privateIpId };
    const r = await this.caller.call("DeletePrivateIp", { privateIp: privateIpId }, options, () =>
      this.client.deletePrivateIp(request),
    );
    return { value: undefined, opcRequestId: r.opcRequestId };
  }

  /**
   * UpdatePrivateIp `PUT /privateIps/{privateIpId}` with only `freeformTags`: OCI replaces the whole freeform map
   * with the one sent (UpdatePrivateIpDetails.freeformTags, oci-core/lib/model/update-private-ip-details.d.ts), so
   * `freeformTags` must be the complete set the IP should carry. PUT is idempotent: a retried attempt sends the same
   * body and ends in the same state.
   */
  async updatePrivateIpTags(
    privateIpId: string,
    freeformTags: Record<string, string>,
    options?: CallOptions,
  ): Promise<Mutation<PrivateIpInfo>> {
    const request: core.requests.UpdatePrivateIpRequest = {
      privateIpId,
      updatePrivateIpDetails: { freeformTags: { ...freeformTags } },
    };
    const send = () => this.client.updatePrivateIp(request);
    const r = await this.caller.call("UpdatePrivateIp", { privateIp: privateIpId }, options, send);
    return { value: toPrivateIpInfo(r.privateIp, "UpdatePrivateIp"), opcRequestId: r.opcRequestId };
  }

  /**
   * UpdateVnic `PUT /vnics/{vnicId}` with only `freeformTags` (UpdateVnicDetails, oci-core/lib/model/
   * update-vnic-details.d.ts): the map replaces the VNIC's freeform tags; NSGs and the rest are left as they are
   * because the fields are absent from the body.
   */
  async updateVnicTags(
    vnicId: string,
    freeformTags: Record<string, string>,
    options?: CallOptions,
  ): Promise<Mutation<VnicInfo>> {
    const request: core.requests.UpdateVnicRequest = {
      vnicId,
      updateVnicDetails: { freeformTags: { ...freeformTags } },
    };
    const r = await this.caller.call("UpdateVnic", { vnic: vnicId }, options, () => this.client.updateVnic(request));
    return { value: toVnicInfo(r.vnic), opcRequestId: r.opcRequestId };
  }

  async listSubnets(compartmentId: string, vcnId: string, options?: CallOptions): Promise<SubnetInfo[]> {
    const items = await this.caller.listAll(
      "ListSubnets",
      { compartment: compartmentId, vcn: vcnId },
      options,
      // No lifecycleState query: it takes one state, and the port wants AVAILABLE and UPDATING (see OciNetwork).
      (page) => this.client.listSubnets({ compartmentId, vcnId, limit: this.options.pageSize, page }),
      (r) => ({ items: r.items, next: r.opcNextPage }),
    );
    return items.filter((s) => USABLE_SUBNET_STATES.includes(s.lifecycleState)).map(toSubnetInfo);
  }

  /**
   * GetSubnetIpInventory `GET /ipInventory/subnets/{subnetId}` → `IpInventorySubnetResourceCollection`
   * (oci-core/lib/model/ip-inventory-subnet-resource-collection.d.ts): one `ipInventorySubnetResourceSummary` per
   * private-IP object (primaries included); an IP CIDR address counts its whole block (`inventoryAddresses`). Without
   * entries, `count` is used. The inventory can lag (`lastUpdatedTimestamp`), so the planner treats the result as
   * an estimate and OCI's own answer to a create as the truth.
   */
  async countAssignedIps(subnetId: string, options?: CallOptions): Promise<number> {
    const request: core.requests.GetSubnetIpInventoryRequest = { subnetId };
    const r = await this.caller.call("GetSubnetIpInventory", { subnet: subnetId }, options, () =>
      this.client.getSubnetIpInventory(request),
    );
    const count = inventoryAddresses(r.ipInventorySubnetResourceCollection);
    if (count === undefined) {
      throw new OciUnexpectedError("GetSubnetIpInventory", `subnet ${subnetId}: inventory has no count`);
    }
    return count;
  }

  /**
   * GetSubnetIpInventory, read for placement: each `ipInventorySubnetResourceSummary.ipAddress` is one object's
   * address, in CIDR notation for an IP CIDR address ("<network IP/netmask # of bits>", the IP CIDR announcement,
   * blogs.oracle.com/cloud-infrastructure/announcing-oci-ip-cidr-addresses-for-vnics); a bare address is a /32.
   */
  async getSubnetAllocations(
    subnetId: string,
    options?: CallOptions,
  ): Promise<{ assignedAddresses: number; allocations: string[] }> {
    const request: core.requests.GetSubnetIpInventoryRequest = { subnetId };
    const r = await this.caller.call("GetSubnetIpInventory", { subnet: subnetId }, options, () =>
      this.client.getSubnetIpInventory(request),
    );
    const c = r.ipInventorySubnetResourceCollection;
    const count = inventoryAddresses(c);
    if (count === undefined)
      throw new OciUnexpectedError("GetSubnetIpInventory", `subnet ${subnetId}: inventory has no count`);
    const allocations = (c?.ipInventorySubnetResourceSummary ?? [])
      .map((e) => e.ipAddress)
      .filter((a): a is string => typeof a === "string" && a.length > 0)
      .map((a) => (a.includes("/") ? a : `${a}/32`));
    return { assignedAddresses: count, allocations };
  }

  async listNetworkSecurityGroups(compartmentId: string, vcnId: string, options?: CallOptions): Promise<NsgInfo[]> {
    const items = await this.caller.listAll(
      "ListNetworkSecurityGroups",
      { compartment: compartmentId, vcn: vcnId },
      options,
      (page) => this.client.listNetworkSecurityGroups({ compartmentId, vcnId, limit: this.options.pageSize, page }),
      (r) => ({ items: r.items, next: r.opcNextPage }),
    );
    // Terminated NSGs cannot be attached.
    return items.filter((n) => n.lifecycleState === "AVAILABLE").map(toNsgInfo);
  }

  async bulkCreatePrivateIps(
    request: {
      vnicId: string;
      items: Array<{ displayName: string; freeformTags: Record<string, string> }>;
      retryToken: string;
    },
    options?: CallOptions,
  ): Promise<Mutation<{ workRequestId: string }>> {
    const sdkRequest: core.requests.BulkCreatePrivateIpsRequest = {
      bulkCreatePrivateIpsDetails: {
        vnicId: request.vnicId,
        bulkCreatePrivateIpItem: request.items.map((i) => ({
          displayName: i.displayName,
          freeformTags: { ...i.freeformTags },
        })),
      },
      opcRetryToken: request.retryToken,
    };
    const r = await this.caller.call("BulkCreatePrivateIps", { vnic: request.vnicId }, options, () =>
      this.client.bulkCreatePrivateIps(sdkRequest),
    );
    if (!r.opcWorkRequestId) throw new OciUnexpectedError("BulkCreatePrivateIps", "answer lacks opc-work-request-id");
    return { value: { workRequestId: r.opcWorkRequestId }, opcRequestId: r.opcRequestId };
  }

  async waitForWorkRequest(workRequestId: string, deadline: Date): Promise<WorkRequestOutcome> {
    const maxPoll = this.options.maxPollMs ?? 2000;
    const minPoll = this.options.minPollMs ?? 250;
    let wait = this.options.pollMs ?? 250;
    const request: workrequests.requests.GetWorkRequestRequest = { workRequestId };
    let lastStatus = "unknown";
    let percentComplete: number | undefined;
    const deadlineError = (message: string, cause?: unknown): OciDeadlineError => {
      const e = new OciDeadlineError("GetWorkRequest", message, { cause });
      Object.assign(e.context, { workRequestId, lastStatus, percentComplete });
      return e;
    };
    for (;;) {
      let r: workrequests.responses.GetWorkRequestResponse;
      try {
        r = await this.caller.call("GetWorkRequest", { workRequest: workRequestId }, { deadline }, () =>
          this.workRequests.getWorkRequest(request),
        );
      } catch (err) {
        // The retry policy found no room for another poll before the deadline.
        if (err instanceof OciDeadlineError)
          throw deadlineError(`work request ${workRequestId} still ${lastStatus} at the deadline`, err);
        throw err;
      }
      const w = r.workRequest;
      lastStatus = w.status;
      percentComplete = w.percentComplete;
      if (FINAL.includes(w.status)) {
        const errors = w.status === "SUCCEEDED" ? [] : await this.workRequestErrors(workRequestId, deadline);
        return {
          id: workRequestId,
          status: w.status as WorkRequestFinalStatus,
          percentComplete: w.percentComplete ?? 0,
          resources: (w.resources ?? []).map((x) => ({
            entityType: x.entityType,
            actionType: x.actionType,
            identifier: x.identifier,
          })),
          errors,
          timeFinished: isoTime(w.timeFinished),
        };
      }
      if (this.now() + wait + minPoll > deadline.getTime())
        throw deadlineError(`work request ${workRequestId} still ${w.status} at the deadline`);
      await this.sleep(wait);
      wait = Math.min(maxPoll, Math.round(wait * 1.5));
    }
  }

  private async workRequestErrors(workRequestId: string, deadline: Date): Promise<WorkRequestOutcome["errors"]> {
    const items = await this.caller.listAll(
      "ListWorkRequestErrors",
      { workRequest: workRequestId },
      { deadline },
      (page) => this.workRequests.listWorkRequestErrors({ workRequestId, limit: this.options.pageSize, page }),
      (r) => ({ items: r.items, next: r.opcNextPage }),
    );
    return items.map((e) => ({ code: e.code, message: e.message, timestamp: isoTime(e.timestamp) }));
  }
}
