import { instanceEvent } from "../events";
import { incorrectState, invalidParameter, limitExceeded, missingParameter, relatedNotFound } from "../http/errors";
import { checkSubnetWritable } from "./network";
import { findShape, shapeConfigFor } from "./shapes";
import type { InstanceSpec } from "./spec";
import type { InstanceRec, Tags, VnicAttachmentRec, VnicRec } from "./types";
import { World } from "./world";

/**
 * Compute behaviour: instance launch/termination (admin API only) and VNIC attachment.
 * Rules and their sources:
 * - AttachVnic creates the VNIC and returns the attachment ATTACHING; it becomes ATTACHED after a delay and only then
 *   shows `vnicId` ("Available after the attachment process is complete", core/lib/model/vnic-attachment.ts).
 * - DetachVnic "Detaches and deletes the specified secondary VNIC. This operation cannot be used on the instance's
 *   primary VNIC. When you terminate an instance, all attached VNICs … are automatically detached and deleted."
 *   (core/lib/client.ts, ComputeClient.detachVnic).
 * - VNIC slots per instance: Instance.shapeConfig.maxVnicAttachments (Flex rule / bare metal 256; shapes.ts).
 * - nicIndex "Defaults to 0. Certain bare metal instance shapes have two active physical NICs (0 and 1)"
 *   (core/lib/model/attach-vnic-details.ts).
 * - A secondary VNIC's subnet must be regional or in the instance's AD ("the subnet must be in the same availability
 *   domain as the instance", Virtual Network Interface Cards, managingVNICs.htm).
 */

/** The number of NSGs a VNIC can be in ("You can add a VNIC to a maximum of five NSGs", networksecuritygroups.htm). */
export const MAX_NSGS_PER_VNIC = 5;

/** Attachments that hold a VNIC slot: everything not yet DETACHED. */
export function activeAttachments(world: World, instanceId: string): VnicAttachmentRec[] {
  return [...world.attachments.values()].filter((a) => a.instanceId === instanceId && a.lifecycleState !== "DETACHED");
}

interface VnicInput {
  subnetId: string;
  displayName?: string;
  hostnameLabel?: string;
  nsgIds?: string[];
  skipSourceDestCheck?: boolean;
  freeformTags?: Tags;
  definedTags?: Record<string, Record<string, unknown>>;
  privateIp?: string;
  /** CreateVnicDetails.subnetCidr: the subnet block the primary IP comes from. */
  subnetCidr?: string;
}

/** Creates a VNIC with its primary private IP in the subnet (no attachment). */
function createVnic(
  world: World,
  instance: InstanceRec,
  input: VnicInput,
  isPrimary: boolean,
  nicIndex: number,
): VnicRec {
  const subnet = world.subnets.get(input.subnetId)!;
  const ip = world.pickAddress(subnet, input.privateIp, input.subnetCidr);
  const vnic: VnicRec = {
    id: world.ids.next("vnic"),
    // A VNIC resides in its subnet's compartment, not its instance's (lib/oci/permission-placement.ts).
    compartmentId: subnet.compartmentId,
    availabilityDomain: instance.availabilityDomain,
    subnetId: subnet.id,
    isPrimary,
    macAddress: world.ids.nextMac(),
    nsgIds: [...(input.nsgIds ?? [])],
    skipSourceDestCheck: input.skipSourceDestCheck ?? false,
    displayName: input.displayName ?? (isPrimary ? instance.displayName : `vnic-${nicIndex}`),
    hostnameLabel: input.hostnameLabel,
    freeformTags: { ...(input.freeformTags ?? {}) },
    definedTags: structuredClone(input.definedTags ?? {}),
    lifecycleState: isPrimary ? "AVAILABLE" : "PROVISIONING",
    timeCreated: world.nowIso(),
    _instanceId: instance.id,
    _nicIndex: nicIndex,
  };
  world.vnics.set(vnic.id, vnic);
  world.addPrivateIp(world.makePrivateIp(vnic, subnet, ip, { isPrimary: true, hostnameLabel: input.hostnameLabel }));
  return vnic;
}

