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
  constructor(operation: string, message: string, details: { statusCode?: number; serviceCode?: string; opcRequestId?: string }, options?: { cause?: unknown }) {
    super(reasonFor(details.statusCode, details.serviceCode), `${operation}: ${message}`, { operation, ...details }, options);
    this.statusCode = details.statusCode;
    this.serviceCode = details.serviceCode;
    this.opcRequestId = details.opcRequestId;
    this.operation = operation;
  }

  /**
   * OCI's documented retryable cases (API Errors reference): 429 TooManyRequests, 409 IncorrectState, 5xx, and
   * failures with no HTTP answer. 400 LimitExceeded/InvalidParameter, 404 NotAuthorizedOrNotFound and 409 Conflict
   * are final.
   */
  get retryable(): boolean {
    const s = this.statusCode;
    if (s === undefined) return true;
    if (s === 429) return true;
    if (s === 409) return this.serviceCode === "IncorrectState";
    return s >= 500;
  }

  get notFound(): boolean {
    return this.statusCode === 404;
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
