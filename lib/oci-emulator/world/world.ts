import type { ScaledClock } from "../clock";
import type { OciEventEnvelope } from "../events";
import type { LatencyProfile } from "../latency";
import { OciServiceError, conflict, invalidParameter } from "../http/errors";
import { assignableCount, contains, intToIp, ipToInt, isReserved, overlaps, parseCidr, virtualRouterIp } from "./cidr";
import type { IdFactory } from "./ids";
import type {
  CompartmentRec,
  InstanceRec,
  NsgRec,
  PrivateIpRec,
  SecretRec, StreamRec,
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
  secondaryIpsPerVnic: number;
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

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  emit(event: OciEventEnvelope): void {
    this.options.emit(event);
  }

  /** `EMU:US-ASHBURN-AD-2` for 2, a name passes through, null/undefined → null. */
  adName(ad: string | number | null | undefined): string | null {
    if (ad === null || ad === undefined) return null;
    if (typeof ad === "number" || /^\d+$/.test(ad)) return `EMU:${this.region.toUpperCase().replace(/-\d+$/, "")}-AD-${ad}`;
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
      const found = [...this.compartments.values()].find((c) => c.parentId === parent && c.name.toLowerCase() === part.toLowerCase());
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

  private byRef<T extends { id: string; displayName?: string; name?: string }>(map: Map<string, T>, ref: string, kind: string): T {
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

  addVcn(spec: { id?: string; name: string; cidrBlock: string; compartment?: string; dnsLabel?: string; freeformTags?: Tags }): VcnRec {
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

  /** Adds a subnet; its CIDR must lie inside the VCN and not overlap another subnet of the VCN (OCI rules). */
  addSubnet(spec: {
    id?: string;
    name: string;
    vcn: string;
    cidrBlock: string;
    availabilityDomain?: string | number | null;
    compartment?: string;
    dnsLabel?: string;
    freeformTags?: Tags;
    prohibitPublicIpOnVnic?: boolean;
  }): SubnetRec {
    const vcn = this.vcnRef(spec.vcn);
    const cidr = parseCidr(spec.cidrBlock);
    const vcnCidr = parseCidr(vcn.cidrBlock);
    if (!(contains(vcnCidr, cidr.base) && contains(vcnCidr, cidr.base + cidr.size - 1))) {
      throw new Error(`subnet ${spec.cidrBlock} is not inside VCN ${vcn.cidrBlock}`);
    }
    if (cidr.prefix < 16 || cidr.prefix > 30) throw new Error(`OCI IPv4 subnets are /16 to /30, not /${cidr.prefix}`);
    for (const other of this.subnets.values()) {
      if (other.vcnId === vcn.id && overlaps(parseCidr(other.cidrBlock), cidr)) {
        throw new Error(`subnet ${spec.cidrBlock} overlaps ${other.displayName} (${other.cidrBlock})`);
      }
    }
    const rec: SubnetRec = {
      id: spec.id ?? this.ids.next("subnet"),
      compartmentId: spec.compartment ? this.compartmentFor(spec.compartment) : vcn.compartmentId,
      vcnId: vcn.id,
      cidrBlock: spec.cidrBlock,
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

  addStream(spec: { id?: string; name: string; partitions?: number; compartment?: string; freeformTags?: Tags }): StreamRec {
    const partitions = spec.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`a stream needs at least 1 partition, not ${partitions}`);
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

  /** Assignable addresses of a subnet still free (CIDR size − 3 reserved − used). */
  freeCount(subnetId: string): number {
    const subnet = this.subnets.get(subnetId)!;
    return assignableCount(parseCidr(subnet.cidrBlock)) - (this.used.get(subnetId)?.size ?? 0);
  }

  usedAddresses(subnetId: string): Map<number, string> {
    return this.used.get(subnetId) ?? new Map();
  }

  /**
   * Picks the address for a new private IP: the requested one after checking it (inside the subnet, not reserved,
   * not taken) or else the lowest free assignable address. Error codes are the emulator's choices where OCI documents
   * none (README "Error codes"): a bad address is 400 InvalidParameter; a taken address or a full subnet is
   * 409 Conflict ("The requested state for the resource conflicts with its current state. This state is not
   * transient.", apierrors.htm), since neither goes away by retrying.
   */
  pickAddress(subnet: SubnetRec, requested?: string): number {
    const cidr = parseCidr(subnet.cidrBlock);
    const used = this.usedAddresses(subnet.id);
    if (requested !== undefined) {
      let ip: number;
      try {
        ip = ipToInt(requested);
      } catch {
        throw invalidParameter(`ipAddress ${requested} is not a valid IPv4 address`);
      }
      if (!contains(cidr, ip)) throw invalidParameter(`ipAddress ${requested} is not within the subnet CIDR ${subnet.cidrBlock}`);
      if (isReserved(cidr, ip)) throw invalidParameter(`ipAddress ${requested} is reserved in subnet ${subnet.cidrBlock}`);
      if (used.has(ip)) throw conflict(`IP address ${requested} is already assigned in subnet ${subnet.id}`);
      return ip;
    }
    for (let ip = cidr.base + 2; ip < cidr.base + cidr.size - 1; ip++) if (!used.has(ip)) return ip;
    throw conflict(`Subnet ${subnet.id} (${subnet.cidrBlock}) has no available IP addresses`);
  }

  /** Records a private IP (its address must come from pickAddress). */
  addPrivateIp(rec: PrivateIpRec): void {
    this.privateIps.set(rec.id, rec);
    this.usedAddresses(rec.subnetId).set(rec._int, rec.id);
  }

  removePrivateIp(id: string): void {
    const rec = this.privateIps.get(id);
    if (!rec) return;
    this.privateIps.delete(id);
    this.usedAddresses(rec.subnetId).delete(rec._int);
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
    fields: { isPrimary: boolean; displayName?: string; hostnameLabel?: string; freeformTags?: Tags; definedTags?: Record<string, Record<string, unknown>> },
  ): PrivateIpRec {
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
      freeformTags: { ...(fields.freeformTags ?? {}) },
      definedTags: structuredClone(fields.definedTags ?? {}),
      timeCreated: this.nowIso(),
      _int: ip,
    };
  }

  /** Throws the standard 404 for an unknown OCID in a path. */
  static mustExist<T>(value: T | undefined, what: string): T {
    if (value === undefined) {
      throw new OciServiceError(404, "NotAuthorizedOrNotFound", `Authorization failed or requested resource not found: ${what}`);
    }
    return value;
  }
}
