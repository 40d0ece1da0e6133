import type { ScaledClock } from "../clock";
import type { OciEventEnvelope } from "../events";
import type { LatencyProfile } from "../latency";
import { OciServiceError, conflict, invalidParameter } from "../http/errors";
import {
  assignableCount,
  blockOf,
  contains,
  coversReserved,
  formatCidr,
  intToIp,
  ipToInt,
  isReserved,
  overlaps,
  parseCidr,
  virtualRouterIp,
  within,
  type Cidr,
} from "./cidr";
import type { IdFactory } from "./ids";
import type {
  CompartmentRec,
  InstanceRec,
  NsgRec,
  PrivateIpRec,
  SecretRec,
  StreamRec,
  SubnetRec,
  Tags,
  VcnRec,
  VnicAttachmentRec,
  VnicRec,
  WorkRequestRec,
} from "./types";

const REGION_KEYS: Record<string, string> = {
  "us-ashburn-1": "iad",
  "us-phoenix-1": "phx",
  "eu-frankfurt-1": "fra",
  "uk-london-1": "lhr",
  "ap-tokyo-1": "nrt",
};

/** The short key of a region for OCIDs (`us-ashburn-1` → `iad`). */
export function regionKey(region: string): string {
  return REGION_KEYS[region] ?? region.split("-")[1] ?? "reg";
}

export interface WorldOptions {
  ids: IdFactory;
  clock: ScaledClock;
  latency: LatencyProfile;
  region: string;
  tenancyId: string;
  /** Secondary private-IP objects per VNIC (a tenancy limit: 64 Universal Credits, 32 Pay-As-You-Go/Trial). */
  secondaryIpsPerVnic: number;
  /** OCI ms a subnet stays UPDATING after the first IP CIDR address of its first CIDR block (ASSUMED, scaled). */
  subnetUpdatingMs: number;
  emit: (event: OciEventEnvelope) => void;
}

/**
 * The state of one emulated tenancy in one region, and the helpers every behaviour module shares (lookups by name
 * or OCID, address allocation). The operations themselves live in compute.ts, network.ts and streams.ts.
 */
export class World {
  readonly compartments = new Map<string, CompartmentRec>();
  readonly vcns = new Map<string, VcnRec>();
  readonly subnets = new Map<string, SubnetRec>();
  readonly nsgs = new Map<string, NsgRec>();
  readonly instances = new Map<string, InstanceRec>();
  readonly vnics = new Map<string, VnicRec>();
  readonly attachments = new Map<string, VnicAttachmentRec>();
  readonly privateIps = new Map<string, PrivateIpRec>();
  readonly workRequests = new Map<string, WorkRequestRec>();
  readonly streams = new Map<string, StreamRec>();
  readonly secrets = new Map<string, SecretRec>();
  /** subnetId → (address as integer → private IP OCID). */
  private readonly used = new Map<string, Map<number, string>>();

  constructor(readonly options: WorldOptions) {}

