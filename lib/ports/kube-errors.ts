import { OcipamError } from "../errors";

/** A Kubernetes API call failed; `code` is the HTTP status, `reason` the Status reason (Conflict, Forbidden, ...). */
export class KubeApiError extends OcipamError {
  readonly code: number | undefined;
  readonly statusReason: string | undefined;
  constructor(
    operation: string,
    message: string,
    details: { code?: number; statusReason?: string },
    options?: { cause?: unknown },
  ) {
    super(
      details.statusReason ? `Kube${details.statusReason}` : "KubeApiError",
      `${operation}: ${message}`,
      { operation, statusCode: details.code, ...details },
      options,
    );
    this.code = details.code;
    this.statusReason = details.statusReason;
  }
}

/** The object changed since it was read (409 on a resourceVersion-guarded write): re-read and re-plan. */
export class KubeConflictError extends KubeApiError {}
