import { randomUUID } from "node:crypto";
import { jsonByteLength } from "./codec";
import { type Decoded, EventContractError, fail, ok } from "./errors";
import { NUDGE_MAX_BYTES } from "./limits";
import {
  CLUSTER_NUDGE_TYPE,
  type ClusterNudge,
  type NodeNudge,
  type NodeNudgeReason,
  type Nudge,
  NUDGE_TYPES,
  type NudgeType,
  type ObservedCounts,
  type StreamEntry,
} from "./types";
import { defaultEventValidators, type EventValidators, schemaViolation } from "./validators";

/** What the watcher knows when it decides a node (or the cluster) needs attention. */
export interface NudgeInput {
  type: NudgeType;
  /** Cluster name: goes into the default source and, for cluster events, into subject and data.cluster. */
  cluster: string;
  /** CiliumNode name: required for node types, ignored for the cluster type. */
  node?: string;
  uid?: string;
  resourceVersion?: string;
  observed?: ObservedCounts;
  /** Overrides the default source `/ocipam/watcher/<cluster>` (e.g. `/ocipam/cli/<cluster>`). */
  source?: string;
}

/** Injected clock and ID generator, so events are reproducible in tests. */
export interface NudgeBuildOptions {
  now?: () => Date;
  /** Must return a string unique per event (UUID or ULID); defaults to crypto.randomUUID. */
  idFactory?: () => string;
  validators?: EventValidators;
}

const REASON_BY_TYPE: Record<Exclude<NudgeType, typeof CLUSTER_NUDGE_TYPE>, NodeNudgeReason> = {
  "io.ocipam.node.needs-addresses": "needs-addresses",
  "io.ocipam.node.excess-addresses": "excess-addresses",
  "io.ocipam.node.resync": "resync",
};

/**
 * Builds a nudge and checks it against the schema and the size cap before anyone can publish it.
 * Throws EventContractError (naming the bad field, e.g. /subject for a bad node name) when the input cannot make
 * a valid event: a producer bug must fail loudly at the producer, not as a rejection in the function's logs.
 */
export function buildNudge(input: NudgeInput, options: NudgeBuildOptions = {}): Nudge {
  const now = options.now ?? (() => new Date());
  const idFactory = options.idFactory ?? randomUUID;
  const head = {
    specversion: "1.0" as const,
    id: idFactory(),
    source: input.source ?? `/ocipam/watcher/${input.cluster}`,
  };
  const tail = { time: now().toISOString(), datacontenttype: "application/json" as const };
  let nudge: Nudge;
  if (input.type === CLUSTER_NUDGE_TYPE) {
    nudge = {
      ...head,
      type: input.type,
      subject: input.cluster,
      ...tail,
      data: { cluster: input.cluster, reason: "collect-leaks" },
    } satisfies ClusterNudge;
  } else {
    const node = input.node ?? "";
    nudge = {
      ...head,
      type: input.type,
      subject: node,
      ...tail,
      data: {
        node,
        ...(input.uid !== undefined && { uid: input.uid }),
        ...(input.resourceVersion !== undefined && { resourceVersion: input.resourceVersion }),
        reason: REASON_BY_TYPE[input.type],
        ...(input.observed !== undefined && { observed: { ...input.observed } }),
      },
    } satisfies NodeNudge;
  }
  const checked = decodeNudge(nudge, { validators: options.validators });
  if (!checked.ok) throw checked.error;
  return checked.value;
}

/**
 * The Streaming PutMessages entry for a nudge: key = base64(subject), so every event about one node lands in one
 * partition and stays ordered; value = base64(UTF-8 JSON). The OCI SDK sends key and value as given, so they must
 * already be base64. Throws EventContractError (Oversize) past {@link NUDGE_MAX_BYTES}.
 */
export function encodeNudgeForStream(nudge: Nudge): StreamEntry {
  const json = Buffer.from(JSON.stringify(nudge), "utf8");
  if (json.length > NUDGE_MAX_BYTES) {
    throw new EventContractError("Oversize", "", `nudge is ${json.length} bytes, over the ${NUDGE_MAX_BYTES}-byte cap`);
  }
  return { key: Buffer.from(nudge.subject, "utf8").toString("base64"), value: json.toString("base64") };
}

export interface NudgeDecodeOptions {
  validators?: EventValidators;
  /** UTF-8 size of the JSON the value came from, when known; otherwise it is measured by re-serializing. */
  encodedBytes?: number;
}

/**
 * Checks that `value` is one of our nudges: size cap, known type (else UnsupportedEventType at /type), schema,
 * and subject = data.node (or data.cluster). Returns the typed nudge or the typed error; never throws.
 */
export function decodeNudge(value: unknown, options: NudgeDecodeOptions = {}): Decoded<Nudge> {
  const size = options.encodedBytes === undefined ? jsonByteLength(value) : ok(options.encodedBytes);
  if (!size.ok) return size;
  const bytes = size.value;
  if (bytes > NUDGE_MAX_BYTES) {
    return fail("Oversize", "", `nudge is ${bytes} bytes, over the ${NUDGE_MAX_BYTES}-byte cap`);
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type === "string" && (value as { specversion?: unknown }).specversion === "1.0" && !isNudgeType(type)) {
    return fail(
      "UnsupportedEventType",
      "/type",
      `/type is not an ocipam nudge type (expected one of ${NUDGE_TYPES.join(", ")})`,
    );
  }
  const validators = options.validators ?? defaultEventValidators();
  if (!validators.nudge(value)) return { ok: false, error: schemaViolation(validators.nudge.errors) };
  // JSON Schema cannot compare two fields; the subject is what the stream key must match, data names the object.
  if (value.type === CLUSTER_NUDGE_TYPE) {
    if (value.data.cluster !== value.subject)
      return fail("SchemaViolation", "/data/cluster", "/data/cluster must equal /subject");
  } else if (value.data.node !== value.subject) {
    return fail("SchemaViolation", "/data/node", "/data/node must equal /subject");
  }
  return ok(value);
}

function isNudgeType(type: string): type is NudgeType {
  return (NUDGE_TYPES as readonly string[]).includes(type);
}