  get ids(): IdFactory {
    return this.options.ids;
  }
  get clock(): ScaledClock {
    return this.options.clock;
  }
  get latency(): LatencyProfile {
    return this.options.latency;
  }
  get tenancyId(): string {
    return this.options.tenancyId;
  }
  get region(): string {
    return this.options.region;
  }
  get secondaryIpsPerVnic(): number {
    return this.options.secondaryIpsPerVnic;
  }
  get subnetUpdatingMs(): number {
    return this.options.subnetUpdatingMs;
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  emit(event: OciEventEnvelope): void {
    this.options.emit(event);
  }

  /** `EMU:US-ASHBURN-AD-2` for 2, a name passes through, null/undefined → null. */
  adName(ad: string | number | null | undefined): string | null {
    if (ad === null || ad === undefined) return null;
    if (typeof ad === "number" || /^\d+$/.test(ad))
      return `EMU:${this.region.toUpperCase().replace(/-\d+$/, "")}-AD-${ad}`;
    return ad;
  }

  // ---- compartments ---------------------------------------------------------------------------------------------

  compartmentName(id: string): string {
    return id === this.tenancyId ? "root" : (this.compartments.get(id)?.name ?? "unknown");
  }

  /** Resolves a compartment name path (`a:b`) or OCID; undefined when unknown. */
  resolveCompartment(ref: string): string | undefined {
    if (ref === this.tenancyId || this.compartments.has(ref)) return ref;
    let parent = this.tenancyId;
    for (const part of ref.split(":")) {
      const found = [...this.compartments.values()].find(
        (c) => c.parentId === parent && c.name.toLowerCase() === part.toLowerCase(),
      );
      if (!found) return undefined;
      parent = found.id;
    }
    return parent;
  }

  /** The compartment and its ancestors up to the tenancy. */
  lineage(compartmentId: string): string[] {
    const out: string[] = [];
    let cur: string | undefined = compartmentId;
    while (cur && !out.includes(cur)) {
      out.push(cur);
      if (cur === this.tenancyId) break;
      cur = this.compartments.get(cur)?.parentId ?? this.tenancyId;
    }
    return out;
  }

  /** The compartment a spec refers to; defaults to the first compartment created (or the tenancy). */
  compartmentFor(ref: string | undefined): string {
    if (ref === undefined) return this.compartments.values().next().value?.id ?? this.tenancyId;
    const id = this.resolveCompartment(ref);
    if (!id) throw new Error(`unknown compartment ${ref}`);
    return id;
  }

  addCompartment(spec: { id?: string; name: string; parent?: string }): CompartmentRec {
    const parentId = spec.parent ? this.compartmentFor(spec.parent) : this.tenancyId;
    const rec: CompartmentRec = { id: spec.id ?? this.ids.next("compartment", false), name: spec.name, parentId };
    this.compartments.set(rec.id, rec);
    return rec;
  }

  // ---- networking objects ---------------------------------------------------------------------------------------

  private byRef<T extends { id: string; displayName?: string; name?: string }>(
    map: Map<string, T>,
    ref: string,
    kind: string,
  ): T {
    const direct = map.get(ref);
    if (direct) return direct;
    const found = [...map.values()].find((r) => r.displayName === ref || r.name === ref);
    if (!found) throw new Error(`unknown ${kind} ${ref}`);
    return found;
  }
  vcnRef(ref: string): VcnRec {
    return this.byRef(this.vcns, ref, "VCN");
  }
  subnetRef(ref: string): SubnetRec {
    return this.byRef(this.subnets, ref, "subnet");
  }
  nsgRef(ref: string): NsgRec {
    return this.byRef(this.nsgs, ref, "NSG");
  }
  instanceRef(ref: string): InstanceRec {
    return this.byRef(this.instances, ref, "instance");
  }
  streamRef(ref: string): StreamRec {
    return this.byRef(this.streams, ref, "stream");
  }

  addVcn(spec: {
    id?: string;
    name: string;
    cidrBlock: string;
    compartment?: string;
    dnsLabel?: string;
    freeformTags?: Tags;
  }): VcnRec {
    parseCidr(spec.cidrBlock);
    const rec: VcnRec = {
      id: spec.id ?? this.ids.next("vcn"),
      compartmentId: this.compartmentFor(spec.compartment),
      cidrBlock: spec.cidrBlock,
      displayName: spec.name,
      dnsLabel: spec.dnsLabel,
      freeformTags: { ...(spec.freeformTags ?? {}) },
      lifecycleState: "AVAILABLE",
      timeCreated: this.nowIso(),
    };
    this.vcns.set(rec.id, rec);
    return rec;
  }

  /**
   * Adds a subnet; each of its CIDR blocks must lie inside the VCN and overlap no other block of the VCN's subnets
   * (OCI rules). `ipv4CidrBlocks` lists every block (`cidrBlock` first; "ipv4CidrBlocks: The list of all IPv4 CIDR
   * blocks for the subnet that meets the following criteria…", core/lib/model/subnet.d.ts).
   */
  addSubnet(spec: {
    id?: string;
    name: string;
    vcn: string;
    cidrBlock: string;
    ipv4CidrBlocks?: string[];
    availabilityDomain?: string | number | null;
    compartment?: string;
    dnsLabel?: string;
    freeformTags?: Tags;
    prohibitPublicIpOnVnic?: boolean;
  }): SubnetRec {
    const vcn = this.vcnRef(spec.vcn);
    const blocks = [spec.cidrBlock, ...(spec.ipv4CidrBlocks ?? []).filter((b) => b !== spec.cidrBlock)];
    const cidr = parseCidr(spec.cidrBlock);
    const vcnCidr = parseCidr(vcn.cidrBlock);
    const parsed = blocks.map((b) => ({ text: b, cidr: parseCidr(b) }));
    for (const b of parsed) {
      if (!within(vcnCidr, b.cidr)) throw new Error(`subnet block ${b.text} is not inside VCN ${vcn.cidrBlock}`);
      if (b.cidr.prefix < 16 || b.cidr.prefix > 30) {
        throw new Error(`OCI IPv4 subnets are /16 to /30, not /${b.cidr.prefix}`);
      }
    }
    const taken = [...this.subnets.values()]
      .filter((o) => o.vcnId === vcn.id)
      .flatMap((o) => o.ipv4CidrBlocks.map((text) => ({ text, cidr: parseCidr(text), owner: o.displayName })));
    for (const [i, b] of parsed.entries()) {
      const earlier = parsed.slice(0, i).map((p) => ({ ...p, owner: spec.name }));
      const clash = [...taken, ...earlier].find((t) => overlaps(t.cidr, b.cidr));
      if (clash) throw new Error(`subnet block ${b.text} overlaps ${clash.owner} (${clash.text})`);
    }
    const rec: SubnetRec = {
      id: spec.id ?? this.ids.next("subnet"),
      compartmentId: spec.compartment ? this.compartmentFor(spec.compartment) : vcn.compartmentId,
      vcnId: vcn.id,
      cidrBlock: spec.cidrBlock,
      ipv4CidrBlocks: blocks,
      availabilityDomain: this.adName(spec.availabilityDomain),
      displayName: spec.name,
      dnsLabel: spec.dnsLabel,
      freeformTags: { ...(spec.freeformTags ?? {}) },
      prohibitPublicIpOnVnic: spec.prohibitPublicIpOnVnic ?? true,
      routeTableId: `${vcn.id.replace("ocid1.vcn.", "ocid1.routetable.")}default`,
      virtualRouterIp: virtualRouterIp(cidr),
      virtualRouterMac: "00:00:17:00:00:01",
      lifecycleState: "AVAILABLE",
      timeCreated: this.nowIso(),
    };
    this.subnets.set(rec.id, rec);
    this.used.set(rec.id, new Map());
    return rec;
  }

  addNsg(spec: { id?: string; name: string; vcn: string; compartment?: string; freeformTags?: Tags }): NsgRec {
    const vcn = this.vcnRef(spec.vcn);
    const rec: NsgRec = {
      id: spec.id ?? this.ids.next("networksecuritygroup"),
      compartmentId: spec.compartment ? this.compartmentFor(spec.compartment) : vcn.compartmentId,
      vcnId: vcn.id,
      displayName: spec.name,
      freeformTags: { ...(spec.freeformTags ?? {}) },
      lifecycleState: "AVAILABLE",
      timeCreated: this.nowIso(),
    };
    this.nsgs.set(rec.id, rec);
    return rec;
  }

  /** A Vault secret holding `content` (the plain value; stored base64 as the Secrets API returns it). */
  addSecret(spec: { id?: string; name: string; content: string; compartment?: string }): SecretRec {
    const rec: SecretRec = {
      id: spec.id ?? this.ids.next("vaultsecret"),
      name: spec.name,
      compartmentId: this.compartmentFor(spec.compartment),
      vaultId: this.ids.next("vault"),
      versionNumber: 1,
      content: Buffer.from(spec.content, "utf8").toString("base64"),
      timeCreated: this.nowIso(),
    };
    this.secrets.set(rec.id, rec);
    return rec;
  }

  addStream(spec: {
    id?: string;
    name: string;
    partitions?: number;
    compartment?: string;
    freeformTags?: Tags;
  }): StreamRec {
    const partitions = spec.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new Error(`a stream needs at least 1 partition, not ${partitions}`);
    const rec: StreamRec = {
      id: spec.id ?? this.ids.next("stream"),
      name: spec.name,
      compartmentId: this.compartmentFor(spec.compartment),
      partitions,
      retentionInHours: 24,
      lifecycleState: "ACTIVE",
      timeCreated: this.nowIso(),
      freeformTags: { ...(spec.freeformTags ?? {}) },
      _log: Array.from({ length: partitions }, () => []),
      _roundRobin: 0,
    };
    this.streams.set(rec.id, rec);
    return rec;
  }

  // ---- addresses ------------------------------------------------------------------------------------------------

  /** The subnet's IPv4 CIDR blocks, `cidrBlock` first. */
  blocksOf(subnet: SubnetRec): Cidr[] {
    return subnet.ipv4CidrBlocks.map(parseCidr);
  }

  /** The subnet's blocks, or only `fromBlock` (400 InvalidParameter when the subnet has no such block). */
  private blocksIn(subnet: SubnetRec, fromBlock: string | undefined): Cidr[] {
    if (fromBlock === undefined) return this.blocksOf(subnet);
    if (!subnet.ipv4CidrBlocks.includes(fromBlock)) {
      const list = subnet.ipv4CidrBlocks.join(", ");
      throw invalidParameter(`${fromBlock} is not one of the subnet's IPv4 CIDR blocks (${list})`);
    }
    return [parseCidr(fromBlock)];
  }

  /** Assignable addresses of a subnet still free: over every block, size − 3 reserved, minus addresses held. */
  freeCount(subnetId: string): number {
    const subnet = this.subnets.get(subnetId)!;
    const capacity = this.blocksOf(subnet).reduce((n, b) => n + assignableCount(b), 0);
    return capacity - (this.used.get(subnetId)?.size ?? 0);
  }

  /** Address (integer) → OCID of the private IP holding it; an IP CIDR address holds every address of its block. */
  usedAddresses(subnetId: string): Map<number, string> {
    return this.used.get(subnetId) ?? new Map();
  }

  /**
   * Picks the address for a new private IP: the requested one after checking it (inside one of the subnet's blocks,
   * not reserved, not taken) or else the lowest free assignable address, block by block in `ipv4CidrBlocks` order, so
   * every block is drawn from once the earlier ones are full; `fromBlock`
   * (CreatePrivateIpDetails.ipv4SubnetCidrAtCreation "Any one of the IPv4 CIDRs allocated to the subnet",
   * CreateVnicDetails.subnetCidr) limits both to that block. Error codes are the emulator's choices where OCI
   * documents none (README "Error codes"): a bad address is 400 InvalidParameter; a taken address or a full subnet
   * is 409 Conflict ("The requested state for the resource conflicts with its current state. This state is not
   * transient.", apierrors.htm), since neither goes away by retrying.
   */
  pickAddress(subnet: SubnetRec, requested?: string, fromBlock?: string): number {
    const blocks = this.blocksIn(subnet, fromBlock);
    const used = this.usedAddresses(subnet.id);
    const list = fromBlock ?? subnet.ipv4CidrBlocks.join(", ");
    if (requested !== undefined) {
      const ip = parseRequested(requested);
      const block = blocks.find((b) => contains(b, ip));
      if (!block) throw invalidParameter(`ipAddress ${requested} is not within the subnet's CIDR blocks (${list})`);
      if (isReserved(block, ip)) {
        throw invalidParameter(`ipAddress ${requested} is reserved in subnet block ${formatCidr(block)}`);
      }
      if (used.has(ip)) throw conflict(`IP address ${requested} is already assigned in subnet ${subnet.id}`);
      return ip;
    }
    for (const b of blocks) for (let ip = b.base + 2; ip < b.base + b.size - 1; ip++) if (!used.has(ip)) return ip;
    throw conflict(`Subnet ${subnet.id} (${list}) has no available IP addresses`);
  }

  /**
   * Checks an IP CIDR address `ipAddress/prefix` ("The CIDR range created by this combination must be within the
   * subnet's CIDR and the CIDR range should not collide with any existing IPv4 address allocation",
   * CreatePrivateIpDetails.cidrPrefixLength, core/lib/model/create-private-ip-details.d.ts) and returns its block.
   * Misaligned, outside every block or covering a reserved address: 400 InvalidParameter; overlapping a held
   * address (single or block): 409 Conflict (README "Error codes").
   */
  pickBlock(subnet: SubnetRec, requested: string, prefix: number, fromBlock?: string): Cidr {
    const ip = parseRequested(requested);
    const wanted = blockOf(ip, prefix);
    if (ip % wanted.size !== 0) {
      const first = intToIp(ip - (ip % wanted.size));
      throw invalidParameter(`ipAddress ${requested} does not start a /${prefix} block (the block starts at ${first})`);
    }
    const text = `${requested}/${prefix}`;
    const block = this.blocksIn(subnet, fromBlock).find((b) => within(b, wanted));
    if (!block) {
      const list = fromBlock ?? subnet.ipv4CidrBlocks.join(", ");
      throw invalidParameter(`${text} is not within one of the subnet's CIDR blocks (${list})`);
    }
    if (coversReserved(block, wanted)) throw invalidParameter(`${text} covers an address the subnet reserves`);
    const used = this.usedAddresses(subnet.id);
    for (let a = wanted.base; a < wanted.base + wanted.size; a++) {
      if (used.has(a)) throw conflict(`${text} collides with ${intToIp(a)}, already allocated to ${used.get(a)}`);
    }
    return wanted;
  }

  /** Records a private IP (its address or block must come from pickAddress / pickBlock). */
  addPrivateIp(rec: PrivateIpRec): void {
    this.privateIps.set(rec.id, rec);
    const used = this.usedAddresses(rec.subnetId);
    for (let a = rec._int; a < rec._int + rec._size; a++) used.set(a, rec.id);
  }

  /** Deletes a private IP; an IP CIDR address frees its whole block. */
  removePrivateIp(id: string): void {
    const rec = this.privateIps.get(id);
    if (!rec) return;
    this.privateIps.delete(id);
    const used = this.usedAddresses(rec.subnetId);
    for (let a = rec._int; a < rec._int + rec._size; a++) used.delete(a);
  }

  /** Private IPs of a VNIC, primary first then by address. */
  ipsOfVnic(vnicId: string): PrivateIpRec[] {
    return [...this.privateIps.values()]
      .filter((p) => p.vnicId === vnicId)
      .sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary) || a._int - b._int);
  }

  primaryIpOf(vnicId: string): PrivateIpRec | undefined {
    return [...this.privateIps.values()].find((p) => p.vnicId === vnicId && p.isPrimary);
  }

  makePrivateIp(
    vnic: VnicRec,
    subnet: SubnetRec,
    ip: number,
    fields: {
      isPrimary: boolean;
      cidrPrefixLength?: number;
      displayName?: string;
      hostnameLabel?: string;
      freeformTags?: Tags;
      definedTags?: Record<string, Record<string, unknown>>;
    },
  ): PrivateIpRec {
    const prefix = fields.cidrPrefixLength;
    return {
      id: this.ids.next("privateip"),
      ipAddress: intToIp(ip),
      vnicId: vnic.id,
      subnetId: subnet.id,
      compartmentId: vnic.compartmentId,
      // "null if this is a secondary private IP assigned to a VNIC that is in a regional subnet" (private-ip.ts)
      availabilityDomain: fields.isPrimary ? vnic.availabilityDomain : subnet.availabilityDomain,
      displayName: fields.displayName ?? (fields.isPrimary ? "Primary IP" : intToIp(ip)),
      hostnameLabel: fields.hostnameLabel,
      isPrimary: fields.isPrimary,
      ...(prefix !== undefined ? { cidrPrefixLength: prefix } : {}),
      freeformTags: { ...(fields.freeformTags ?? {}) },
      definedTags: structuredClone(fields.definedTags ?? {}),
      timeCreated: this.nowIso(),
      _int: ip,
      _size: prefix !== undefined ? 2 ** (32 - prefix) : 1,
    };
  }

  /** Throws the standard 404 for an unknown OCID in a path. */
  static mustExist<T>(value: T | undefined, what: string): T {
    if (value === undefined) {
      throw new OciServiceError(
        404,
        "NotAuthorizedOrNotFound",
        `Authorization failed or requested resource not found: ${what}`,
      );
    }
    return value;
  }
}

function parseRequested(requested: string): number {
  try {
    return ipToInt(requested);
  } catch {
    throw invalidParameter(`ipAddress ${requested} is not a valid IPv4 address`);
  }
}
