import type { Log } from "../../lib/log";
import { ConfigError } from "../../lib/errors";
import { decodeUtf8Strict, isJsonObject, parseJson } from "./codec";
import { type Decoded, EventContractError, ok } from "./errors";
import { decodeEvent } from "./event";
import { DEFAULT_MAX_RECORDS } from "./limits";
import { decodeStreamMessage, positionOf } from "./stream-message";
import type { DecodedRecord, InvocationDecodeResult, RecordPosition, RejectedRecord } from "./types";
import { defaultEventValidators, type EventValidators } from "./validators";

export interface InvocationDecoderOptions {
  /** Records decoded per invocation; the rest are rejected as Oversize. Default {@link DEFAULT_MAX_RECORDS}. */
  maxRecords?: number;
  /** Defaults to the lazily compiled process-wide validators. */
  validators?: EventValidators;
  /** When given, every rejection is logged at warn with index, offset, partition, reason and field. */
  log?: Log;
}

/** Decodes function invocation bodies with fixed options (validated once, here). */
export interface InvocationDecoder {
  /**
   * Called by the function handler with the body fdk handed over (parsed JSON, or a string/Buffer when it was not
   * JSON). Accepts a Connector Hub batch (array), one nudge, or one OCI Events envelope. Never throws: every record
   * that cannot be used is in `rejected` with a stable reason and the JSON pointer of the bad field, and the good
   * records of the same batch are still returned, in input order.
   */
  decode(body: unknown): InvocationDecodeResult;
}

/** Builds an {@link InvocationDecoder}. Throws ConfigError when maxRecords is not a positive integer. */
export function createInvocationDecoder(options: InvocationDecoderOptions = {}): InvocationDecoder {
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
    throw new ConfigError("maxRecords", "must be a positive integer");
  }
  const log = options.log;
  return {
    decode(body: unknown): InvocationDecodeResult {
      const validators = options.validators ?? defaultEventValidators();
      const result = decodeBody(body, validators, maxRecords);
      if (log) {
        for (const r of result.rejected) {
          log.warn(
            { index: r.index, offset: r.offset, partition: r.partition, reason: r.reason, field: r.field },
            `event record rejected: ${r.message}`,
          );
        }
      }
      return result;
    },
  };
}

/** One-shot form of {@link createInvocationDecoder}(options).decode(body). */
export function decodeInvocationBody(body: unknown, options: InvocationDecoderOptions = {}): InvocationDecodeResult {
  return createInvocationDecoder(options).decode(body);
}

function decodeBody(body: unknown, validators: EventValidators, maxRecords: number): InvocationDecodeResult {
  const parsed = parseBody(body);
  if (!parsed.ok) return { records: [], rejected: [rejection({ index: 0 }, parsed.error)] };
  const value = parsed.value;

  if (Array.isArray(value)) {
    const records: DecodedRecord[] = [];
    const rejected: RejectedRecord[] = [];
    value.forEach((message: unknown, index) => {
      const position = positionOf(message, index);
      if (index >= maxRecords) {
        const error = new EventContractError(
          "Oversize",
          "",
          `record ${index} is over the cap of ${maxRecords} records per invocation`,
        );
        rejected.push(rejection(position, error));
        return;
      }
      const decoded = decodeSafely(() => decodeStreamMessage(message, validators));
      if (decoded.ok) records.push({ ...position, ...decoded.value });
      else rejected.push(rejection(position, decoded.error));
    });
    return { records, rejected };
  }

  if (!isJsonObject(value)) {
    const error = new EventContractError(
      "SchemaViolation",
      "",
      "(root) body must be a Connector Hub batch (array), a nudge or an OCI Events envelope",
    );
    return { records: [], rejected: [rejection({ index: 0 }, error)] };
  }
  const decoded = decodeSafely(() => decodeEvent(value, validators));
  return decoded.ok
    ? { records: [{ index: 0, ...decoded.value }], rejected: [] }
    : { records: [], rejected: [rejection({ index: 0 }, decoded.error)] };
}

/** fdk hands over parsed JSON, or a string (a Buffer in buffer mode) when the body was not JSON it could parse. */
function parseBody(body: unknown): Decoded<unknown> {
  let value = body;
  if (value instanceof Uint8Array) {
    const text = decodeUtf8Strict(value, "");
    if (!text.ok) return text;
    value = text.value;
  }
  if (typeof value === "string") return parseJson(value, "");
  return ok(value);
}

/**
 * Last line of defence for "bad input never crashes a batch": the decoders answer typed errors for every input we
 * know of; anything they throw anyway (a bug, or a value no JSON parser produces) becomes a rejection of that record
 * only, with the error kept as cause and its text in the message.
 */
function decodeSafely<T>(decode: () => Decoded<T>): Decoded<T> {
  try {
    return decode();
  } catch (cause) {
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : "a non-error value";
    return {
      ok: false,
      error: new EventContractError("SchemaViolation", "", `(root) could not be decoded (${what})`, { cause }),
    };
  }
}

function rejection(position: RecordPosition, error: EventContractError): RejectedRecord {
  return { ...position, reason: error.reason, field: error.field, message: error.message };
}
