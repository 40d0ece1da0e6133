import type { OciOperation } from "../../../oci/permissions";
import type { World } from "../world/world";

/** What a handler sees of a request. */
export interface RequestContext {
  world: World;
  /** Path parameters (OCIDs decoded). */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined for none). */
  body: unknown;
  /** Request headers, lowercase names. */
  headers: Record<string, string | undefined>;
  /** The emulator's base URL (no API version), for messagesEndpoint and the like. */
  endpoint: string;
}

/** What a handler answers. `resourceId` names the object a create made, for retry-token replays. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  resourceId?: string;
}

/** Where the permissions of one call are checked: a compartment, optionally per permission prefix. */
export interface AuthTarget {
  compartmentId: string;
  /** e.g. { SUBNET_: <subnet compartment> } for permissions checked against another resource. */
  byPrefix?: Record<string, string>;
  variables?: Record<string, string>;
  nsgIds?: string[];
  /**
   * Checks beyond the operation's own permissions: the same permission in a second compartment (NSGs of several
   * compartments), or what a work request inherits from the operation that spawned it.
   */
  extraChecks?: Array<{ permission: string; compartmentId: string }>;
}

export interface Route {
  operation: OciOperation;
  method: "GET" | "POST" | "DELETE" | "PUT";
  /** API version prefix the SDK client adds (core and work requests 20160918, streaming 20180418, secrets 20190301). */
  version: "20160918" | "20180418" | "20190301";
  /** Path after the version, with `{name}` parameters. */
  path: string;
  /** The operation declares `opc-retry-token` (the SDK sends one on every call). */
  retryToken?: boolean;
  /** The SDK signs this POST without the body headers (PutMessages: oci-streaming lib/client.js passes excludeBody). */
  bodyExempt?: boolean;
  /**
   * Resolves which compartment(s) the permissions are checked in. Throws the operation's 404 (or 400 for a resource
   * named in the body) when the target does not exist, so existence and authorisation look alike, as in OCI.
   */
  target(ctx: RequestContext): AuthTarget;
  handle(ctx: RequestContext): Reply;
  /** For retry-token replays: the current reply for the object a first call created, or undefined if it is gone. */
  replay?(ctx: RequestContext, resourceId: string): Reply | undefined;
}

/**
 * `{ SUBNET_: <compartment> }` when the subnet is known: SUBNET_* permissions are checked in the subnet's compartment.
 */
export function subnetPrefix(subnet: { compartmentId: string } | undefined): Record<string, string> {
  return subnet ? { SUBNET_: subnet.compartmentId } : {};
}

/**
 * NETWORK_SECURITY_GROUP_UPDATE_MEMBERS is about each NSG a VNIC joins or leaves, so it is checked in each NSG's
 * compartment (unknown NSGs are left to the handler's 400).
 */
export function nsgMemberChecks(
  nsgs: ReadonlyMap<string, { compartmentId: string }>,
  nsgIds: readonly string[],
): Array<{ permission: string; compartmentId: string }> {
  return nsgIds
    .map((id) => nsgs.get(id))
    .filter((n): n is { compartmentId: string } => n !== undefined)
    .map((n) => ({ permission: "NETWORK_SECURITY_GROUP_UPDATE_MEMBERS", compartmentId: n.compartmentId }));
}
