import { ApiException } from "@kubernetes/client-node";
import { KubeApiError, KubeConflictError } from "../../ports/kube-errors";

/**
 * Turns whatever a @kubernetes/client-node call threw into the project's typed errors, keeping the original as
 * `cause`. Measured client-node 1.4.0 behaviour (dist/gen/apis/exception.js, dist/gen/http/isomorphic-fetch.js):
 * - a non-2xx answer throws `ApiException` whose `body` is the raw JSON *string* of a metav1.Status
 *   (`{kind:"Status", reason:"Conflict", message:"...", code:409}`), so it is parsed here;
 * - the request-timeout middleware aborts through an AbortSignal, and node-fetch then throws `AbortError`;
 * - a refused or reset connection throws node-fetch `FetchError` (system error, no HTTP status).
 */
export function toKubeError(operation: string, err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (err instanceof ApiException) {
    const status = parseStatus(err.body);
    const code = typeof err.code === "number" ? err.code : status.code;
    const message = status.message ?? `HTTP ${code}`;
    const details = { code, statusReason: status.reason ?? reasonForCode(code) };
    // Every 409 is a conflict for the caller: on a resourceVersion-guarded write the reason is "Conflict"; on a
    // create it is "AlreadyExists" (statusReason tells them apart).
    if (code === 409) return new KubeConflictError(operation, message, details, { cause: err });
    return new KubeApiError(operation, message, details, { cause: err });
  }
  const name = (err as { name?: unknown } | null)?.name;
  if (name === "AbortError" || name === "TimeoutError") {
    return new KubeApiError(
      operation,
      "request aborted (client-side timeout)",
      { statusReason: "ClientTimeout" },
      { cause: err },
    );
  }
  if (name === "FetchError") {
    const sys = (err as { code?: unknown }).code;
    return new KubeApiError(
      operation,
      `connection failed${typeof sys === "string" ? ` (${sys})` : ""}`,
      { statusReason: "Unreachable" },
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KubeApiError(operation, message, {}, { cause: err });
}

/**
 * True when the named object does not exist: a 404 Status with reason NotFound that names it in `details.name`
 * (apimachinery errors.NewNotFound always sets it). The API server also answers NotFound, with empty details
 * ("the server could not find the requested resource", apiserver notfoundhandler), for a resource type it does
 * not serve — e.g. the CiliumNode CRD is not installed. That must surface as an error, not as "no such node".
 */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof ApiException) || err.code !== 404) return false;
  const status = parseStatus(err.body);
  return status.reason === "NotFound" && !!status.detailsName;
}

/** True for a 409 answer from client-node (AlreadyExists on create, Conflict on a guarded write). */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409;
}

interface ParsedStatus {
  reason?: string;
  message?: string;
  code?: number;
  /** `details.name`: the object the status is about. */
  detailsName?: string;
}

/** Parses a metav1.Status from an ApiException body (a string in 1.4.0; tolerate an already-parsed object). */
export function parseStatus(body: unknown): ParsedStatus {
  let value: unknown = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? { message: body.trim().slice(0, 500) } : {};
    }
  }
  if (typeof value !== "object" || value === null) return {};
  const v = value as Record<string, unknown>;
  return {
    reason: typeof v.reason === "string" && v.reason ? v.reason : undefined,
    message: typeof v.message === "string" && v.message ? v.message : undefined,
    code: typeof v.code === "number" ? v.code : undefined,
    detailsName:
      typeof v.details === "object" &&
      v.details !== null &&
      typeof (v.details as Record<string, unknown>).name === "string"
        ? ((v.details as Record<string, unknown>).name as string) || undefined
        : undefined,
  };
}

/** The StatusReason the API server uses for a bare status code (apimachinery errors.go), when the body has none. */
function reasonForCode(code: number | undefined): string | undefined {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return undefined;
  }
}
