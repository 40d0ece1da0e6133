/**
 * Small IPv4 helpers for the node agent. Every address that reaches an `ip` argument passes through `parseIpv4` or
 * `parseCidr` first, so only canonical dotted quads (never a leading "-" or a word iproute2 would read as an
 * option or keyword) end up on a command line.
 */

const QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The address as an unsigned 32-bit number, or undefined when `text` is not a canonical dotted quad. */
export function parseIpv4(text: string): number | undefined {
  if (!QUAD.test(text)) return undefined;
  return text.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

export interface Cidr {
  /** Network address (host bits cleared) as a dotted quad. */
  address: string;
  prefix: number;
}

/** `a.b.c.d/n` (or a bare address, read as /32) → its network; undefined when malformed. Host bits are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, len, extra] = text.split("/");
  if (extra !== undefined || addr === undefined) return undefined;
  const value = parseIpv4(addr);
  if (value === undefined) return undefined;
  const prefix = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) return undefined;
  return { address: formatIpv4(value & maskOf(prefix)), prefix };
}

/** Canonical `a.b.c.d/n` text of a CIDR. */
export function formatCidr(cidr: Cidr): string {
  return `${cidr.address}/${cidr.prefix}`;
}

/** Whether `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const value = parseIpv4(ip);
  const base = parseIpv4(cidr.address);
  if (value === undefined || base === undefined) return false;
  const mask = maskOf(cidr.prefix);
  return (value & mask) >>> 0 === (base & mask) >>> 0;
}

/** Numeric order of dotted quads, for deterministic output. */
export function compareIpv4(a: string, b: string): number {
  return (parseIpv4(a) ?? 0) - (parseIpv4(b) ?? 0);
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function formatIpv4(value: number): string {
  const v = value >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
}
