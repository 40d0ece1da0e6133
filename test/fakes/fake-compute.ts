import type { CallOptions, InstanceInfo, Mutation, OciCompute, VnicAttachmentInfo } from "../../lib/ports/oci";
import { OciApiError } from "../../lib/ports/oci-errors";
import { type AttachmentRecord, type FakeOciWorld, notFound } from "./oci-world";

/** OciCompute over the fake OCI world: what the Core API's compute calls answer, without HTTP. */
export class FakeCompute implements OciCompute {
  constructor(private readonly world: FakeOciWorld) {}

  /** GetInstance: the instance (a copy), or 404 NotAuthorizedOrNotFound. */
  async getInstance(instanceId: string, options?: CallOptions): Promise<InstanceInfo> {
    this.world.enter("oci", "getInstance", [instanceId], options?.deadline);
    const instance = this.world.instances.get(instanceId);
    if (!instance) throw notFound("GetInstance", instanceId, this.world.requestId());
    return structuredClone(instance);
  }

  /** ListVnicAttachments by instance: every attachment in any state, in creation order. */
  async listVnicAttachments(
    compartmentId: string,
    instanceId: string,
    options?: CallOptions,
  ): Promise<VnicAttachmentInfo[]> {
    this.world.enter("oci", "listVnicAttachments", [compartmentId, instanceId], options?.deadline);
    return this.world
      .attachmentsOf(instanceId)
      .filter((a) => a.compartmentId === compartmentId)
      .map(view);
  }

  /** GetVnicAttachment: one poll; an ATTACHING attachment becomes ATTACHED after its delay or its polls. */
  async getVnicAttachment(attachmentId: string, options?: CallOptions): Promise<VnicAttachmentInfo> {
    this.world.enter("oci", "getVnicAttachment", [attachmentId], options?.deadline);
    const a = this.world.attachments.get(attachmentId);
    if (!a) throw notFound("GetVnicAttachment", attachmentId, this.world.requestId());
    a.pollsLeft--;
    return view(this.world.settle(a));
  }

  /**
   * AttachVnic: checks the instance (RUNNING, a free VNIC slot: 400 LimitExceeded otherwise, the closest documented
   * code, as the emulator's README explains) and the subnet, honours the retry token, and starts an ATTACHING
   * attachment whose VNIC carries the display name and tags.
   */
  async attachVnic(
    request: Parameters<OciCompute["attachVnic"]>[0],
    options?: CallOptions,
  ): Promise<Mutation<VnicAttachmentInfo>> {
    const { world } = this;
    world.enter("oci", "attachVnic", [request], options?.deadline);
    const opcRequestId = world.requestId();
    const fingerprint = JSON.stringify({ ...request, retryToken: undefined });
    const replay = world.tokens.replayed("AttachVnic", request.retryToken, fingerprint, opcRequestId);
    if (replay) return { value: view(world.settle(world.attachments.get(replay)!)), opcRequestId };
    const instance = world.instances.get(request.instanceId);
    if (!instance) throw notFound("AttachVnic", request.instanceId, opcRequestId);
    if (instance.lifecycleState !== "RUNNING") {
      throw new OciApiError("AttachVnic", `instance ${instance.id} is ${instance.lifecycleState}`, {
        statusCode: 409,
        serviceCode: "IncorrectState",
        opcRequestId,
      });
    }
    const active = world.attachmentsOf(instance.id).filter((a) => a.lifecycleState !== "DETACHED");
    if (active.length >= instance.maxVnicAttachments) {
      throw new OciApiError(
        "AttachVnic",
        `instance ${instance.id} already has its maximum of ${instance.maxVnicAttachments} VNIC attachments`,
        { statusCode: 400, serviceCode: "LimitExceeded", opcRequestId },
      );
    }
    const attachment = world.createAttachment(instance, request.subnetId, {
      isPrimary: false,
      displayName: request.displayName,
      freeformTags: request.freeformTags,
      nsgIds: request.nsgIds,
    });
    world.tokens.remember("AttachVnic", request.retryToken, fingerprint, attachment.id);
    return { value: view(attachment), opcRequestId };
  }

  /** ListVnicAttachments by compartment: every attachment of every instance there. */
  async listVnicAttachmentsInCompartment(compartmentId: string, options?: CallOptions): Promise<VnicAttachmentInfo[]> {
    this.world.enter("oci", "listVnicAttachmentsInCompartment", [compartmentId], options?.deadline);
    return [...this.world.attachments.values()]
      .filter((a) => a.compartmentId === compartmentId)
      .map((a) => view(this.world.settle(a)));
  }

  /** DetachVnic: refuses the primary VNIC (400) and an ATTACHING one (409 IncorrectState); deletes VNIC and IPs. */
  async detachVnic(attachmentId: string, options?: CallOptions): Promise<Mutation<void>> {
    const { world } = this;
    world.enter("oci", "detachVnic", [attachmentId], options?.deadline);
    const opcRequestId = world.requestId();
    const a = world.attachments.get(attachmentId);
    if (!a || a.lifecycleState === "DETACHED") throw notFound("DetachVnic", attachmentId, opcRequestId);
    if (world.vnics.get(a.createdVnicId)?.isPrimary) {
      throw new OciApiError("DetachVnic", `${attachmentId} is the primary VNIC's attachment`, {
        statusCode: 400,
        serviceCode: "InvalidParameter",
        opcRequestId,
      });
    }
    if (world.settle(a).lifecycleState === "ATTACHING") {
      throw new OciApiError("DetachVnic", `${attachmentId} is ATTACHING`, {
        statusCode: 409,
        serviceCode: "IncorrectState",
        opcRequestId,
      });
    }
    world.removeAttachment(attachmentId);
    return { value: undefined, opcRequestId };
  }
}

function view(a: AttachmentRecord): VnicAttachmentInfo {
  const { createdVnicId: _v, attachedAtMs: _t, pollsLeft: _p, ...info } = a;
  return structuredClone(info);
}
