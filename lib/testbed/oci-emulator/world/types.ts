/**
 * The emulator's records. Field names are the OCI model's (oci-core/lib/model/*.d.ts), so views are mostly copies;
 * internal-only fields start with an underscore and never reach a response.
 */
export type Tags = Record<string, string>;
export type DefinedTags = Record<string, Record<string, unknown>>;

export interface CompartmentRec {
  id: string;
  name: string;
  parentId: string;
}

export interface VcnRec {
  id: string;
  compartmentId: string;
  cidrBlock: string;
  displayName: string;
  dnsLabel?: string;
  freeformTags: Tags;
  lifecycleState: "AVAILABLE";
  timeCreated: string;
}

export interface SubnetRec {
  id: string;
  compartmentId: string;
  vcnId: string;
  /** The first IPv4 CIDR block ("cidrBlock … the first of ipv4CidrBlocks", core/lib/model/subnet.d.ts). */
  cidrBlock: string;
  /** Every IPv4 CIDR block of the subnet, `cidrBlock` first (Subnet.ipv4CidrBlocks). */
  ipv4CidrBlocks: string[];
  /** null = regional subnet ("null if this is a regional subnet", core/lib/model/subnet.ts). */
  availabilityDomain: string | null;
  displayName: string;
  dnsLabel?: string;
  freeformTags: Tags;
  prohibitPublicIpOnVnic: boolean;
  routeTableId: string;
  virtualRouterIp: string;
  virtualRouterMac: string;
  /**
   * UPDATING for a while after the first IP CIDR address is taken from the first CIDR block ("Private IP
   * Addresses", managingIPaddresses.htm); no private IP can be created or deleted in it meanwhile.
   */
  lifecycleState: "AVAILABLE" | "UPDATING";
  timeCreated: string;
}

export interface NsgRec {
  id: string;
  compartmentId: string;
  vcnId: string;
  displayName: string;
  freeformTags: Tags;
  lifecycleState: "AVAILABLE";
  timeCreated: string;
}

export type InstanceState =
  | "PROVISIONING"
  | "RUNNING"
  | "STOPPING"
  | "STOPPED"
  | "STARTING"
  | "TERMINATING"
  | "TERMINATED";

export interface InstanceRec {
  id: string;
  compartmentId: string;
  availabilityDomain: string;
  faultDomain: string;
  region: string;
  shape: string;
  shapeConfig: {
    ocpus: number;
    memoryInGBs: number;
    vcpus: number;
    maxVnicAttachments: number;
    networkingBandwidthInGbps?: number;
    processorDescription?: string;
  };
  displayName: string;
  freeformTags: Tags;
  lifecycleState: InstanceState;
  timeCreated: string;
}

export type VnicState = "PROVISIONING" | "AVAILABLE" | "TERMINATING" | "TERMINATED";

export interface VnicRec {
  id: string;
  compartmentId: string;
  availabilityDomain: string;
  subnetId: string;
  isPrimary: boolean;
  macAddress: string;
  nsgIds: string[];
  skipSourceDestCheck: boolean;
  displayName: string;
  hostnameLabel?: string;
  freeformTags: Tags;
  definedTags: DefinedTags;
  lifecycleState: VnicState;
  timeCreated: string;
  _instanceId: string;
  _nicIndex: number;
}

export type AttachmentState = "ATTACHING" | "ATTACHED" | "DETACHING" | "DETACHED";

export interface VnicAttachmentRec {
  id: string;
  instanceId: string;
  compartmentId: string;
  availabilityDomain: string;
  displayName: string;
  nicIndex: number;
  subnetId: string;
  lifecycleState: AttachmentState;
  timeCreated: string;
  /**
   * The VNIC behind it; only shown as `vnicId` once ATTACHED ("Available after the attachment process is complete").
   */
  _vnicId: string;
}

export interface PrivateIpRec {
  id: string;
  ipAddress: string;
  vnicId: string;
  subnetId: string;
  compartmentId: string;
  availabilityDomain: string | null;
  displayName: string;
  hostnameLabel?: string;
  isPrimary: boolean;
  /** Only on an IP CIDR address: the block is `ipAddress/cidrPrefixLength` (PrivateIp.cidrPrefixLength). */
  cidrPrefixLength?: number;
  freeformTags: Tags;
  definedTags: DefinedTags;
  timeCreated: string;
  /** First address as an integer. */
  _int: number;
  /** Addresses the object holds: 1, or 2^(32 − cidrPrefixLength) for an IP CIDR address. */
  _size: number;
}

export interface WorkRequestRec {
  id: string;
  operationType: string;
  status: "ACCEPTED" | "IN_PROGRESS" | "SUCCEEDED" | "FAILED";
  compartmentId: string;
  resources: Array<{ entityType: string; actionType: string; identifier: string; entityUri?: string }>;
  percentComplete: number;
  timeAccepted: string;
  timeStarted?: string;
  timeFinished?: string;
  _errors: Array<{ code: string; message: string; timestamp: string }>;
}

export interface StoredMessage {
  key: string | null;
  value: string;
  offset: number;
  timestamp: string;
}

export interface StreamRec {
  id: string;
  name: string;
  compartmentId: string;
  partitions: number;
  retentionInHours: number;
  lifecycleState: "ACTIVE";
  timeCreated: string;
  freeformTags: Tags;
  _log: StoredMessage[][];
  _roundRobin: number;
}

/**
 * A Vault secret with its current version's content (base64), as Secrets GetSecretBundle returns it. Only the
 * CURRENT stage is modelled.
 */
export interface SecretRec {
  id: string;
  name: string;
  compartmentId: string;
  vaultId: string;
  versionNumber: number;
  /** base64 of the secret's bytes. */
  content: string;
  timeCreated: string;
}
