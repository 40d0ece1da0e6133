import type {
  InstanceInfo,
  NsgInfo,
  PrivateIpInfo,
  SubnetInfo,
  VnicAttachmentInfo,
  VnicInfo,
} from "../../lib/ports/oci";
import { OciApiError, OciDeadlineError } from "../../lib/ports/oci-errors";
import type { FakeClock } from "./fake-clock";
import { Faults } from "./faults";
import { FakeRetryTokens } from "./retry-tokens";
import { SubnetAddresses } from "./subnet-addresses";

/**
 * Least time an attempt needs before the caller's deadline: the OCI adapters start no attempt with less left
 * (RetryPolicy `minAttemptMs`, default 250 ms, lib/adapters/oci/retry.ts) and throw OciDeadlineError instead.
 */
export const MIN_ATTEMPT_MS = 250;

export interface AttachmentRecord extends VnicAttachmentInfo {
  /** The VNIC OCI creates with the attachment; shown in `vnicId` only once ATTACHED, as OCI does. */
  createdVnicId: string;
  /** Fake-clock moment the attachment becomes ATTACHED. */
  attachedAtMs: number;
  /** GetVnicAttachment calls left before it becomes ATTACHED (whichever of time and polls comes first). */
  pollsLeft: number;
}

export interface FakeOciOptions {
  compartmentId?: string;
  vcnId?: string;
  /** Secondary private IPs one VNIC may hold (the tenancy limit: 64 Universal Credits, 32 Pay-As-You-Go). */
  secondaryIpsPerVnic?: number;
  /** How long an attachment stays ATTACHING (fake-clock ms). */
  attachDelayMs?: number;
  /** GetVnicAttachment polls after which it is ATTACHED however little time passed (default: only time counts). */
  attachAfterPolls?: number;
  /** Fake-clock time every OCI call takes (a slow region, a throttled tenancy); default 0. */
  callLatencyMs?: number;
}

/**
 * A small, consistent OCI: one VCN, subnets with CIDR blocks whose addresses are handed out in order, instances with
 * a shape's VNIC limit, attachments, VNICs and private IPs, retry-token idempotency, and per-method faults. The fake
 * ports (fake-compute.ts, fake-network.ts) read and change it; tests seed it and assert on it directly.
 */
export class FakeOciWorld {
  readonly compartmentId: string;
  readonly vcnId: string;
  readonly instances = new Map<string, InstanceInfo>();
  readonly attachments = new Map<string, AttachmentRecord>();
  readonly vnics = new Map<string, VnicInfo & { compartmentId: string }>();
  readonly privateIps = new Map<string, PrivateIpInfo>();
  readonly subnets = new Map<string, SubnetInfo>();
  readonly nsgs = new Map<string, NsgInfo>();
  readonly tokens = new FakeRetryTokens();
  readonly faults = new Faults();
  secondaryIpsPerVnic: number;
  attachDelayMs: number;
  attachAfterPolls: number;
  callLatencyMs: number;
  private readonly addresses = new Map<string, SubnetAddresses>();
  private seq = 0;

  constructor(
    readonly clock: FakeClock,
    options: FakeOciOptions = {},
  ) {
    this.compartmentId = options.compartmentId ?? "ocid1.compartment.oc1..c";
    this.vcnId = options.vcnId ?? "ocid1.vcn.oc1..vcn";
    this.secondaryIpsPerVnic = options.secondaryIpsPerVnic ?? 32;
    this.attachDelayMs = options.attachDelayMs ?? 8_000;
    this.attachAfterPolls = options.attachAfterPolls ?? Number.POSITIVE_INFINITY;
    this.callLatencyMs = options.callLatencyMs ?? 0;
  }

  nextId(kind: string): string {
    return `ocid1.${kind}.oc1..fake${++this.seq}`;
  }

  requestId(): string {
    return `fake-opc-${++this.seq}`;
  }