/**
 * Launches an instance with its primary VNIC (attachment ATTACHED at once, nicIndex 0). `immediate` seeds it RUNNING
 * without events; otherwise it is PROVISIONING, emits launchinstance.begin, and after the launch delay becomes RUNNING
 * and emits launchinstance.end.
 */
export function launchInstance(world: World, spec: InstanceSpec, immediate: boolean): InstanceRec {
  const shape = findShape(spec.shape);
  if (!shape) throw new Error(`unknown shape ${spec.shape}`);
  const subnet = world.subnetRef(spec.subnet);
  const ad = world.adName(spec.availabilityDomain ?? null) ?? subnet.availabilityDomain ?? world.adName(1)!;
  if (subnet.availabilityDomain !== null && subnet.availabilityDomain !== ad) {
    throw new Error(`subnet ${subnet.displayName} is in ${subnet.availabilityDomain}, not ${ad}`);
  }
  const instance: InstanceRec = {
    id: spec.id ?? world.ids.next("instance"),
    compartmentId: spec.compartment ? world.compartmentFor(spec.compartment) : subnet.compartmentId,
    availabilityDomain: ad,
    faultDomain: "FAULT-DOMAIN-1",
    region: world.region,
    shape: shape.shape,
    shapeConfig: shapeConfigFor(shape, spec.ocpus, spec.memoryInGBs),
    displayName: spec.name,
    freeformTags: { ...(spec.freeformTags ?? {}) },
    lifecycleState: immediate ? "RUNNING" : "PROVISIONING",
    timeCreated: world.nowIso(),
  };
  world.instances.set(instance.id, instance);
  const nsgIds = (spec.nsgs ?? []).map((n) => world.nsgRef(n).id);
  const vnic = createVnic(world, instance, { subnetId: subnet.id, nsgIds, privateIp: spec.privateIp }, true, 0);
  const attachment: VnicAttachmentRec = {
    id: world.ids.next("vnicattachment"),
    instanceId: instance.id,
    compartmentId: instance.compartmentId,
    availabilityDomain: instance.availabilityDomain,
    displayName: `${instance.displayName}-primary`,
    nicIndex: 0,
    subnetId: subnet.id,
    lifecycleState: "ATTACHED",
    timeCreated: world.nowIso(),
    _vnicId: vnic.id,
  };
  world.attachments.set(attachment.id, attachment);
  if (!immediate) {
    const at = () => new Date(world.clock.now());
    world.emit(instanceEvent("launchinstance.begin", instance, world.compartmentName(instance.compartmentId), at()));
    world.clock.schedule(world.latency.instanceLaunch, () => {
      if (instance.lifecycleState !== "PROVISIONING") return;
      instance.lifecycleState = "RUNNING";
      world.emit(instanceEvent("launchinstance.end", instance, world.compartmentName(instance.compartmentId), at()));
    });
  }
  return instance;
}

/** Deletes a VNIC's private IPs and marks it and its attachment gone. */
function finishDetach(world: World, attachment: VnicAttachmentRec): void {
  attachment.lifecycleState = "DETACHED";
  const vnic = world.vnics.get(attachment._vnicId);
  if (vnic) {
    vnic.lifecycleState = "TERMINATED";
    for (const ip of world.ipsOfVnic(vnic.id)) world.removePrivateIp(ip.id);
  }
}

/**
 * Terminates an instance: TERMINATING at once (terminateinstance.begin), every attachment DETACHING; after the
 * termination delay the VNICs and their IPs are gone, the instance is TERMINATED (terminateinstance.end).
 */
