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
 * Format: `ocipam-` + 48 hex characters of SHA-256 (55 characters).
 */
export function deriveRetryToken(parts: {
  cluster: string;
  node: string;
  instanceId: string;
  operation: "createPrivateIp" | "attachVnic" | "bulkCreatePrivateIps";
  target: string;
  observationDigest: string;
  ordinal: number;
}): string {
  const material = [parts.cluster, parts.node, parts.instanceId, parts.operation, parts.target, parts.observationDigest, String(parts.ordinal)];
  const digest = createHash("sha256").update(material.join("\u0000")).digest("hex");
  return `ocipam-${digest.slice(0, 48)}`;
}

/** A short digest of the facts a plan rests on (which objects exist), used as part of every retry token. */
export function observationDigest(facts: string[]): string {
  return createHash("sha256").update([...facts].sort().join("\n")).digest("hex").slice(0, 32);
}
