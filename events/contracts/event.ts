import { isJsonObject } from "./codec";
import { type Decoded, fail, ok } from "./errors";
import { decodeNudge } from "./nudge";
import { decodeOciEvent } from "./oci-event";
import type { DecodedRecord, Nudge } from "./types";
import type { EventValidators } from "./validators";

/** A decoded event before it is placed in an invocation (no index/offset yet). */
export type DecodedEvent = DistributiveOmit<DecodedRecord, "index" | "offset" | "partition">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Recognizes which contract a parsed JSON value follows and decodes it: `specversion` → our nudge (CloudEvents
 * 1.0), `cloudEventsVersion` → an OCI Events envelope (CloudEvents 0.1). Anything else is a SchemaViolation at "".
 * `encodedBytes` is the size of the JSON text when known (stream values), for the size caps.
 */
export function decodeEvent(value: unknown, validators: EventValidators, encodedBytes?: number): Decoded<DecodedEvent> {
  if (!isJsonObject(value))
    return fail("SchemaViolation", "", "(root) must be a JSON object (a nudge or an OCI Events envelope)");
  if ("specversion" in value) {
    const decoded = decodeNudge(value, { validators, encodedBytes });
    return decoded.ok ? ok(fromNudge(decoded.value)) : decoded;
  }
  if ("cloudEventsVersion" in value) {
    const decoded = decodeOciEvent(value, { validators, encodedBytes });
    return decoded.ok ? ok({ kind: "instance-event", ...decoded.value }) : decoded;
  }
  return fail(
    "SchemaViolation",
    "",
    "(root) is neither a CloudEvents 1.0 nudge (no specversion) nor an OCI Events envelope (no cloudEventsVersion)",
  );
}

function fromNudge(nudge: Nudge): DecodedEvent {
  if (nudge.type === "io.ocipam.cluster.collect-leaks") {
    return { kind: "cluster", type: nudge.type, cluster: nudge.data.cluster, nudge };
  }
  return { kind: "nudge", node: nudge.data.node, type: nudge.type, nudge };
}
