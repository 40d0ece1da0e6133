import type { OciOperation } from "../../oci/permissions";

/**
 * Operation families for throttling. OCI publishes no numeric rate limits for these APIs; the documented signal is
 * HTTP 429 `TooManyRequests` (https://docs.oracle.com/en-us/iaas/Content/API/References/apierrors.htm), applied per
 * service, so the emulator groups operations by service and read/write and lets tests set buckets per family or per
 * operation.
 */
export type OperationFamily =
  | "compute-read"
  | "compute-write"
  | "network-read"
  | "network-write"
  | "workrequests"
  | "streaming"
  | "secrets";

export const OPERATION_FAMILY: Readonly<Record<OciOperation, OperationFamily>> = {
  GetInstance: "compute-read",
  ListInstances: "compute-read",
  ListShapes: "compute-read",
  GetVnicAttachment: "compute-read",
  ListVnicAttachments: "compute-read",
  AttachVnic: "compute-write",
  DetachVnic: "compute-write",
  GetVnic: "network-read",
  GetPrivateIp: "network-read",
  ListPrivateIps: "network-read",
  GetSubnet: "network-read",
  ListSubnets: "network-read",
  GetSubnetIpInventory: "network-read",
  ListNetworkSecurityGroups: "network-read",
  GetVcn: "network-read",
  CreatePrivateIp: "network-write",
  DeletePrivateIp: "network-write",
  UpdatePrivateIp: "network-write",
  UpdateVnic: "network-write",
  BulkCreatePrivateIps: "network-write",
  GetWorkRequest: "workrequests",
  ListWorkRequestErrors: "workrequests",
  PutMessages: "streaming",
  CreateCursor: "streaming",
  GetMessages: "streaming",
  GetSecretBundle: "secrets",
};

export const ALL_OPERATIONS = Object.keys(OPERATION_FAMILY) as OciOperation[];
