import { createHash } from "node:crypto";
import type { IpamRecord, IpamRecordStatus, RecordOwner, VnicRecord } from "../../ports/kube";

/**
 * The project's own cluster-scoped resource, one per node: what the CiliumNode cannot hold (its schema prunes
 * unknown fields). `spec` says which instance the node is; `status` (written through /status) is the allocator's
 * last observation. Field names are the port's, camelCased, as the CRD
 * infra/kubernetes/crds/ociipamnodes.ocipam.io.yaml declares them.
 */
export const IPAM_RECORDS = { group: "ocipam.io", version: "v1alpha1", plural: "ociipamnodes" } as const;
export const IPAM_RECORD_KIND = "OciIpamNode";
export const IPAM_RECORD_API_VERSION = `${IPAM_RECORDS.group}/${IPAM_RECORDS.version}`;

type Json = Record<string, unknown>;

/**
 * The label that makes a record findable by the instance it claims. Label values are at most 63 characters
 * (kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set) and an instance OCID is
 * longer, so the value is a digest of the OCID; the OCID itself is in spec.instanceId.
 */
export const INSTANCE_LABEL = "ocipam.io/instance";
/** Nodes whose refused reconcile found this record claiming the instance they name (comma-separated). */
export const CONTENDERS_ANNOTATION = "ocipam.io/contenders";

export function instanceLabelValue(instanceId: string): string {
  return createHash("sha256").update(instanceId).digest("hex").slice(0, 40);
}

/** The ownerReference that lets Kubernetes' garbage collector delete a record with its Node. */
export function nodeOwnerReference(owner: RecordOwner): Json {
  return { apiVersion: "v1", kind: "Node", name: owner.name, uid: owner.uid };
}

function obj(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
function str(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}
function num(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
function strMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value) ?? {})) if (typeof v === "string") out[k] = v;
  return out;
}

const STATES = new Set(["Ready", "Allocating", "AtCapacity", "Error", "Pending", "Prewarmed"]);

function toVnic(value: unknown): VnicRecord | undefined {
  const v = obj(value);
  if (!v || typeof v.vnicId !== "string") return undefined;
  const out: VnicRecord = {
    vnicId: v.vnicId,
    attachmentId: str(v.attachmentId),
    index: num(v.index),
    isPrimary: v.isPrimary === true,
    subnetId: str(v.subnetId),
    lifecycleState: str(v.lifecycleState),
    ipCount: num(v.ipCount),
    poolIpCount: num(v.poolIpCount),
  };
  if (typeof v.macAddress === "string") out.macAddress = v.macAddress;
  if (typeof v.nicIndex === "number") out.nicIndex = v.nicIndex;
  if (typeof v.subnetCidr === "string") out.subnetCidr = v.subnetCidr;
  if (typeof v.virtualRouterIp === "string") out.virtualRouterIp = v.virtualRouterIp;
  return out;
}

/** Reads a status written by this allocator (or a partial one); missing fields get neutral values. */
export function toIpamRecordStatus(value: unknown): IpamRecordStatus | undefined {
  const s = obj(value);
  if (!s || typeof s.state !== "string") return undefined;
  const counts = obj(s.counts) ?? {};
  const status: IpamRecordStatus = {
    state: (STATES.has(s.state) ? s.state : "Error") as IpamRecordStatus["state"],
    reason: str(s.reason),
    message: str(s.message),
    lastReconcileTime: str(s.lastReconcileTime),
    counts: {
      available: num(counts.available),
      used: num(counts.used),
      needed: num(counts.needed),
      excess: num(counts.excess),
      maxAllocatable: num(counts.maxAllocatable),
      vnicsAttached: num(counts.vnicsAttached),
      vnicSlots: num(counts.vnicSlots),
    },
    vnics: (Array.isArray(s.vnics) ? s.vnics : []).map(toVnic).filter((v): v is VnicRecord => v !== undefined),
    release: { firstSeenExcess: strMap(obj(s.release)?.firstSeenExcess) },
  };
  if (typeof s.retryGeneration === "number") status.retryGeneration = num(s.retryGeneration);
  const allocating = obj(s.allocating);
  if (allocating && typeof allocating.attachmentId === "string")
    status.allocating = { attachmentId: allocating.attachmentId, since: str(allocating.since) };
  return status;
}

export function toIpamRecord(object: unknown): IpamRecord {
  const o = obj(object) ?? {};
  const meta = obj(o.metadata) ?? {};
  const name = str(meta.name);
  if (!name) throw new TypeError(`${IPAM_RECORD_KIND} without metadata.name`);
  const contenders = str(strMap(meta.annotations)[CONTENDERS_ANNOTATION]).split(",").filter(Boolean);
  const record: IpamRecord = { name, instanceId: str(obj(o.spec)?.instanceId), contenders };
  if (typeof meta.resourceVersion === "string") record.resourceVersion = meta.resourceVersion;
  const status = toIpamRecordStatus(o.status);
  if (status) record.status = status;
  return record;
}

/** The object to create for a node (status is ignored on create when the CRD has a status subresource). */
export function newIpamRecordObject(name: string, instanceId: string, owner?: RecordOwner): Json {
  const metadata: Json = {
    name,
    labels: { "app.kubernetes.io/managed-by": "ocipam", [INSTANCE_LABEL]: instanceLabelValue(instanceId) },
  };
  if (owner) metadata.ownerReferences = [nodeOwnerReference(owner)];
  return {
    apiVersion: IPAM_RECORD_API_VERSION,
    kind: IPAM_RECORD_KIND,
    metadata,
    spec: { instanceId, nodeName: name },
  };
}

/**
 * The status as JSON: a plain copy without undefined members (they would not survive JSON anyway, but an explicit
 * copy keeps fields the CRD does not declare out of the request).
 */
export function ipamRecordStatusJson(status: IpamRecordStatus): Json {
  const out: Json = {
    state: status.state,
    reason: status.reason,
    message: status.message,
    counts: { ...status.counts },
    vnics: status.vnics.map((v) => {
      const vnic: Json = {
        vnicId: v.vnicId,
        attachmentId: v.attachmentId,
        index: v.index,
        isPrimary: v.isPrimary,
        subnetId: v.subnetId,
        lifecycleState: v.lifecycleState,
        ipCount: v.ipCount,
        poolIpCount: v.poolIpCount,
      };
      if (v.macAddress !== undefined) vnic.macAddress = v.macAddress;
      if (v.nicIndex !== undefined) vnic.nicIndex = v.nicIndex;
      if (v.subnetCidr !== undefined) vnic.subnetCidr = v.subnetCidr;
      if (v.virtualRouterIp !== undefined) vnic.virtualRouterIp = v.virtualRouterIp;
      return vnic;
    }),
    release: { firstSeenExcess: { ...status.release.firstSeenExcess } },
  };
  if (status.retryGeneration !== undefined) out.retryGeneration = status.retryGeneration;
  // The CRD declares these `format: date-time`, which the API server validates: an empty string would make the
  // whole status write fail (422), so an unknown time is omitted instead (and reads back as "").
  if (status.lastReconcileTime) out.lastReconcileTime = status.lastReconcileTime;
  if (status.allocating)
    out.allocating = status.allocating.since
      ? { attachmentId: status.allocating.attachmentId, since: status.allocating.since }
      : { attachmentId: status.allocating.attachmentId };
  return out;
}
