import { createHash } from "node:crypto";

/** OCI accepts opc-retry-token values of at most 64 characters (CreatePrivateIp API reference). */
export const MAX_RETRY_TOKEN_LENGTH = 64;

/**
 * A deterministic `opc-retry-token` for one create call, derived from what the call is for: the cluster, the
 * node, the instance, the operation, its target (VNIC or slot) and the observed state it was planned from,
 * plus the ordinal of the object within the plan. Two invocations that planned from the same observation
 * (a duplicated or concurrent nudge) send the same tokens, so OCI returns the first call's object instead of
 * creating a second; once the observed state changes (an IP was created or deleted), the tokens change too, so a
 * token never resurrects a deleted object's response. The SDK would otherwise invent a random token per call.
 *
 * `generation` (the node's count of rounds that created objects, from its OciIpamNode record) is part of the material:
 * an observation can repeat (an operator deleted what a round created, and the node looks as it did before that
 * round), and OCI answers a token whose object was deleted with 409 InvalidatedRetryToken for 24 hours
 * (docs.oracle.com/iaas/Content/API/References/apierrors.htm; "Retry tokens" in the Core API reference), so a token
 * must never be sent for a new request. A true duplicate delivery plans from the same observation and generation, so
 * it still sends the same tokens and OCI answers with the first call's object.
 *
 * Format: `ocipam-` + 48 hex characters of SHA-256 (55 characters).
 */
export function deriveRetryToken(parts: {
  cluster: string;
  node: string;
  instanceId: string;
  operation: "createPrivateIp" | "attachVnic" | "bulkCreatePrivateIps";
  target: string;
  observationDigest: string;
  generation?: number;
  ordinal: number;
}): string {
  const material = [
    parts.cluster,
    parts.node,
    parts.instanceId,
    parts.operation,
    parts.target,
    parts.observationDigest,
    String(parts.generation ?? 0),
    String(parts.ordinal),
  ];
  const digest = createHash("sha256").update(material.join("\u0000")).digest("hex");
  return `ocipam-${digest.slice(0, 48)}`;
}

/** A short digest of the facts a plan rests on (which objects exist), used as part of every retry token. */
export function observationDigest(facts: string[]): string {
  return createHash("sha256")
    .update([...facts].sort().join("\n"))
    .digest("hex")
    .slice(0, 32);
}

/**
 * The token for the one retry of a create whose token OCI refused (409 InvalidatedRetryToken, or the token already used
 * for a different request): derived from the refused token and something that never repeats for the caller (the
 * invocation's call id), so the retry is a new request to OCI while staying reproducible from the logs.
 */
export function freshRetryToken(refused: string, salt: string): string {
  const digest = createHash("sha256").update(`${refused}\u0000fresh\u0000${salt}`).digest("hex");
  return `ocipam-${digest.slice(0, 48)}`;
}
