import { OciApiError, OciDeadlineError } from "../../ports/oci-errors";

/**
 * Maps whatever an oci-core/oci-common 2.139.1 call throws to the port's `OciApiError`, keeping the original as
 * `cause`. Shapes measured with these versions (oci-common lib/retrier.js
 * `makeServiceCall`, lib/helper.js `handleErrorResponse`):
 * - a service error is an `OciError` (`instanceof Error`) with a numeric `statusCode`, `serviceCode` (the body's
 *   `code`, or "None" when the body had none), `message` and `opcRequestId` (null when the header is missing);
 * - a transport failure (connection refused/reset, our own abort) is a **plain object**
 *   `{code, message: "fetch failed" | "The operation was aborted…", requestEndpoint, troubleshootingPage}`: the
 *   retrier catches the fetch error and copies only code and message, so it has no statusCode;
 * - an open circuit breaker is either the plain `{code: "EOPENBREAKER", message: "Breaker is open"}` or an OciError
 *   whose `statusCode` holds the string "EOPENBREAKER" (retrier.js builds one with the code in the status slot).
 *   The adapters turn the breaker off, so this is only seen with clients built elsewhere.
 */

/** Service code given to a failure that had no HTTP answer because the SDK's circuit breaker was open. */
export const CIRCUIT_OPEN_CODE = "EOPENBREAKER";
/** Service code given to an attempt the adapter aborted at the caller's deadline or the attempt timeout. */
export const ATTEMPT_TIMEOUT_CODE = "RequestTimeout";

// The deadline error is the ports' (lib/ports/oci-errors.ts): use cases test for it without knowing the adapters.
export { OciDeadlineError };

/**
 * A failure on our side of the wire that retrying cannot fix: the SDK rejected the request before sending it
 * (missing parameter, unreadable key), or OCI answered something the adapter cannot map (unknown lifecycle state).
 */
export class OciUnexpectedError extends OciApiError {
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(operation, message, {}, options);
    (this as { reason: string }).reason = "OciUnexpected";
  }
  override get retryable(): boolean {
    return false;
  }
}

interface ErrorLike {
  statusCode?: unknown;
  serviceCode?: unknown;
  opcRequestId?: unknown;
  code?: unknown;
  message?: unknown;
  requestEndpoint?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * Turns a thrown SDK value into an `OciApiError` for `operation` (OCI's operation name, e.g. "CreatePrivateIp").
 * `aborted` says the adapter itself aborted the attempt (deadline or attempt timeout), which the SDK reports as a
 * plain object indistinguishable from other transport failures.
 */
export function toOciApiError(operation: string, err: unknown, aborted = false): OciApiError {
  if (err instanceof OciApiError) return err;
  const e: ErrorLike = typeof err === "object" && err !== null ? (err as ErrorLike) : { message: String(err) };
  const message = str(e.message) ?? "unknown error";

  if (e.statusCode === CIRCUIT_OPEN_CODE || e.code === CIRCUIT_OPEN_CODE) {
    return new OciApiError(
      operation,
      `circuit breaker open: ${message}`,
      { serviceCode: CIRCUIT_OPEN_CODE },
      { cause: err },
    );
  }
  if (typeof e.statusCode === "number" && e.statusCode > 0) {
    // "None" is what the SDK puts when the error body carried no code (helper.js handleErrorResponse).
    const serviceCode = str(e.serviceCode) === "None" ? undefined : str(e.serviceCode);
    return new OciApiError(
      operation,
      message,
      { statusCode: e.statusCode, serviceCode, opcRequestId: str(e.opcRequestId) },
      { cause: err },
    );
  }
  if (aborted) {
    return new OciApiError(
      operation,
      `attempt aborted: ${message}`,
      { serviceCode: ATTEMPT_TIMEOUT_CODE },
      { cause: err },
    );
  }
  // The retrier's plain transport-failure object: it always carries requestEndpoint (retrier.js catch branch).
  if (!(err instanceof Error) && e.requestEndpoint !== undefined) {
    return new OciApiError(operation, message, {}, { cause: err });
  }
  // A genuine Error that is not an OciError was thrown before any request went out (request validation, signing
  // set-up): sending it again gives the same result.
  return new OciUnexpectedError(operation, message, { cause: err });
}
