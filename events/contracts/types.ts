import type { RejectReason } from "./errors";

/**
 * The typed values of the event contracts. The JSON Schemas in `events/schemas/` are the source of truth for
 * the wire format; these types describe what a successful decode hands back.
 */

/** Node-level nudge types: `subject` and `data.node` name a CiliumNode. */
export const NODE_NUDGE_TYPES = [
  "io.ocipam.node.needs-addresses",
  "io.ocipam.node.excess-addresses",
  "io.ocipam.node.resync",
] as const;
export type NodeNudgeType = (typeof NODE_NUDGE_TYPES)[number];

/** Cluster-level nudge type: `subject` and `data.cluster` name the cluster. */
export const CLUSTER_NUDGE_TYPE = "io.ocipam.cluster.collect-leaks";
export type ClusterNudgeType = typeof CLUSTER_NUDGE_TYPE;

export const NUDGE_TYPES = [...NODE_NUDGE_TYPES, CLUSTER_NUDGE_TYPE] as const;
export type NudgeType = NodeNudgeType | ClusterNudgeType;

/** `data.reason`: the short form of the type vocabulary. A hint; `type` is what the function acts on. */
export type NodeNudgeReason = "needs-addresses" | "excess-addresses" | "resync";
export type NudgeReason = NodeNudgeReason | "collect-leaks";

/** What the watcher saw when it emitted the nudge (hints; the function recomputes them). */
export interface ObservedCounts {
  /** len(spec.ipam.pool) */
  available: number;
  /** len(status.ipam.used) */
  used: number;
  /** Cilium's calculateNeededIPs */
  needed: number;
  /** Cilium's calculateExcessIPs */
  excess: number;
}

export interface NodeNudgeData {
  /** CiliumNode name; always equal to the event's subject. The only field the function relies on. */
  node: string;
  uid?: string;
  resourceVersion?: string;
  reason?: NodeNudgeReason;
  observed?: ObservedCounts;
}

export interface ClusterNudgeData {
  /** Cluster name; always equal to the event's subject. */
  cluster: string;
  reason?: "collect-leaks";
}

/** CloudEvents 1.0 context attributes shared by every nudge. */
export interface NudgeEnvelope {
  specversion: "1.0";
  id: string;
  source: string;
  /** RFC 3339 */
  time: string;
  subject: string;
  datacontenttype: "application/json";
}

export interface NodeNudge extends NudgeEnvelope {
  type: NodeNudgeType;
  data: NodeNudgeData;
}

export interface ClusterNudge extends NudgeEnvelope {
  type: ClusterNudgeType;
  data: ClusterNudgeData;
}

/** Our nudge, CloudEvents 1.0 structured JSON. Decoded nudges may also carry scalar extension attributes. */
export type Nudge = NodeNudge | ClusterNudge;

/** A message as Connector Hub delivers it (key and value still base64). */
export interface StreamMessage {
  stream: string;
  partition: string | number;
  key?: string | null;
  value: string;
  offset: number;
  timestamp?: string | number;
}

/** What `encodeNudgeForStream` produces: the entry for Streaming PutMessages (the SDK does not base64 for you). */
export interface StreamEntry {
  /** base64(UTF-8 subject): the node name, or the cluster name for cluster events. */
  key: string;
  /** base64(UTF-8 JSON of the nudge). */
  value: string;
}

/** The OCI Events types the allocator acts on. Any other eventType decodes as UnsupportedEventType. */
export const SUPPORTED_OCI_EVENT_TYPES = [
  "com.oraclecloud.computeapi.launchinstance.begin",
  "com.oraclecloud.computeapi.launchinstance.end",
  "com.oraclecloud.computeapi.terminateinstance.begin",
  "com.oraclecloud.computeapi.terminateinstance.end",
] as const;
export type SupportedOciEventType = (typeof SUPPORTED_OCI_EVENT_TYPES)[number];

/** An OCI Events envelope (CloudEvents 0.1) for a compute instance, as it arrives. */
export interface OciComputeInstanceEvent {
  cloudEventsVersion: "0.1";
  eventType: SupportedOciEventType;
  eventTypeVersion?: string;
  source: string;
  eventID: string;
  eventTime: string;
  contentType?: string;
  extensions?: { compartmentId?: string; [key: string]: unknown };
  data: {
    compartmentId: string;
    compartmentName?: string;
    resourceName?: string;
    resourceId: string;
    availabilityDomain?: string;
    freeformTags?: Record<string, string> | null;
    freeFormTags?: Record<string, string> | null;
    definedTags?: Record<string, Record<string, unknown>> | null;
    additionalDetails?: Record<string, unknown> | null;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The instance event reduced to what the allocator uses. */
export interface InstanceEvent {
  instanceId: string;
  eventType: SupportedOciEventType;
  action: "launch" | "terminate";
  phase: "begin" | "end";
  /** data.compartmentId: the instance's compartment (the function still checks it belongs to the cluster). */
  compartmentId: string;
  eventId: string;
  eventTime: string;
  resourceName?: string;
  availabilityDomain?: string;
  /** freeformTags or freeFormTags, whichever the event carried; {} when absent or null. */
  freeformTags: Record<string, string>;
  definedTags: Record<string, Record<string, unknown>>;
}

/** Where a record came from: its index in the invocation, and its stream position when it came from a batch. */
export interface RecordPosition {
  index: number;
  offset?: number;
  partition?: string;
}

/** One usable record of an invocation. */
export type DecodedRecord = RecordPosition &
  (
    | { kind: "nudge"; node: string; type: NodeNudgeType; nudge: NodeNudge }
    | { kind: "cluster"; type: ClusterNudgeType; cluster: string; nudge: ClusterNudge }
    | ({ kind: "instance-event" } & InstanceEvent)
  );

/** One refused record: logged with why, then skipped. */
export interface RejectedRecord extends RecordPosition {
  reason: RejectReason;
  /**
   * JSON pointer of the bad field in the record ("" = the record itself). Pointers under /value/ point into the decoded
   * value.
   */
  field: string;
  message: string;
}

/** Result of decoding one invocation body. Never thrown: bad input lands in `rejected`. */
export interface InvocationDecodeResult {
  records: DecodedRecord[];
  rejected: RejectedRecord[];
}
