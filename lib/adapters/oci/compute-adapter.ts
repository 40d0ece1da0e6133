import type * as core from "oci-core";
import type { Log } from "../../log";
import type { CallOptions, InstanceInfo, Mutation, OciCompute, VnicAttachmentInfo } from "../../ports/oci";
import type { OciCaller } from "./caller";
import { toInstanceInfo, toVnicAttachmentInfo } from "./mappers";

/** The ComputeClient methods the adapter uses (a structural subset, so tests can hand in a recording fake). */
export type ComputeApi = Pick<
  core.ComputeClient,
  "getInstance" | "listVnicAttachments" | "getVnicAttachment" | "attachVnic" | "detachVnic"
>;

export interface OciComputeAdapterOptions {
  /** `limit` of list calls; default: the service's page size. */
  pageSize?: number;
}

/**
 * `OciCompute` over oci-core's ComputeClient. Every call goes through the shared `OciCaller` (request budget,
 * retries within the deadline, error mapping, counters, one debug line per call).
 */
export class OciComputeAdapter implements OciCompute {
  constructor(
    private readonly client: ComputeApi,
    private readonly caller: OciCaller,
    private readonly log: Log,
    private readonly options: OciComputeAdapterOptions = {},
  ) {}

  async getInstance(instanceId: string, options?: CallOptions): Promise<InstanceInfo> {
    const request: core.requests.GetInstanceRequest = { instanceId };
    const r = await this.caller.call("GetInstance", { instance: instanceId }, options, () =>
      this.client.getInstance(request),
    );
    if (
      r.instance.shapeConfig?.maxVnicAttachments === undefined ||
      r.instance.shapeConfig?.maxVnicAttachments === null
    ) {
      this.log.warn(
        { instance: instanceId, shape: r.instance.shape },
        "instance has no shapeConfig.maxVnicAttachments; assuming 1 (primary VNIC only)",
      );
    }
    return toInstanceInfo(r.instance);
  }

  async listVnicAttachments(
    compartmentId: string,
    instanceId: string,
    options?: CallOptions,
  ): Promise<VnicAttachmentInfo[]> {
    const items = await this.caller.listAll(
      "ListVnicAttachments",
      { instance: instanceId, compartment: compartmentId },
      options,
      (page) => this.client.listVnicAttachments({ compartmentId, instanceId, limit: this.options.pageSize, page }),
      (r) => ({ items: r.items, next: r.opcNextPage }),
    );
    return items.map((a) => toVnicAttachmentInfo(a, "ListVnicAttachments"));
  }

  /**
   * ListVnicAttachments with only the compartment: every attachment of every instance in it (paged). instanceId is
   * optional ("Lists the VNIC attachments in the specified compartment. A VNIC attachment resides in the same
   * compartment as the attached instance. The list can be filtered by instance, VNIC, or availability domain",
   * ListVnicAttachments reference as quoted by oracle/terraform-provider-oci data source oci_core_vnic_attachments).
   */
  async listVnicAttachmentsInCompartment(compartmentId: string, options?: CallOptions): Promise<VnicAttachmentInfo[]> {
    const items = await this.caller.listAll(
      "ListVnicAttachments",
      { compartment: compartmentId },
      options,
      (page) => this.client.listVnicAttachments({ compartmentId, limit: this.options.pageSize, page }),
      (r) => ({ items: r.items, next: r.opcNextPage }),
    );
    return items.map((a) => toVnicAttachmentInfo(a, "ListVnicAttachments"));
  }

  /**
   * DetachVnic `DELETE /vnicAttachments/{id}`: "Detaches and deletes the specified secondary VNIC. This operation
   * cannot be used on the instance's primary VNIC." (oci-core ComputeClient.detachVnic). No body in the answer.
   */
  async detachVnic(attachmentId: string, options?: CallOptions): Promise<Mutation<void>> {
    const request: core.requests.DetachVnicRequest = { vnicAttachmentId: attachmentId };
    const r = await this.caller.call("DetachVnic", { attachment: attachmentId }, options, () =>
      this.client.detachVnic(request),
    );
    return { value: undefined, opcRequestId: r.opcRequestId };
  }

  async getVnicAttachment(attachmentId: string, options?: CallOptions): Promise<VnicAttachmentInfo> {
    const request: core.requests.GetVnicAttachmentRequest = { vnicAttachmentId: attachmentId };
    const r = await this.caller.call("GetVnicAttachment", { attachment: attachmentId }, options, () =>
      this.client.getVnicAttachment(request),
    );
    return toVnicAttachmentInfo(r.vnicAttachment, "GetVnicAttachment");
  }

  /**
   * AttachVnic with the caller's opc-retry-token. The VNIC carries the tags and display name; no public IP
   * (`assignPublicIp` defaults to the subnet's setting, and pod addresses never need one).
   */
  async attachVnic(
    request: {
      instanceId: string;
      subnetId: string;
      nsgIds: string[];
      displayName: string;
      freeformTags: Record<string, string>;
      retryToken: string;
    },
    options?: CallOptions,
  ): Promise<Mutation<VnicAttachmentInfo>> {
    // Built once: every attempt sends this object, so the retry token (and the body it fingerprints) never changes.
    const sdkRequest: core.requests.AttachVnicRequest = {
      attachVnicDetails: {
        instanceId: request.instanceId,
        displayName: request.displayName,
        createVnicDetails: {
          subnetId: request.subnetId,
          nsgIds: [...request.nsgIds],
          displayName: request.displayName,
          freeformTags: { ...request.freeformTags },
          assignPublicIp: false,
        },
      },
      opcRetryToken: request.retryToken,
    };
    const r = await this.caller.call(
      "AttachVnic",
      { instance: request.instanceId, subnet: request.subnetId },
      options,
      () => this.client.attachVnic(sdkRequest),
    );
    return { value: toVnicAttachmentInfo(r.vnicAttachment, "AttachVnic"), opcRequestId: r.opcRequestId };
  }
}
