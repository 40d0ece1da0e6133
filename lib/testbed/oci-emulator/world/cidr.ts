/**
 * IPv4 arithmetic for subnets. OCI reserves three addresses in every IPv4 subnet: the first two (network address and
 * the default gateway / virtual router, e.g. 10.0.1.1) and the last one (broadcast)
 * (https://docs.oracle.com/en-us/iaas/Content/Network/Concepts/ipv6.htm, "Comparison of IPv4 and IPv6";
 * "the first two addresses and the last in the subnet's CIDR are reserved", Overview_of_VCNs_and_Subnets.htm).
 * OCI subnets are /16 to /30. A subnet with several IPv4 CIDR blocks (`Subnet.ipv4CidrBlocks`) has the rule applied
 * to each block (ASSUMED: the docs state it per CIDR, never for the union).
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

/** `a.b.c.d/n` of a block. */
export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

/** The block of `size` addresses starting at `base` (no alignment check: see `blockAt`). */
export function blockOf(base: number, prefix: number): Cidr {
  return { base, prefix, size: 2 ** (32 - prefix) };
}

/** True when `inner` lies entirely inside `outer`. */
export function within(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

/** True when the block holds one of `outer`'s three reserved addresses. */
export function coversReserved(outer: Cidr, inner: Cidr): boolean {
  return [outer.base, outer.base + 1, outer.base + outer.size - 1].some((ip) => contains(inner, ip));
}
