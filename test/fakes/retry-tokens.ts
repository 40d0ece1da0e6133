import { OciApiError } from "../../lib/ports/oci-errors";

/**
 * opc-retry-token as OCI documents it: "uniquely identifies a request so it can be retried … without risk of
 * executing that same action again … can be invalidated before then due to conflicting operations (for example, if a
 * resource has been deleted …)" (oci-core lib/request/create-private-ip-request.ts). So:
 * - the same token with the same request returns the object the first call created, and creates nothing;
 * - the same token with another request is 409 Conflict "Token is currently in use for a different request"
 *   (observed answer, oracle/terraform-provider-oci issue 170);
 * - the same token after its object was deleted is 409 InvalidatedRetryToken (API Errors reference, apierrors.htm).
 * A failed call keeps no token. Tokens are per operation.
 */
export class FakeRetryTokens {
  private readonly entries = new Map<string, { fingerprint: string; resourceId: string; invalidated: boolean }>();
  /** How many calls were answered from a token (a replay) instead of creating something. */
  replays = 0;
  /** How many calls were refused for their token (409 Conflict or InvalidatedRetryToken). */
  refusals = 0;

  /** The object a replayed token created, undefined for a new request; throws OCI's 409s. */
  replayed(operation: string, token: string, fingerprint: string, opcRequestId: string): string | undefined {
    const e = this.entries.get(`${operation}\n${token}`);
    if (!e) return undefined;
    if (e.fingerprint !== fingerprint) {
      this.refusals++;
      throw new OciApiError(operation, "Token is currently in use for a different request", {
        statusCode: 409,
        serviceCode: "Conflict",
        opcRequestId,
      });
    }
    if (e.invalidated) {
      this.refusals++;
      throw new OciApiError(
        operation,
        "The provided retry token was used in an earlier request that resulted in a system update, " +
          "but a subsequent operation invalidated the token",
        { statusCode: 409, serviceCode: "InvalidatedRetryToken", opcRequestId },
      );
    }
    this.replays++;
    return e.resourceId;
  }

  /** Remembers a successful create. */
  remember(operation: string, token: string, fingerprint: string, resourceId: string): void {
    this.entries.set(`${operation}\n${token}`, { fingerprint, resourceId, invalidated: false });
  }

  /** The object `resourceId` was deleted: every token that created it is invalidated. */
  invalidate(resourceId: string): void {
    for (const e of this.entries.values()) if (e.resourceId === resourceId) e.invalidated = true;
  }
}
