import type { AttachmentState } from "../core/model";

/**
 * Narrow ports to OCI, in the project's own types. Only adapters under lib/adapters/oci see SDK types.
 * Every method throws `OciApiError` (lib/ports/oci-errors.ts) for a service error, with status, service code and
 * opc-request-id; retries of retryable failures happen inside the adapter, within the caller's deadline.
 */

export interface InstanceInfo {
  id: string;
  compartmentId: string;
  availabilityDomain: string;
  shape: string;
  displayName: string;
  lifecycleState: string;
  /** `shapeConfig.maxVnicAttachments`: the per-instance VNIC limit (Flex shapes scale it with OCPUs). */
  maxVnicAttachments: number;
  freeformTags: Record<string, string>;
  timeCreated?: string;
}

export interface VnicAttachmentInfo {
  id: string;
  instanceId: string;
  compartmentId: string;
  availabilityDomain: string;
  lifecycleState: AttachmentState;
  /** Present once ATTACHED ("Available after the attachment process is complete"). */
  vnicId?: string;
  subnetId?: string;
  nicIndex?: number;
  displayName?: string;
  timeCreated?: string;
}

export interface VnicInfo {
  id: string;
  isPrimary: boolean;
  subnetId: string;
  macAddress?: string;
  privateIp?: string;
  nsgIds: string[];
  freeformTags: Record<string, string>;
  lifecycleState: string;
}

export interface PrivateIpInfo {
  id: string;
  ipAddress: string;
  vnicId?: string;
  subnetId: string;
  isPrimary: boolean;
  /**
   * Only on an IP CIDR address: one private-IP object holding the aligned block `ipAddress/cidrPrefixLength`
   * (PrivateIp.cidrPrefixLength, oci-core/lib/model/private-ip.d.ts). Absent for a single address.
   */
  cidrPrefixLength?: number;
  freeformTags: Record<string, string>;
}

export interface SubnetInfo {
  id: string;
  vcnId: string;
  compartmentId: string;
  /** null for a regional subnet. */
  availabilityDomain: string | null;
  /** The first IPv4 CIDR block (`cidrBlocks[0]`). */
  cidrBlock: string;
  /**
   * Every IPv4 CIDR block of the subnet (Subnet.ipv4CidrBlocks, else `[cidrBlock]`): OCI subnets may have several,
   * and addresses come from each, so capacity is counted over all of them.
   */
  cidrBlocks: string[];
  virtualRouterIp?: string;
  /** AVAILABLE or UPDATING (see OciNetwork.listSubnets). */
  lifecycleState: string;
  freeformTags: Record<string, string>;
}

export interface NsgInfo {
  id: string;
  vcnId: string;
  freeformTags: Record<string, string>;
}

/** What every mutation returns besides its object: the request id operators search OCI Logging with. */
export interface Mutation<T> {
  value: T;
  opcRequestId?: string;
}

/** How one call may be retried. */
export interface CallOptions {
  /** Bounds the call: the adapter never starts a retry it cannot finish before this moment. */
  deadline?: Date;
  /**
   * Set by a caller for which NotAuthorizedOrNotFound means "the object is gone" and is an expected answer: a delete
   * of something that may already be deleted, a read of an instance that may be terminated, a VNIC that may have
   * been detached. The adapter then throws the first such answer at once (`notFound` is true). Without it, OCI's
   * 404 NotAuthorizedOrNotFound (and 400 RelatedResourceNotAuthorizedOrNotFound) is retried with backoff for a short
   * window (RetryPolicy `notFoundWindowMs`, default 2 s, within `deadline`), because a policy just created takes a
   * while to apply; if it persists the call throws `OciNotAuthorizedOrNotFoundError` (still `notFound`), whose
   * message names the permissions and the compartment to check.
   */
  notFoundIsGone?: boolean;
}