export function terminateInstance(world: World, instanceId: string): InstanceRec {
  const instance = World.mustExist(world.instances.get(instanceId), instanceId);
  if (instance.lifecycleState === "TERMINATING" || instance.lifecycleState === "TERMINATED") return instance;
  instance.lifecycleState = "TERMINATING";
  const at = () => new Date(world.clock.now());
  world.emit(instanceEvent("terminateinstance.begin", instance, world.compartmentName(instance.compartmentId), at()));
  const attached = activeAttachments(world, instance.id);
  for (const a of attached) {
    a.lifecycleState = "DETACHING";
    const vnic = world.vnics.get(a._vnicId);
    if (vnic) vnic.lifecycleState = "TERMINATING";
  }
  world.clock.schedule(world.latency.instanceTerminate, () => {
    for (const a of attached) finishDetach(world, a);
    instance.lifecycleState = "TERMINATED";
    world.emit(instanceEvent("terminateinstance.end", instance, world.compartmentName(instance.compartmentId), at()));
  });
  return instance;
}

function asObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) throw missingParameter(name);
  if (typeof value !== "object" || Array.isArray(value)) throw invalidParameter(`${name} must be an object`);
  return value as Record<string, unknown>;
}

function optString(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidParameter(`${key} must be a string`);
  return v;
}

export function optTags(obj: Record<string, unknown>, key: string): Tags | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v) || Object.values(v).some((x) => typeof x !== "string")) {
    throw invalidParameter(`${key} must be a map of strings`);
  }
  return { ...(v as Tags) };
}

