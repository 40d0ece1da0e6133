import { OcipamError } from "../errors";

/**
 * A failed OCI call, with what an operator needs to search OCI Logging and what the retry policy needs to decide.
 * `statusCode` is undefined for failures without an HTTP answer (connection refused or reset, timeout).
 */
export class OciApiError extends OcipamError {
  readonly statusCode: number | undefined;
  readonly serviceCode: string | undefined;
  readonly opcRequestId: string | undefined;
  readonly operation: string;
  constructor(
    operation: string,
    message: string,
    details: { statusCode?: number; serviceCode?: string; opcRequestId?: string },
    options?: { cause?: unknown },
  ) {
    super(
      reasonFor(details.statusCode, details.serviceCode),
      `${operation}: ${message}`,
      { operation, ...details },
      options,
    );
    this.statusCode = details.statusCode;
    this.serviceCode = details.serviceCode;
    this.opcRequestId = details.opcRequestId;
    this.operation = operation;
  }

  /**
   * Transient failures OCI's API Errors reference says to retry with backoff: 429 TooManyRequests, 409 IncorrectState
   * and ExternalServerIncorrectState, 5xx, and failures with no HTTP answer. 400 LimitExceeded/InvalidParameter and
   * 409 Conflict are final. 404 NotAuthorizedOrNotFound is not transient in this sense: the OCI adapters retry it
   * only for a short IAM-propagation window (lib/adapters/oci/retry-decision.ts), then it is final.
   */
  get retryable(): boolean {
    const s = this.statusCode;
    if (s === undefined) return true;
    if (s === 429) return true;
    if (s === 409) return this.serviceCode === "IncorrectState" || this.serviceCode === "ExternalServerIncorrectState";
    return s >= 500;
  }

  get notFound(): boolean {
    return this.statusCode === 404;
  }

  /**
   * OCI refused the create's opc-retry-token itself, not the request: 409 InvalidatedRetryToken (the object the token
   * created was deleted since) or 409 Conflict "Token is currently in use for a different request" (the same token
   * with another body). A new token makes it a new request (API Errors reference, apierrors.htm).
   */
  get retryTokenRefused(): boolean {
    if (this.statusCode !== 409) return false;
    return (
      this.serviceCode === "InvalidatedRetryToken" || (this.serviceCode === "Conflict" && /token/i.test(this.message))
    );
  }
}

/**
 * No attempt was started because none could finish before the caller's deadline (or the shared request budget had no
 * token before it). Not a failure of OCI: the use cases report it as their own outcome (DeadlineReached), keep what
 * was done and let the next nudge continue. `cause` is the last failure, if there was one.
 */
export class OciDeadlineError extends OciApiError {
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    const last = options?.cause instanceof OciApiError ? options.cause : undefined;
    super(operation, message, { opcRequestId: last?.opcRequestId }, options);
    // OcipamError fixes `reason` from the status; a deadline has its own stable reason.
    (this as { reason: string }).reason = "OciDeadlineExceeded";
    this.context.deadlineExceeded = true;
  }
}

function reasonFor(statusCode: number | undefined, serviceCode: string | undefined): string {
  if (statusCode === undefined) return "OciUnreachable";
  if (statusCode === 429) return "OciThrottled";
  if (statusCode === 404) return "OciNotAuthorizedOrNotFound";
  if (statusCode === 401) return "OciNotAuthenticated";
  if (statusCode >= 500) return "OciServiceError";
  return serviceCode ? `Oci${serviceCode}` : `OciHttp${statusCode}`;
}
