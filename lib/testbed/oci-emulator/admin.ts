import type { OciOperation } from "../../oci/permissions";
import type { Counters } from "./counters";
import type { OciEventEnvelope } from "./events";
import type { FaultSpec, Faults } from "./faults";
import type { OperationFamily } from "./operations";
import type { OciPipeline } from "./server";
import type { OciCredentials, PrincipalRegistry, PrincipalSpec } from "./principals";
import type { RetryTokens } from "./retry-tokens";
import type { BucketSpec, Throttle } from "./throttle";
import { activeAttachments, launchInstance, terminateInstance } from "./world/compute";
import { secondaryCount } from "./world/network";
import type { InstanceSpec, WorldSpec } from "./world/spec";
import {
  attachmentView,
  instanceView,
  nsgView,
  privateIpView,
  streamView,
  subnetView,
  vcnView,
  vnicView,
  workRequestView,
} from "./world/views";
import type { World } from "./world/world";

/** A plain-JSON picture of the whole world, for safety checks in tests (never shared with the world). */
export interface WorldSnapshot {
  tenancyId: string;
  region: string;
  compartments: Array<{ id: string; name: string; parentId: string }>;
  vcns: Record<string, unknown>[];
  subnets: Array<Record<string, unknown> & { id: string; freeAddresses: number }>;
  nsgs: Record<string, unknown>[];
  instances: Array<Record<string, unknown> & { id: string; activeVnicAttachments: number }>;
  /** Attachment views plus `assignedVnicId`, the VNIC even while ATTACHING (the API hides it until ATTACHED). */
  vnicAttachments: Array<Record<string, unknown> & { id: string; assignedVnicId: string }>;
  /** VNIC views plus `instanceId` and `secondaryIpCount`. */
  vnics: Array<Record<string, unknown> & { id: string; instanceId: string; secondaryIpCount: number }>;
  privateIps: Record<string, unknown>[];
  workRequests: Record<string, unknown>[];
  streams: Array<Record<string, unknown> & { messagesPerPartition: number[] }>;
}

export interface AdminParts {
  world: World;
  pipeline: OciPipeline;
  principals: PrincipalRegistry;
  counters: Counters;
  faults: Faults;
  throttle: Throttle;
  retryTokens: RetryTokens;
  recentEvents: () => OciEventEnvelope[];
  endpoint: () => string;
}

/**
 * The emulator's control surface outside OCI's API: seed and change the world, inject faults, set throttles, read
 * counters and snapshots. Exposed as `emulator.admin` and, for other processes, under `/_emulator/` (http-admin.ts).
 */
export class EmulatorAdmin {
  constructor(private readonly parts: AdminParts) {}

  /** Adds the objects of a world spec (compartments, VCNs, subnets, NSGs, instances RUNNING at once, streams). */
  seed(spec: WorldSpec): void {
    const w = this.parts.world;
    for (const c of spec.compartments ?? []) w.addCompartment(c);
    for (const v of spec.vcns ?? []) w.addVcn(v);
    for (const s of spec.subnets ?? []) w.addSubnet(s);
    for (const n of spec.nsgs ?? []) w.addNsg(n);
    for (const i of spec.instances ?? []) launchInstance(w, i, true);
    for (const s of spec.streams ?? []) w.addStream(s);
  }

  createCompartment(spec: { id?: string; name: string; parent?: string }): {
    id: string;
    name: string;
    parentId: string;
  } {
    return { ...this.parts.world.addCompartment(spec) };
  }
  createVcn(spec: NonNullable<WorldSpec["vcns"]>[number]): Record<string, unknown> {
    return vcnView(this.parts.world.addVcn(spec));
  }
  createSubnet(spec: NonNullable<WorldSpec["subnets"]>[number]): Record<string, unknown> {
    return subnetView(this.parts.world.addSubnet(spec));
  }
  createNsg(spec: NonNullable<WorldSpec["nsgs"]>[number]): Record<string, unknown> {
    return nsgView(this.parts.world.addNsg(spec));
  }
  /** Stores a Vault secret (its plain content) and returns its OCID, for GetSecretBundle. */
  createSecret(spec: { name: string; content: string; compartment?: string }): { id: string } {
    return { id: this.parts.world.addSecret(spec).id };
  }
  /**
   * A new version of a Vault secret becomes CURRENT, as Vault UpdateSecret with new content does (the token
   * rotation step of infra/README.md); GetSecretBundle then returns it.
   */
  addSecretVersion(secretId: string, content: string): { versionNumber: number } {
    const rec = this.parts.world.secrets.get(secretId);
    if (!rec) throw new Error(`no secret ${secretId}`);
    rec.versionNumber += 1;
    rec.content = Buffer.from(content, "utf8").toString("base64");
    return { versionNumber: rec.versionNumber };
  }