export interface OciCompute {
  /** Called at the start of each reconcile. Must return the instance with its per-instance VNIC limit. */
  getInstance(instanceId: string, options?: CallOptions): Promise<InstanceInfo>;
  /** Called at each observation. Must return every attachment of the instance (all pages), in any state. */
  listVnicAttachments(compartmentId: string, instanceId: string, options?: CallOptions): Promise<VnicAttachmentInfo[]>;
  /** Called while waiting for an attachment to reach ATTACHED. */
  getVnicAttachment(attachmentId: string, options?: CallOptions): Promise<VnicAttachmentInfo>;
  /**
   * Called when the plan attaches a VNIC. Must send `retryToken` as opc-retry-token so that a retried or duplicated
   * call returns the same attachment, and must create the VNIC with `freeformTags` and `displayName`.
   */
  attachVnic(
    request: {
      instanceId: string;
      subnetId: string;
      nsgIds: string[];
      displayName: string;
      freeformTags: Record<string, string>;
      retryToken: string;
    },
    options?: CallOptions,
  ): Promise<Mutation<VnicAttachmentInfo>>;
  /**
   * Called by leak collection only: every VNIC attachment in the compartment, of every instance (all pages), so the
   * collector maps VNICs to instances with one paged list instead of one per instance.
   */
  listVnicAttachmentsInCompartment(compartmentId: string, options?: CallOptions): Promise<VnicAttachmentInfo[]>;
  /**
   * Called by leak collection only, for an allocator-tagged secondary VNIC of a running instance that is no longer a
   * cluster node. DetachVnic detaches and deletes the VNIC with its private IPs (it refuses a primary VNIC). A 404
   * is thrown like any error (`notFound`): the caller may treat it as already gone.
   */
  detachVnic(attachmentId: string, options?: CallOptions): Promise<Mutation<void>>;
}

export interface OciNetwork {
  /** Called for every ATTACHED VNIC at observation time. */
  getVnic(vnicId: string, options?: CallOptions): Promise<VnicInfo>;
  /** Called for every ATTACHED VNIC at observation time. Must return every private IP of the VNIC (all pages). */
  listPrivateIps(vnicId: string, options?: CallOptions): Promise<PrivateIpInfo[]>;
  /**
   * Called by leak collection: every private IP in the subnet (ListPrivateIps by subnetId, all pages), whatever VNIC
   * or instance it is on. One paged list per subnet of the VCN finds every IP, instead of one list per VNIC.
   */
  listPrivateIpsInSubnet(subnetId: string, options?: CallOptions): Promise<PrivateIpInfo[]>;
  /**
   * Called once per IP the plan assigns, and once per IP CIDR block candidate it tries. Must send `retryToken` as
   * opc-retry-token and tag the object. Without `cidrPrefixLength` OCI picks the address. With it (block mode), the
   * object is the aligned block `ipAddress/cidrPrefixLength` (CreatePrivateIpDetails.cidrPrefixLength "when combined
   * with the ipAddress field", oci-core lib/model/create-private-ip-details.d.ts): both fields are sent. A VNIC at its
   * private-IP object limit (400 LimitExceeded), a full subnet, or a block over a held address (409 Conflict) is a
   * non-retryable OciApiError; a subnet UPDATING answers 409 IncorrectState (retried within the deadline).
   */
  createPrivateIp(
    request: {
      vnicId: string;
      displayName: string;
      freeformTags: Record<string, string>;
      retryToken: string;
      ipAddress?: string;
      cidrPrefixLength?: number;
    },
    options?: CallOptions,
  ): Promise<Mutation<PrivateIpInfo>>;
  /** Called only for allocator-owned IPs the agent acknowledged (release) or orphans (collection). */
  deletePrivateIp(privateIpId: string, options?: CallOptions): Promise<Mutation<void>>;
  /**
   * Called when a node adopts an IP a prewarm created on its instance (and by nothing else): replaces the IP's
   * freeform tags with `freeformTags` (UpdatePrivateIp). Throws OciApiError; 404 means the IP is gone.
   */
  updatePrivateIpTags(
    privateIpId: string,
    freeformTags: Record<string, string>,
    options?: CallOptions,
  ): Promise<Mutation<PrivateIpInfo>>;
  /**
   * Called when a node adopts a VNIC a prewarm attached on its instance: replaces the VNIC's freeform tags
   * (UpdateVnic).
   */
  updateVnicTags(
    vnicId: string,
    freeformTags: Record<string, string>,
    options?: CallOptions,
  ): Promise<Mutation<VnicInfo>>;
  /**
   * Called when the plan needs subnet candidates (and by leak collection): every AVAILABLE or UPDATING subnet of the
   * VCN in the compartment. UPDATING is a passing state (OCI enters it e.g. after the first IP CIDR address of a
   * subnet's first block; creates and attaches in it answer a retryable 409 IncorrectState meanwhile), so such a subnet
   * is a candidate to wait for, not one that vanished. Other states (PROVISIONING, TERMINATING, TERMINATED) are
   * left out.
   */
  listSubnets(compartmentId: string, vcnId: string, options?: CallOptions): Promise<SubnetInfo[]>;
  /**
   * Called for the subnets a plan may use: how many addresses are assigned (from the subnet's IP inventory; an IP
   * CIDR address counts every address of its block, not one).
   */
  countAssignedIps(subnetId: string, options?: CallOptions): Promise<number>;
  /**
   * Called in block mode for the subnets a plan may place IP CIDR blocks in: what the subnet's IP inventory
   * (GetSubnetIpInventory) reports as allocated, one CIDR string per private-IP object ("10.0.1.7/32" for a single
   * address, "10.0.1.16/28" for a block), and the assigned-address count `countAssignedIps` would answer, from the
   * same one call. The inventory may lag: a block chosen from it can still collide (409 Conflict), and the plan's
   * fall-back candidates cover that.
   */
  getSubnetAllocations(
    subnetId: string,
    options?: CallOptions,
  ): Promise<{ assignedAddresses: number; allocations: string[] }>;
  /** Called only when NSG tags are configured. */
  listNetworkSecurityGroups(compartmentId: string, vcnId: string, options?: CallOptions): Promise<NsgInfo[]>;
}

