import { createHash } from "node:crypto";

/**
 * The Lease that locks one node: `ocipam-node-<node>`. A Lease name must be a DNS-1123 subdomain (at most 253
 * characters: lowercase alphanumerics, '-' and '.', each dot-separated label starting and ending with an
 * alphanumeric). Node names are subdomains too, but the prefix can push a long one over 253; such names (and any
 * that would not be valid) become a truncated, sanitized prefix plus a hash of the full node name, so distinct
 * nodes keep distinct Leases.
 */
export const LEASE_PREFIX = "ocipam-node-";
const MAX_SUBDOMAIN = 253;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= MAX_SUBDOMAIN && SUBDOMAIN.test(name);
}

export function leaseNameForNode(node: string): string {
  const plain = `${LEASE_PREFIX}${node}`;
  if (isDnsSubdomain(plain)) return plain;
  const hash = createHash("sha256").update(node, "utf8").digest("hex").slice(0, 16);
  const room = MAX_SUBDOMAIN - LEASE_PREFIX.length - 1 - hash.length;
  const readable = node
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/(^|\.)[-.]+/g, "$1")
    .replace(/-+\./g, ".")
    .slice(0, room)
    .replace(/[-.]+$/, "");
  return readable ? `${LEASE_PREFIX}${readable}-${hash}` : `${LEASE_PREFIX}${hash}`;
}
