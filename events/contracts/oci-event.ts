import { jsonByteLength } from "./codec";
import { type Decoded, fail, ok } from "./errors";
import { OCI_EVENT_MAX_BYTES } from "./limits";
import { type InstanceEvent, SUPPORTED_OCI_EVENT_TYPES, type SupportedOciEventType } from "./types";
import { defaultEventValidators, type EventValidators, schemaViolation } from "./validators";

export interface OciEventDecodeOptions {
  validators?: EventValidators;
  /** UTF-8 size of the JSON the value came from, when known; otherwise it is measured by re-serializing. */
  encodedBytes?: number;
}

const EVENT_SHAPE: Record<SupportedOciEventType, Pick<InstanceEvent, "action" | "phase">> = {
  "com.oraclecloud.computeapi.launchinstance.begin": { action: "launch", phase: "begin" },
  "com.oraclecloud.computeapi.launchinstance.end": { action: "launch", phase: "end" },
  "com.oraclecloud.computeapi.terminateinstance.begin": { action: "terminate", phase: "begin" },
  "com.oraclecloud.computeapi.terminateinstance.end": { action: "terminate", phase: "end" },
};

/**
 * Decodes an OCI Events envelope (CloudEvents 0.1) into an {@link InstanceEvent}. Order matters: first the generic
 * envelope (so a malformed event is a SchemaViolation whatever its type), then the type (another service's event is
 * UnsupportedEventType at /eventType, not a crash), then the compute instance schema (instance OCID prefix, compartment
 * OCID). Never throws.
 */
export function decodeOciEvent(value: unknown, options: OciEventDecodeOptions = {}): Decoded<InstanceEvent> {
  const size = options.encodedBytes === undefined ? jsonByteLength(value) : ok(options.encodedBytes);
  if (!size.ok) return size;
  const bytes = size.value;
  if (bytes > OCI_EVENT_MAX_BYTES) {
    return fail("Oversize", "", `event is ${bytes} bytes, over the ${OCI_EVENT_MAX_BYTES}-byte cap`);
  }
  const validators = options.validators ?? defaultEventValidators();
  if (!validators.ociEventEnvelope(value))
    return { ok: false, error: schemaViolation(validators.ociEventEnvelope.errors) };
  if (!isSupportedOciEventType(value.eventType)) {
    return fail(
      "UnsupportedEventType",
      "/eventType",
      "/eventType is not a compute launchinstance/terminateinstance event",
    );
  }
  if (!validators.ociComputeInstanceEvent(value)) {
    return { ok: false, error: schemaViolation(validators.ociComputeInstanceEvent.errors) };
  }
  const { data } = value;
  return ok({
    instanceId: data.resourceId,
    eventType: value.eventType,
    ...EVENT_SHAPE[value.eventType],
    compartmentId: data.compartmentId,
    eventId: value.eventID,
    eventTime: value.eventTime,
    ...(data.resourceName !== undefined && { resourceName: data.resourceName }),
    ...(data.availabilityDomain !== undefined && { availabilityDomain: data.availabilityDomain }),
    freeformTags: { ...(data.freeformTags ?? data.freeFormTags ?? {}) },
    definedTags: { ...(data.definedTags ?? {}) },
  });
}

/** True for the event types {@link decodeOciEvent} turns into records. */
export function isSupportedOciEventType(type: string): type is SupportedOciEventType {
  return (SUPPORTED_OCI_EVENT_TYPES as readonly string[]).includes(type);
}