  /** Adds a subnet of the VCN (regional unless `availabilityDomain` is given). */
  addSubnet(cidrBlock: string, extra: Partial<SubnetInfo> = {}): SubnetInfo {
    const subnet: SubnetInfo = {
      id: extra.id ?? this.nextId("subnet"),
      vcnId: this.vcnId,
      compartmentId: this.compartmentId,
      availabilityDomain: null,
      cidrBlock,
      cidrBlocks: [cidrBlock],
      virtualRouterIp: SubnetAddresses.routerOf(cidrBlock),
      lifecycleState: "AVAILABLE",
      freeformTags: {},
      ...extra,
    };
    this.subnets.set(subnet.id, subnet);
    this.addresses.set(subnet.id, new SubnetAddresses(subnet.cidrBlocks));
    return subnet;
  }

  /** Launches a RUNNING instance with its primary VNIC (ATTACHED, with its primary IP) in `subnetId`. */
  addInstance(subnetId: string, extra: Partial<InstanceInfo> = {}): InstanceInfo {
    const instance: InstanceInfo = {
      id: extra.id ?? this.nextId("instance"),
      compartmentId: this.compartmentId,
      availabilityDomain: "AD-1",
      shape: "VM.Standard.E4.Flex",
      displayName: "worker",
      lifecycleState: "RUNNING",
      maxVnicAttachments: 2,
      freeformTags: {},
      timeCreated: this.clock.now().toISOString(),
      ...extra,
    };
    this.instances.set(instance.id, instance);
    const attachment = this.createAttachment(instance, subnetId, {
      isPrimary: true,
      displayName: `${instance.displayName} primary`,
      freeformTags: {},
      nsgIds: [],
    });
    attachment.lifecycleState = "ATTACHED";
    attachment.vnicId = attachment.createdVnicId;
    return instance;
  }

  /** Creates an attachment (ATTACHING) with its VNIC and the VNIC's primary IP drawn from the subnet. */
  createAttachment(
    instance: InstanceInfo,
    subnetId: string,
    vnic: { isPrimary: boolean; displayName: string; freeformTags: Record<string, string>; nsgIds: string[] },
  ): AttachmentRecord {
    const subnet = this.subnet(subnetId);
    const vnicId = this.nextId("vnic");
    const primaryIp = this.addPrivateIp({ vnicId, subnetId: subnet.id, isPrimary: true, freeformTags: {} });
    this.vnics.set(vnicId, {
      id: vnicId,
      isPrimary: vnic.isPrimary,
      subnetId: subnet.id,
      macAddress: `02:00:17:00:00:${(this.seq % 256).toString(16).padStart(2, "0")}`,
      privateIp: primaryIp.ipAddress,
      nsgIds: [...vnic.nsgIds],
      freeformTags: { ...vnic.freeformTags },
      lifecycleState: "AVAILABLE",
      compartmentId: instance.compartmentId,
    });
    const attachment: AttachmentRecord = {
      id: this.nextId("vnicattachment"),
      instanceId: instance.id,
      compartmentId: instance.compartmentId,
      availabilityDomain: instance.availabilityDomain,
      lifecycleState: "ATTACHING",
      subnetId: subnet.id,
      nicIndex: 0,
      displayName: vnic.displayName,
      // Attachments are ordered by creation time: later ones must sort after the primary even at the same fake moment.
      timeCreated: new Date(this.clock.nowMs() + this.seq).toISOString(),
      createdVnicId: vnicId,
      attachedAtMs: this.clock.nowMs() + this.attachDelayMs,
      pollsLeft: this.attachAfterPolls,
    };
    this.attachments.set(attachment.id, attachment);
    return attachment;
  }

  /** Adds a private IP with the next free address of its subnet (or `ipAddress`); throws when the subnet is full. */
  addPrivateIp(fields: {
    vnicId: string;
    subnetId: string;
    isPrimary: boolean;
    freeformTags: Record<string, string>;
    ipAddress?: string;
  }): PrivateIpInfo {
    const addresses = this.addresses.get(fields.subnetId)!;
    const ipAddress = fields.ipAddress ?? addresses.take();
    if (!ipAddress)
      throw new OciApiError("CreatePrivateIp", `subnet ${fields.subnetId} has no free address`, {
        statusCode: 400,
        serviceCode: "LimitExceeded",
        opcRequestId: this.requestId(),
      });
    if (fields.ipAddress) addresses.hold(fields.ipAddress);
    const ip: PrivateIpInfo = {
      id: this.nextId("privateip"),
      ipAddress,
      vnicId: fields.vnicId,
      subnetId: fields.subnetId,
      isPrimary: fields.isPrimary,
      freeformTags: { ...fields.freeformTags },
    };
    this.privateIps.set(ip.id, ip);
    return ip;
  }

