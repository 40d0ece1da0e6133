/**
 * Size caps. Streaming accepts messages up to 1 MB and keys up to 256 bytes
 * (docs.oracle.com/iaas/Content/Streaming/Concepts/streamingoverview.htm, "Limits on Streaming Resources";
 * oci-streaming PutMessagesDetailsEntry.key). Our own nudge is tiny, so its cap is far below that: a nudge
 * over 4 KiB can only be a bug or an attack.
 */

/** Largest UTF-8 JSON encoding of one nudge, in bytes. Every field is bounded so a valid nudge stays under ~2 KiB. */
export const NUDGE_MAX_BYTES = 4096;

/**
 * Largest UTF-8 JSON encoding of one OCI Events envelope we decode, in bytes. OCI publishes no event size; tags
 * and additionalDetails make real events a few KiB. 64 KiB is our own bound (the stream's own limit is 1 MB).
 */
export const OCI_EVENT_MAX_BYTES = 65536;

/** Largest stream key in bytes (OCI Streaming limit). */
export const STREAM_KEY_MAX_BYTES = 256;

/** Default cap on records decoded per invocation; the rest are rejected as Oversize. */
export const DEFAULT_MAX_RECORDS = 1000;

/** Length of the padded base64 text of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}