/** Final states of a work request (oci-workrequests lib/model/work-request.d.ts `WorkRequest.Status`). */
export type WorkRequestFinalStatus = "SUCCEEDED" | "FAILED" | "CANCELED";

export interface WorkRequestOutcome {
  id: string;
  status: WorkRequestFinalStatus;
  percentComplete: number;
  /** What it touched; for BulkCreatePrivateIps, `entityType` "privateip" with the new IP's OCID as `identifier`. */
  resources: Array<{ entityType: string; actionType: string; identifier: string }>;
  /** ListWorkRequestErrors of a FAILED or CANCELED request (all pages); empty otherwise. */
  errors: Array<{ code: string; message: string; timestamp?: string }>;
  timeFinished?: string;
}

/**
 * The bulk path (OCIPAM_USE_BULK_CREATE): BulkCreatePrivateIps creates several IPs on one VNIC in one request,
 * asynchronously, and answers only a work request id (oci-core lib/response/bulk-create-private-ips-response.d.ts:
 * "Use GetWorkRequest with this ID to track the status"). An adapter of `OciNetwork` may implement it; the executor
 * uses it only when the configuration asks and the adapter has it.
 */
export interface OciBulkNetwork {
  /**
   * Called when a plan assigns several single IPs to one VNIC and the bulk path is enabled. Must send `retryToken` as
   * opc-retry-token (the same token on every attempt). Returns the work request id; the IPs exist once it succeeds.
   */
  bulkCreatePrivateIps(
    request: {
      vnicId: string;
      items: Array<{ displayName: string; freeformTags: Record<string, string> }>;
      retryToken: string;
    },
    options?: CallOptions,
  ): Promise<Mutation<{ workRequestId: string }>>;
  /**
   * Called right after `bulkCreatePrivateIps`: polls GetWorkRequest until a final state and returns it (FAILED or
   * CANCELED with the listed errors: a failure of the work, not of the call). Throws `OciDeadlineError` when
   * `deadline` comes first; the work may still complete, and the next observation sees its (tagged) IPs.
   */
  waitForWorkRequest(workRequestId: string, deadline: Date): Promise<WorkRequestOutcome>;
}
