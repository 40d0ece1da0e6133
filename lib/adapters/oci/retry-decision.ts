import type { OciApiError } from "../../ports/oci-errors";

/**
 * What the retry policy does with one failed attempt, per OCI's error table ("API Errors",
 * https://docs.oracle.com/iaas/Content/API/References/apierrors.htm, column "Retry"):
 * - `retry`: transient, retried with backoff until max attempts or the deadline: 429 TooManyRequests, 409
 *   IncorrectState ("Yes, with backoff"), 409 ExternalServerIncorrectState (the server is waiting on another
 *   service), 5xx, and failures with no HTTP answer (connection refused or reset, an attempt we aborted);
 * - `iam-window`: 404 NotAuthorizedOrNotFound and 400 RelatedResourceNotAuthorizedOrNotFound ("Yes, with backoff"):
 *   OCI answers these both for a missing object and for a missing permission, and a policy just created or changed
 *   takes a while to apply everywhere, so they are retried with backoff for a bounded window (RetryPolicy
 *   `notFoundWindowMs`), unless the caller treats "not found" as "gone" (CallOptions.notFoundIsGone);
 * - `final`: everything else (400 InvalidParameter / LimitExceeded / MissingParameter, 401, 404 NotFound (no such
 *   operation), 409 Conflict / InvalidatedRetryToken, 412, errors raised before sending).
 */
export type RetryDecision = "retry" | "iam-window" | "final";

/** Service codes OCI gives a missing-or-unauthorised object. */
export const NOT_AUTHORIZED_OR_NOT_FOUND_CODES: readonly string[] = [
  "NotAuthorizedOrNotFound",
  "RelatedResourceNotAuthorizedOrNotFound",
];

export function retryDecision(error: OciApiError): RetryDecision {
  const { statusCode: status, serviceCode: code } = error;
  // 409 ExternalServerIncorrectState is in OciApiError.retryable with the other transient answers.
  if (status === 404 && (code === undefined || code === "NotAuthorizedOrNotFound")) return "iam-window";
  if (status === 400 && code === "RelatedResourceNotAuthorizedOrNotFound") return "iam-window";
  return error.retryable ? "retry" : "final";
}
