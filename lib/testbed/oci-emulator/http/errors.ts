/**
 * An OCI service error: HTTP status + `{code, message}` body, as listed in "API Errors"
 * (https://docs.oracle.com/en-us/iaas/Content/API/References/apierrors.htm). Handlers throw it; the server turns it
 * into the response the SDK parses into `OciError { statusCode, serviceCode, message, opcRequestId }`.
 */
export class OciServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "OciServiceError";
  }
}

export const notFound = (what: string): OciServiceError =>
  new OciServiceError(404, "NotAuthorizedOrNotFound", `Authorization failed or requested resource not found: ${what}`);

/** A resource named in the request BODY is missing or not authorized (400, per the API errors table). */
export const relatedNotFound = (what: string): OciServiceError =>
  new OciServiceError(
    400,
    "RelatedResourceNotAuthorizedOrNotFound",
    `${what} was not found or you are not authorized to use it`,
  );

export const invalidParameter = (message: string): OciServiceError =>
  new OciServiceError(400, "InvalidParameter", message);
export const missingParameter = (name: string): OciServiceError =>
  new OciServiceError(400, "MissingParameter", `Missing parameter: ${name}`);
export const incorrectState = (message: string): OciServiceError => new OciServiceError(409, "IncorrectState", message);
export const conflict = (message: string): OciServiceError => new OciServiceError(409, "Conflict", message);
export const limitExceeded = (message: string): OciServiceError => new OciServiceError(400, "LimitExceeded", message);
