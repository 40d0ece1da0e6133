/**
 * Event contracts of cilium-oci-ipam: our nudge (CloudEvents 1.0), Connector Hub batches of stream messages, and
 * OCI Events compute instance envelopes (CloudEvents 0.1). See events/README.md.
 */
export * from "./errors";
export * from "./limits";
export * from "./types";
export {
  createEventValidators,
  defaultEventValidators,
  SCHEMA_IDS,
  type EventValidators,
  type OciEventEnvelope,
} from "./validators";
export {
  buildNudge,
  encodeNudgeForStream,
  decodeNudge,
  type NudgeInput,
  type NudgeBuildOptions,
  type NudgeDecodeOptions,
} from "./nudge";
export { decodeOciEvent, isSupportedOciEventType, type OciEventDecodeOptions } from "./oci-event";
export { decodeEvent, type DecodedEvent } from "./event";
export { decodeStreamMessage, positionOf } from "./stream-message";
export { decodeBase64Strict, decodeUtf8Strict } from "./codec";
export {
  createInvocationDecoder,
  decodeInvocationBody,
  type InvocationDecoder,
  type InvocationDecoderOptions,
} from "./invocation";
