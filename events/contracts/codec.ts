import { type Decoded, fail, ok } from "./errors";

// RFC 4648 §4 alphabet, padded to a multiple of 4. No whitespace, no URL-safe alphabet, no missing padding.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes base64 strictly. Node's `Buffer.from(s, "base64")` never fails: it skips foreign characters and accepts
 * missing padding and non-zero trailing bits, so two different texts can decode to the same key. We accept only
 * the canonical text of the bytes (re-encoding must give the input back).
 */
export function decodeBase64Strict(text: string, field: string): Decoded<Buffer> {
  if (!BASE64.test(text)) return fail("InvalidBase64", field, `${field} is not padded RFC 4648 base64`);
  const bytes = Buffer.from(text, "base64");
  if (bytes.toString("base64") !== text) {
    return fail("InvalidBase64", field, `${field} is not canonical base64 (non-zero padding bits)`);
  }
  return ok(bytes);
}

/** Decodes UTF-8 and refuses invalid sequences instead of replacing them with U+FFFD. A leading BOM is dropped. */
export function decodeUtf8Strict(bytes: Uint8Array, field: string): Decoded<string> {
  try {
    return ok(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    return fail("InvalidUtf8", field, `${field} is not valid UTF-8`, cause);
  }
}

/** JSON.parse that answers a typed InvalidJson instead of throwing. */
export function parseJson(text: string, field: string): Decoded<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (cause) {
    return fail("InvalidJson", field, `${field || "body"} is not JSON`, cause);
  }
}

/** A JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * UTF-8 size of the JSON text of an already-parsed value. A value that cannot be serialized (a cycle, a BigInt,
 * nesting deeper than the stack) cannot have come from JSON, so it is a SchemaViolation rather than a throw.
 */
export function jsonByteLength(value: unknown): Decoded<number> {
  try {
    return ok(Buffer.byteLength(JSON.stringify(value) ?? "", "utf8"));
  } catch (cause) {
    return fail("SchemaViolation", "", "(root) is not representable as JSON", cause);
  }
}