  /** Removes a private IP (its address goes back to the subnet; the retry token that created it is invalidated). */
  removePrivateIp(id: string): void {
    const ip = this.privateIps.get(id);
    if (!ip) return;
    this.privateIps.delete(id);
    this.addresses.get(ip.subnetId)?.free(ip.ipAddress);
    this.tokens.invalidate(id);
  }

  /** Detach as OCI completes it: the attachment is DETACHED, its VNIC and every IP of the VNIC are deleted. */
  removeAttachment(id: string): void {
    const a = this.attachments.get(id);
    if (!a) return;
    a.lifecycleState = "DETACHED";
    for (const ip of this.ipsOfVnic(a.createdVnicId)) this.removePrivateIp(ip.id);
    this.vnics.delete(a.createdVnicId);
    this.tokens.invalidate(a.id);
  }

  /** Terminates an instance as OCI does: its attachments are detached and their VNICs and IPs deleted. */
  terminateInstance(id: string): void {
    const instance = this.instances.get(id);
    if (!instance) return;
    instance.lifecycleState = "TERMINATED";
    for (const a of this.attachments.values()) if (a.instanceId === id) this.removeAttachment(a.id);
  }

  ipsOfVnic(vnicId: string): PrivateIpInfo[] {
    return [...this.privateIps.values()].filter((ip) => ip.vnicId === vnicId);
  }

  /** The secondary IPs of an instance's VNICs, by address (what a test asserts the pool against). */
  secondaryAddressesOf(instanceId: string): string[] {
    const vnicIds = new Set(
      [...this.attachments.values()]
        .filter((a) => a.instanceId === instanceId && a.lifecycleState !== "DETACHED")
        .map((a) => a.createdVnicId),
    );
    return [...this.privateIps.values()]
      .filter((ip) => !ip.isPrimary && ip.vnicId && vnicIds.has(ip.vnicId))
      .map((ip) => ip.ipAddress)
      .sort();
  }

  /** Attachments of an instance in creation order, with their state brought up to the fake clock. */
  attachmentsOf(instanceId: string): AttachmentRecord[] {
    return [...this.attachments.values()].filter((a) => a.instanceId === instanceId).map((a) => this.settle(a));
  }

  /** ATTACHING becomes ATTACHED once its delay passed (or its polls ran out); the VNIC id shows from then on. */
  settle(a: AttachmentRecord): AttachmentRecord {
    if (a.lifecycleState === "ATTACHING" && (this.clock.nowMs() >= a.attachedAtMs || a.pollsLeft <= 0)) {
      a.lifecycleState = "ATTACHED";
      a.vnicId = a.createdVnicId;
    }
    return a;
  }

  subnet(id: string): SubnetInfo {
    const subnet = this.subnets.get(id);
    if (!subnet) throw notFound("GetSubnet", id, this.requestId());
    return subnet;
  }

  assignedIn(subnetId: string): number {
    return [...this.privateIps.values()].filter((ip) => ip.subnetId === subnetId).length;
  }

  /**
   * Every fake OCI method starts here: the injected fault first (the call then changes nothing), then the deadline
   * rule of the adapters (no attempt starts within MIN_ATTEMPT_MS of the caller's deadline), then the call's latency.
   */
  enter(port: string, method: string, args: unknown[], deadline: Date | undefined): void {
    this.faults.check(port, method, args);
    if (deadline && this.clock.nowMs() > deadline.getTime() - MIN_ATTEMPT_MS) {
      throw new OciDeadlineError(method, "no attempt could start and finish before the deadline");
    }
    this.clock.advance(this.callLatencyMs);
  }
}

/** OCI's answer for a missing (or invisible) object: 404 NotAuthorizedOrNotFound (IAM denial looks the same). */
export function notFound(operation: string, id: string, opcRequestId: string): OciApiError {
  return new OciApiError(operation, `Authorization failed or requested resource not found: ${id}`, {
    statusCode: 404,
    serviceCode: "NotAuthorizedOrNotFound",
    opcRequestId,
  });
}