  createStream(spec: NonNullable<WorldSpec["streams"]>[number]): Record<string, unknown> {
    return streamView(this.parts.world.addStream(spec), this.parts.endpoint());
  }

  /**
   * Launches an instance as LaunchInstance would: PROVISIONING (launchinstance.begin), then RUNNING after the
   * modelled launch time (launchinstance.end). With `{ running: true }` it is RUNNING at once and emits nothing
   * (a seeded instance).
   */
  launchInstance(spec: InstanceSpec, options: { running?: boolean } = {}): Record<string, unknown> {
    return instanceView(launchInstance(this.parts.world, spec, options.running === true));
  }

  /** Terminates an instance (terminateinstance.begin now, .end when its VNICs and IPs are gone). */
  terminateInstance(instanceId: string): Record<string, unknown> {
    return instanceView(terminateInstance(this.parts.world, instanceId));
  }

  /** Registers another API key for a principal (groups / dynamic groups for IAM); returns its credentials. */
  addPrincipal(spec: PrincipalSpec): OciCredentials {
    return this.parts.principals.add(spec);
  }

  /** Replaces the IAM policy statements (throws on a statement that does not parse). */
  setPolicies(statements: readonly string[]): void {
    this.parts.pipeline.setPolicies(statements);
  }

  /** Turns IAM enforcement on or off. */
  setEnforceIam(enforce: boolean): void {
    this.parts.pipeline.iam.enforce = enforce;
  }

  /** Adds a fault; returns its id. */
  injectFault(spec: FaultSpec): number {
    return this.parts.faults.add(spec);
  }
  removeFault(id: number): void {
    this.parts.faults.remove(id);
  }
  clearFaults(): void {
    this.parts.faults.clear();
  }

  /** Sets (null: removes) a token bucket for an operation family or one operation. */
  setThrottle(target: OperationFamily | OciOperation, spec: BucketSpec | null): void {
    this.parts.throttle.set(target, spec);
  }
  clearThrottles(): void {
    this.parts.throttle.clear();
  }

  /** Calls per operation, e.g. `{ CreatePrivateIp: 3 }`. */
  counters(): Record<string, number> {
    return this.parts.counters.snapshot();
  }
  /** Calls per operation and HTTP status (0 = connection reset). */
  countersByStatus(): Record<string, Record<string, number>> {
    return this.parts.counters.byStatus();
  }
  /** Calls per signing principal (user OCID) and operation: whose calls they were, as the signatures say. */
  countersByPrincipal(): Record<string, Record<string, number>> {
    return this.parts.counters.byPrincipal();
  }
  resetCounters(): void {
    this.parts.counters.reset();
  }

  /** Forgets completed retry tokens, as if their 24 hours had passed. */
  expireRetryTokens(): void {
    this.parts.retryTokens.expireAll();
  }

  /** Events emitted so far (the last 1000). */
  events(): OciEventEnvelope[] {
    return this.parts.recentEvents();
  }

  snapshot(): WorldSnapshot {
    const w = this.parts.world;
    return {
      tenancyId: w.tenancyId,
      region: w.region,
      compartments: [...w.compartments.values()].map((c) => ({ ...c })),
      vcns: [...w.vcns.values()].map(vcnView),
      subnets: [...w.subnets.values()].map((s) => ({ ...subnetView(s), id: s.id, freeAddresses: w.freeCount(s.id) })),
      nsgs: [...w.nsgs.values()].map(nsgView),
      instances: [...w.instances.values()].map((i) => ({
        ...instanceView(i),
        id: i.id,
        activeVnicAttachments: activeAttachments(w, i.id).length,
      })),
      vnicAttachments: [...w.attachments.values()].map((a) => ({
        ...attachmentView(a),
        id: a.id,
        assignedVnicId: a._vnicId,
      })),
      vnics: [...w.vnics.values()].map((v) => ({
        ...vnicView(v, w.primaryIpOf(v.id)?.ipAddress),
        id: v.id,
        instanceId: v._instanceId,
        secondaryIpCount: secondaryCount(w, v.id),
      })),
      privateIps: [...w.privateIps.values()].sort((a, b) => a._int - b._int).map(privateIpView),
      workRequests: [...w.workRequests.values()].map(workRequestView),
      streams: [...w.streams.values()].map((s) => ({
        ...streamView(s, this.parts.endpoint()),
        messagesPerPartition: s._log.map((l) => l.length),
      })),
    };
  }
}
