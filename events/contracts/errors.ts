import { OcipamError } from "../../lib/errors";

/**
 * Stable codes for why an event or record was refused. They appear in logs and in `RejectedRecord.reason`;
 * dashboards and tests match on them, so never rename one.
 */
export const REJECT_REASONS = [
  /** The body or a decoded value is not JSON. */
  "InvalidJson",
  /** A stream key or value is not canonical, padded RFC 4648 base64. */
  "InvalidBase64",
  /** Decoded bytes are not valid UTF-8. */
  "InvalidUtf8",
  /** JSON that does not match its schema (missing field, wrong type, bad pattern, not an event at all). */
  "SchemaViolation",
  /** A well-formed event of a type this allocator does not handle. */
  "UnsupportedEventType",
  /** The stream key differs from the nudge's subject (the key decides the partition, hence ordering). */
  "KeyMismatch",
  /**
   * An OCI Events envelope inside a stream batch. Instance events reach the function from the Events rule only: any
   * pod that reaches the instance metadata service can put messages on the stream, so an instance event found there is
   * a forgery, never acted on.
   */
  "UntrustedSource",
  /** Over a size cap (bytes of one event, bytes of a key, or records in one invocation). */
  "Oversize",
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * A decoder's typed error: which rule was broken (`reason`), where (`field`, a JSON pointer into the value
 * being decoded; "" is the value itself) and a message for humans. Messages never echo the offending value,
 * so a hostile payload cannot inject text into logs.
 */
export class EventContractError extends OcipamError {
  declare readonly reason: RejectReason;
  readonly field: string;
  constructor(reason: RejectReason, field: string, message: string, options?: { cause?: unknown }) {
    super(reason, message, { field }, options);
    this.field = field;
  }

  /** The same error with `prefix` put in front of its field, used when an event sits inside a stream record. */
  under(prefix: string): EventContractError {
    return new EventContractError(this.reason, prefix + this.field, this.message, { cause: this.cause });
  }
}

/** A decoder's answer: the typed value, or the typed error that names the bad field. Decoders never throw. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: EventContractError };

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function fail<T>(reason: RejectReason, field: string, message: string, cause?: unknown): Decoded<T> {
  return {
    ok: false,
    error: new EventContractError(reason, field, message, cause === undefined ? undefined : { cause }),
  };
}
