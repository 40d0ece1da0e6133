/**
 * IPv4 arithmetic for IP CIDR blocks: addresses as unsigned 32-bit integers, blocks as (first address, prefix
 * length). Pure; every function accepts only what it documents and throws a RangeError otherwise.
 */

export interface Ipv4Range {
  /** First address, as an unsigned 32-bit integer. */
  start: number;
  /** Number of addresses (a power of two for a CIDR block). */
  size: number;
}

/** "10.0.1.16" → 167772432. */
export function ipv4ToInt(address: string): number {
  const parts = address.split(".");
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${address}`);
  let n = 0;
  for (const p of parts) {
    const octet = Number(p);
    if (!/^\d{1,3}$/.test(p) || octet > 255) throw new RangeError(`not an IPv4 address: ${address}`);
    n = n * 256 + octet;
  }
  return n;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Addresses in a block of this prefix length (/28 → 16). */
export function blockSize(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`bad prefix length ${prefixLength}`);
  }
  return 2 ** (32 - prefixLength);
}

/** "10.0.1.0/24" or "10.0.1.5" (one address) → its range. The network part must be aligned. */
export function parseCidr(cidr: string): Ipv4Range {
  const [address, prefix] = cidr.split("/");
  const length = prefix === undefined ? 32 : Number(prefix);
  const size = blockSize(length);
  const start = ipv4ToInt(address!);
  if (start % size !== 0) throw new RangeError(`${cidr} is not aligned to its prefix length`);
  return { start, size };
}

/** Every address of the block `first/prefixLength`, in order. */
export function blockAddresses(first: string, prefixLength: number): string[] {
  const start = ipv4ToInt(first);
  return Array.from({ length: blockSize(prefixLength) }, (_, i) => intToIpv4(start + i));
}

/** The first address of the block of `prefixLength` that contains `address`. */
export function blockBase(address: string, prefixLength: number): string {
  const size = blockSize(prefixLength);
  const n = ipv4ToInt(address);
  return intToIpv4(n - (n % size));
}

/** Whether `address` is inside the block `first/prefixLength`. */
export function blockContains(first: string, prefixLength: number, address: string): boolean {
  const start = ipv4ToInt(first);
  const n = ipv4ToInt(address);
  return n >= start && n < start + blockSize(prefixLength);
}

/** Sorted, merged ranges (adjacent or overlapping ranges become one). */
export function mergeRanges(ranges: readonly Ipv4Range[]): Ipv4Range[] {
  const sorted = [...ranges].filter((r) => r.size > 0).sort((a, b) => a.start - b.start);
  const out: Ipv4Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.start + last.size) {
      last.size = Math.max(last.size, r.start + r.size - last.start);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** `from` minus every range of `holes` (both lists of ranges; the answer is sorted and merged). */
export function subtractRanges(from: readonly Ipv4Range[], holes: readonly Ipv4Range[]): Ipv4Range[] {
  const cut = mergeRanges(holes);
  const out: Ipv4Range[] = [];
  for (const r of mergeRanges(from)) {
    let start = r.start;
    const end = r.start + r.size;
    for (const h of cut) {
      const hEnd = h.start + h.size;
      if (hEnd <= start || h.start >= end) continue;
      if (h.start > start) out.push({ start, size: h.start - start });
      start = Math.max(start, hEnd);
    }
    if (start < end) out.push({ start, size: end - start });
  }
  return out;
}

export function compareAddresses(a: string, b: string): number {
  return ipv4ToInt(a) - ipv4ToInt(b);
}
