import { decodeBase64Strict, decodeUtf8Strict, isJsonObject, parseJson } from "./codec";
import { type Decoded, fail, ok } from "./errors";
import { type DecodedEvent, decodeEvent } from "./event";
import { base64Length, OCI_EVENT_MAX_BYTES, STREAM_KEY_MAX_BYTES } from "./limits";
import type { RecordPosition } from "./types";
import { type EventValidators, schemaViolation } from "./validators";

/**
 * Reads a message's stream position without trusting it, so even a rejected record can be found again in the
 * stream (offset and partition appear in the rejection when they have the right type).
 */
export function positionOf(message: unknown, index: number): RecordPosition {
  const position: RecordPosition = { index };
  if (!isJsonObject(message)) return position;
  const { offset, partition } = message;
  if (typeof offset === "number" && Number.isSafeInteger(offset) && offset >= 0) position.offset = offset;
  if (typeof partition === "string" && partition.length <= 64) position.partition = partition;
  else if (typeof partition === "number" && Number.isSafeInteger(partition) && partition >= 0)
    position.partition = String(partition);
  return position;
}

/**
 * Decodes one Connector Hub message: schema of the message, key (base64 → UTF-8, ≤ 256 bytes), value (size cap
 * checked on the base64 length before decoding anything, then strict base64 → UTF-8 → JSON → nudge or OCI event),
 * and for nudges key = subject (the key chose the partition: a mismatch means the producer broke per-node ordering).
 * Errors about the decoded event carry fields under /value (e.g. /value/subject). Never throws.
 */
export function decodeStreamMessage(message: unknown, validators: EventValidators): Decoded<DecodedEvent> {
  if (!isJsonObject(message)) return fail("SchemaViolation", "", "(root) stream message must be a JSON object");
  if (!validators.connectorHubMessage(message))
    return { ok: false, error: schemaViolation(validators.connectorHubMessage.errors) };

  let key: string | undefined;
  if (typeof message.key === "string") {
    if (message.key.length > base64Length(STREAM_KEY_MAX_BYTES)) {
      return fail("Oversize", "/key", `/key is longer than the ${STREAM_KEY_MAX_BYTES}-byte stream key limit`);
    }
    const bytes = decodeBase64Strict(message.key, "/key");
    if (!bytes.ok) return bytes;
    if (bytes.value.length > STREAM_KEY_MAX_BYTES) {
      return fail("Oversize", "/key", `/key is longer than the ${STREAM_KEY_MAX_BYTES}-byte stream key limit`);
    }
    const text = decodeUtf8Strict(bytes.value, "/key");
    if (!text.ok) return text;
    key = text.value;
  }

  // Refuse before decoding: a hostile 1 MB value costs nothing beyond this length check.
  if (message.value.length > base64Length(OCI_EVENT_MAX_BYTES)) {
    return fail("Oversize", "/value", `/value is over the ${OCI_EVENT_MAX_BYTES}-byte event cap`);
  }
  const bytes = decodeBase64Strict(message.value, "/value");
  if (!bytes.ok) return bytes;
  const text = decodeUtf8Strict(bytes.value, "/value");
  if (!text.ok) return text;
  const json = parseJson(text.value, "/value");
  if (!json.ok) return json;

  const event = decodeEvent(json.value, validators, bytes.value.length);
  if (!event.ok) return { ok: false, error: event.error.under("/value") };
  if (event.value.kind === "instance-event") {
    // OCI Events deliver instance events to the function directly (the Events rule's action); the stream carries only
    // the watcher's nudges, and anything with the instance principal of a node can write to it.
    return fail(
      "UntrustedSource",
      "/value",
      "/value is an OCI Events envelope: instance events are accepted only from the Events rule, never from the stream",
    );
  }
  if (
    key !== undefined &&
    (event.value.kind === "nudge" || event.value.kind === "cluster") &&
    key !== event.value.nudge.subject
  ) {
    return fail("KeyMismatch", "/key", "/key does not equal the nudge's subject (the stream key must be the subject)");
  }
  return ok(event.value);
}
