import { createHash } from "node:crypto";
import { OciServiceError, invalidParameter } from "./http/errors";
import type { ScaledClock } from "./clock";

/**
 * `opc-retry-token` idempotency. "A token that uniquely identifies a request so it can be retried in case of a timeout
 * or server error without risk of executing that same action again. Retry tokens expire after 24 hours, but can be
 * invalidated before then due to conflicting operations (for example, if a resource has been deleted and purged from
 * the system, then a retry of the original creation request may be rejected)." Max length 64
 * (core/lib/request/create-private-ip-request.ts; docs.oracle.com …/op-20160918-privateips-post.html).
 * Outcomes (codes from apierrors.htm):
 * - same token, same request, first call succeeded → the same object again, nothing new is created;
 * - same token while the first call is still running → waits for it, then as above;
 * - same token, different request → 409 `Conflict` (observed message "Token is currently in use for a different
 *   request", oracle/terraform-provider-oci issue 170);
 * - same token after the created object was deleted → 409 `InvalidatedRetryToken`.
 * Failed calls do not keep their token, so a retry after a 5xx or 429 is executed again.
 * Tokens are scoped per principal and operation.
 */

export const RETRY_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_RETRY_TOKEN_LENGTH = 64;

type Entry =
  | { state: "pending"; fingerprint: string; done: Promise<void>; release: () => void; createdAt: number }
  | { state: "done"; fingerprint: string; resourceId: string; createdAt: number };

export type Begin = { kind: "new" } | { kind: "replay"; resourceId: string };

export class RetryTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: ScaledClock) {}

  static fingerprint(method: string, path: string, body: Buffer): string {
    return createHash("sha256").update(method).update("\n").update(path).update("\n").update(body).digest("hex");
  }

  private expired(e: Entry): boolean {
    // 24 OCI hours, scaled like every other duration (timeScale 0 means no expiry).
    return this.clock.timeScale > 0 && this.clock.now() - e.createdAt >= RETRY_TOKEN_TTL_MS * this.clock.timeScale;
  }

  /**
   * Starts a call with a token. Resolves to "new" (caller must then call `succeed` or `fail`) or to "replay" with
   * the id of the object the first call created; throws 409 Conflict for a token reused with another request.
   */
  async begin(key: string, token: string, fingerprint: string): Promise<Begin> {
    if (token.length > MAX_RETRY_TOKEN_LENGTH)
      throw invalidParameter(`opc-retry-token is longer than ${MAX_RETRY_TOKEN_LENGTH} characters`);
    for (;;) {
      const e = this.entries.get(key);
      if (!e || this.expired(e)) {
        let release!: () => void;
        const done = new Promise<void>((r) => (release = r));
        this.entries.set(key, { state: "pending", fingerprint, done, release, createdAt: this.clock.now() });
        return { kind: "new" };
      }
      if (e.fingerprint !== fingerprint)
        throw new OciServiceError(409, "Conflict", "Token is currently in use for a different request");
      if (e.state === "done") return { kind: "replay", resourceId: e.resourceId };
      await e.done;
    }
  }

  succeed(key: string, resourceId: string): void {
    const e = this.entries.get(key);
    if (e?.state !== "pending") return;
    this.entries.set(key, { state: "done", fingerprint: e.fingerprint, resourceId, createdAt: e.createdAt });
    e.release();
  }

  fail(key: string): void {
    const e = this.entries.get(key);
    if (e?.state !== "pending") return;
    this.entries.delete(key);
    e.release();
  }

  /** 409 InvalidatedRetryToken: the object the token created is gone (the token stays unusable until it expires). */
  invalidated(): OciServiceError {
    return new OciServiceError(
      409,
      "InvalidatedRetryToken",
      "The provided retry token was used in an earlier request that resulted " +
        "in a system update, but a subsequent operation invalidated the token",
    );
  }

  /** Forgets every token (as if 24 hours had passed). */
  expireAll(): void {
    for (const [k, e] of this.entries) if (e.state === "done") this.entries.delete(k);
  }
}
