/**
 * IPv4 arithmetic for subnets. OCI reserves three addresses in every IPv4 subnet: the first two (network address and
 * the default gateway / virtual router, e.g. 10.0.1.1) and the last one (broadcast)
 * (https://docs.oracle.com/en-us/iaas/Content/Network/Concepts/ipv6.htm, "Comparison of IPv4 and IPv6";
 * shared/reference/oci-facts.md §1.3). OCI subnets are /16 to /30.
 */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
  /** Number of addresses in the block (2^(32-prefix)). */
  size: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split(".");
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) throw new Error(`not an IPv4 address: ${ip}`);
    const v = Number(p);
    if (v > 255) throw new Error(`not an IPv4 address: ${ip}`);
    n = n * 256 + v;
  }
  return n >>> 0;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function isIpv4(ip: string): boolean {
  try {
    ipToInt(ip);
    return true;
  } catch {
    return false;
  }
}

export function parseCidr(cidr: string): Cidr {
  const [ip, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  const base = ipToInt(ip);
  if (base % size !== 0) throw new Error(`${cidr} has host bits set`);
  return { base, prefix, size };
}

export function contains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + cidr.size;
}

/** Addresses a private IP can use: CIDR size minus the 3 reserved ones. */
export function assignableCount(cidr: Cidr): number {
  return Math.max(cidr.size - 3, 0);
}

/** True for the network address, the virtual router (base+1) and the broadcast address. */
export function isReserved(cidr: Cidr, ip: number): boolean {
  return ip === cidr.base || ip === cidr.base + 1 || ip === cidr.base + cidr.size - 1;
}

/** The virtual router / default gateway: the first host address (10.0.1.0/24 → 10.0.1.1). */
export function virtualRouterIp(cidr: Cidr): string {
  return intToIp(cidr.base + 1);
}

/** True when the two blocks overlap. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}
