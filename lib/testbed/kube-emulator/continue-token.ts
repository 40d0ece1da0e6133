import { statusErrors } from "./status";

/**
 * List continue tokens in the format of k8s.io/apiserver pkg/storage/continue.go: base64url (no padding) of
 * {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<next key>\u0000"}. Clients must treat them as opaque; the
 * format is kept so a token looks and behaves like the real one (bound to the snapshot revision).
 */
export interface ContinuePosition {
  /** Snapshot revision the listing is bound to; -1 means "the current state" (an inconsistent continuation). */
  rv: number;
  /** The first key (namespace/name) of the next page. */
  start: string;
}

export function encodeContinue(pos: ContinuePosition): string {
  const json = JSON.stringify({ v: "meta.k8s.io/v1", rv: pos.rv, start: `${pos.start}\u0000` });
  return Buffer.from(json, "utf8").toString("base64url");
}

/** Decodes a token; a malformed one answers 400 as storage.DecodeContinue errors do. */
export function decodeContinue(token: string): ContinuePosition {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      v?: unknown;
      rv?: unknown;
      start?: unknown;
    };
    if (parsed.v !== "meta.k8s.io/v1")
      throw new Error("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    if (typeof parsed.rv !== "number" || typeof parsed.start !== "string")
      throw new Error("continue key is not valid: unexpected format");
    // The start key ends in a NUL (the key right after the last one returned); drop that one character.
    const start = parsed.start.endsWith("\u0000") ? parsed.start.slice(0, -1) : parsed.start;
    return { rv: parsed.rv, start };
  } catch (err) {
    const detail =
      err instanceof Error && err.message.startsWith("continue key")
        ? err.message
        : "continue key is not valid: unexpected format";
    throw statusErrors.badRequest(detail);
  }
}