/** AttachVnic (POST /vnicAttachments). Returns the ATTACHING attachment. */
export function attachVnic(world: World, body: unknown): VnicAttachmentRec {
  const details = asObject(body, "attachVnicDetails");
  const instanceId = optString(details, "instanceId");
  if (!instanceId) throw missingParameter("instanceId");
  const vnicDetails = asObject(details.createVnicDetails, "createVnicDetails");
  if (vnicDetails.vlanId !== undefined && vnicDetails.vlanId !== null)
    throw invalidParameter("VLAN VNICs are not modelled by the emulator");
  const subnetId = optString(vnicDetails, "subnetId");
  if (!subnetId) throw missingParameter("createVnicDetails.subnetId");

  const instance = world.instances.get(instanceId);
  if (!instance || instance.lifecycleState === "TERMINATED") throw relatedNotFound(`Instance ${instanceId}`);
  const subnet = world.subnets.get(subnetId);
  if (!subnet) throw relatedNotFound(`Subnet ${subnetId}`);
  // A new VNIC needs a primary private IP in the subnet; none can be created while it is UPDATING ("you cannot create
  // VNICs or private IPs for this resource while the update is in progress", UpdateSubnetDetails.cidrBlock).
  checkSubnetWritable(subnet);
  if (instance.lifecycleState !== "RUNNING") {
    throw incorrectState(
      `Instance ${instance.id} is ${instance.lifecycleState}; VNICs can be attached only to a RUNNING instance`,
    );
  }
  if (subnet.availabilityDomain !== null && subnet.availabilityDomain !== instance.availabilityDomain) {
    throw invalidParameter(
      `Subnet ${subnet.id} is in ${subnet.availabilityDomain}, the instance is in ${instance.availabilityDomain}`,
    );
  }

  const shape = findShape(instance.shape);
  const nicIndex = details.nicIndex ?? 0;
  if (typeof nicIndex !== "number" || !Number.isInteger(nicIndex) || nicIndex < 0 || nicIndex >= (shape?.nics ?? 1)) {
    throw invalidParameter(`nicIndex ${String(nicIndex)} is not valid for shape ${instance.shape}`);
  }

  const nsgIdsRaw = vnicDetails.nsgIds ?? [];
  if (!Array.isArray(nsgIdsRaw) || nsgIdsRaw.some((n) => typeof n !== "string"))
    throw invalidParameter("nsgIds must be a list of OCIDs");
  const nsgIds = nsgIdsRaw as string[];
  if (nsgIds.length > MAX_NSGS_PER_VNIC) throw invalidParameter(`A VNIC can be in at most ${MAX_NSGS_PER_VNIC} NSGs`);
  for (const id of nsgIds) {
    const nsg = world.nsgs.get(id);
    if (!nsg) throw relatedNotFound(`Network security group ${id}`);
    if (nsg.vcnId !== subnet.vcnId) throw invalidParameter(`Network security group ${id} is not in the subnet's VCN`);
  }
  if (vnicDetails.assignPublicIp === true && subnet.prohibitPublicIpOnVnic) {
    throw invalidParameter(`Subnet ${subnet.id} prohibits public IPs on VNICs (assignPublicIp must be false)`);
  }
  // "Either this field or the privateIp … field must be provided, but not both" (CreateVnicDetails.subnetCidr).
  const subnetCidr = optString(vnicDetails, "subnetCidr");
  if (subnetCidr !== undefined && optString(vnicDetails, "privateIp") !== undefined) {
    throw invalidParameter("createVnicDetails: give subnetCidr or privateIp, not both");
  }
  const skip = vnicDetails.skipSourceDestCheck;
  if (skip !== undefined && skip !== null && typeof skip !== "boolean")
    throw invalidParameter("skipSourceDestCheck must be a boolean");

  // Slot check. OCI documents no code for "more VNICs than the shape allows"; LimitExceeded ("Fulfilling this request
  // exceeds the Oracle-defined limit", apierrors.htm) is the closest documented one (README "Error codes").
  const max = instance.shapeConfig.maxVnicAttachments;
  if (activeAttachments(world, instance.id).length >= max) {
    throw limitExceeded(
      `Instance ${instance.id} (${instance.shape}) already has its maximum of ${max} VNIC attachments`,
    );
  }

  const vnic = createVnic(
    world,
    instance,
    {
      subnetId: subnet.id,
      displayName: optString(vnicDetails, "displayName"),
      hostnameLabel: optString(vnicDetails, "hostnameLabel"),
      nsgIds,
      skipSourceDestCheck: skip === true,
      freeformTags: optTags(vnicDetails, "freeformTags"),
      definedTags: vnicDetails.definedTags as Record<string, Record<string, unknown>> | undefined,
      privateIp: optString(vnicDetails, "privateIp"),
      subnetCidr,
    },
    false,
    nicIndex,
  );
  const attachment: VnicAttachmentRec = {
    id: world.ids.next("vnicattachment"),
    instanceId: instance.id,
    compartmentId: instance.compartmentId,
    availabilityDomain: instance.availabilityDomain,
    displayName: optString(details, "displayName") ?? vnic.displayName,
    nicIndex,
    subnetId: subnet.id,
    lifecycleState: "ATTACHING",
    timeCreated: world.nowIso(),
    _vnicId: vnic.id,
  };
  world.attachments.set(attachment.id, attachment);
  world.clock.schedule(world.latency.vnicAttach, () => {
    if (attachment.lifecycleState !== "ATTACHING") return;
    attachment.lifecycleState = "ATTACHED";
    vnic.lifecycleState = "AVAILABLE";
  });
  return attachment;
}

/**
 * DetachVnic (DELETE /vnicAttachments/{id}). The primary VNIC cannot be detached (400 InvalidParameter, the emulator's
 * choice: the docs say only "cannot be used"); an attachment still ATTACHING is 409 IncorrectState (transient, worth a
 * retry); DETACHING/DETACHED attachments are accepted again without effect (deletes are idempotent).
 */
export function detachVnic(world: World, attachmentId: string): void {
  const attachment = World.mustExist(world.attachments.get(attachmentId), attachmentId);
  const vnic = world.vnics.get(attachment._vnicId);
  if (vnic?.isPrimary)
    throw invalidParameter(`VNIC attachment ${attachmentId} is the instance's primary VNIC, which cannot be detached`);
  if (attachment.lifecycleState === "ATTACHING") {
    throw incorrectState(`VNIC attachment ${attachmentId} is ATTACHING; wait until it is ATTACHED`);
  }
  if (attachment.lifecycleState !== "ATTACHED") return;
  attachment.lifecycleState = "DETACHING";
  if (vnic) vnic.lifecycleState = "TERMINATING";
  world.clock.schedule(world.latency.vnicDetach, () => {
    if (attachment.lifecycleState === "DETACHING") finishDetach(world, attachment);
  });
}
