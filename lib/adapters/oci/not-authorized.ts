import { bySide, type PermissionSide } from "../../oci/permission-placement";
import {
  OPERATION_PERMISSIONS,
  permissionsFor,
  workRequestPermissions,
  type OciOperation,
} from "../../oci/permissions";
import { OciApiError } from "../../ports/oci-errors";
import type { CallFields } from "./caller";

/**
 * The error an OCI call ends with when OCI kept answering NotAuthorizedOrNotFound (404, or 400
 * RelatedResourceNotAuthorizedOrNotFound) through the IAM-propagation window: either the object does not exist or the
 * allocator's policies do not grant what the operation needs. Still an `OciApiError` with the original status,
 * service code and reason (`notFound` stays true for a 404), so callers that test for "not found" keep working; the
 * message and `context.checkPolicies` say which permissions to check in which compartment.
 */
export class OciNotAuthorizedOrNotFoundError extends OciApiError {
  readonly checkPolicies: string;
  constructor(last: OciApiError, checkPolicies: string, retried: { attempts: number; waitedMs: number }) {
    const original = last.message.startsWith(`${last.operation}: `)
      ? last.message.slice(last.operation.length + 2)
      : last.message;
    super(
      last.operation,
      `${original} (answered ${retried.attempts} time(s) over ${retried.waitedMs} ms; ` +
        `IAM changes take a while to propagate). If the object exists, ${checkPolicies}`,
      { statusCode: last.statusCode, serviceCode: last.serviceCode, opcRequestId: last.opcRequestId },
      { cause: last },
    );
    this.checkPolicies = checkPolicies;
    this.context.checkPolicies = checkPolicies;
  }
}

/** Where the operator guide explains every statement. */
const GUIDE = '(infra/README.md, "IAM: what is granted and why")';

const SIDE_WHERE: Record<PermissionSide, string> = {
  instance: "the instance's compartment (a cluster compartment)",
  network: "the network compartment (where the subnets, and so their VNICs and private IPs, live)",
  secret: "the compartment of the Kubernetes token secret",
};

function sideLocation(side: PermissionSide, fields: CallFields): string {
  if (fields.compartment) return `compartment ${fields.compartment}`;
  if (side === "instance" && fields.instance) return `the compartment of instance ${fields.instance}`;
  if (side === "network" && fields.subnet) return `the compartment of subnet ${fields.subnet}`;
  if (side === "network" && fields.vnic)
    return `the compartment of VNIC ${fields.vnic}'s subnet (the network compartment)`;
  return SIDE_WHERE[side];
}

/**
 * "check that the allocator's policies grant {…} in <where>" for `operation`, from the permission table and where
 * each permission is checked (lib/oci/permission-placement.ts). A list call names its compartment.
 */
export function checkPoliciesHint(operation: string, fields: CallFields): string {
  if (!(operation in OPERATION_PERMISSIONS))
    return 'check the allocator\'s IAM policies (infra/README.md, "IAM: what is granted and why").';
  const op = operation as OciOperation;
  const inherited =
    op === "GetWorkRequest" || op === "ListWorkRequestErrors" ? workRequestPermissions("BulkCreatePrivateIps") : [];
  let sides: Record<PermissionSide, string[]>;
  try {
    sides = bySide([...permissionsFor(op), ...inherited]);
  } catch {
    return `check that the IAM policies grant ${permissionsFor(op).join(", ")} ${GUIDE}.`;
  }
  const parts = (Object.keys(sides) as PermissionSide[])
    .filter((side) => sides[side].length > 0)
    .map((side) => `{${sides[side].join(", ")}} in ${sideLocation(side, fields)}`);
  return `check that the allocator's policies grant ${parts.join(" and ")} ${GUIDE}.`;
}
