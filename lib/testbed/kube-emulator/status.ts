import { OcipamError } from "../../errors";

/**
 * `metav1.Status` bodies exactly as kube-apiserver words them. Field order follows the Go structs (JSON encoding
 * keeps struct order): kind, apiVersion, metadata, status, message, reason, details, code. Empty fields are
 * omitted (`omitempty`), while a non-nil but empty `details` is sent as `{}`.
 *
 * Wording sources (kubernetes/kubernetes):
 * - staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go (NewNotFound, NewAlreadyExists, NewConflict,
 *   NewForbidden, NewInvalid, NewResourceExpired, NewBadRequest, NewGenericServerResponse, NewMethodNotSupported)
 * - staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go (field error bodies and cause types)
 * - staging/src/k8s.io/apiserver/pkg/endpoints/handlers/negotiation/errors.go (415 / 406 messages)
 * - staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go (403 message)
 */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: { resourceVersion?: string; continue?: string };
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  /** Absent on Success bodies (Go `omitempty` of a zero code). */
  code?: number;
}

/** A failure the server answers with a Status body; `status` is sent verbatim. */
export class KubeStatusError extends OcipamError {
  readonly status: StatusBody;
  constructor(status: StatusBody, options?: { cause?: unknown }) {
    super(
      status.reason || "Unknown",
      status.message ?? `HTTP ${status.code ?? 500}`,
      { statusCode: status.code ?? 500 },
      options,
    );
    this.status = status;
  }
}

/** A group and resource, e.g. {group: "cilium.io", resource: "ciliumnodes"}. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** `schema.GroupResource.String()`: "ciliumnodes.cilium.io", or "nodes" for the core group. */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function compactDetails(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** Builds a Failure Status body; `details === undefined` omits the field, `{}` keeps an empty one. */
export function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
  metadata: StatusBody["metadata"] = {},
): StatusBody {
  // Built in struct order so JSON.stringify emits fields as the Go encoder does.
  const ordered: Record<string, unknown> = { kind: "Status", apiVersion: "v1", metadata, status: "Failure" };
  if (message) ordered.message = message;
  if (reason) ordered.reason = reason;
  if (details !== undefined) ordered.details = compactDetails(details);
  ordered.code = code;
  return ordered as unknown as StatusBody;
}

/** The Success Status a DELETE answers for resources that do not return the deleted object. */
export function success(details: StatusDetails): StatusBody {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: compactDetails(details) };
}

// ---- field errors (field/errors.go) ----

export type FieldErrorType =
  | "FieldValueNotFound"
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "InternalError"
  | "FieldValueTypeInvalid";

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: "Not found",
  FieldValueRequired: "Required value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  InternalError: "Internal error",
  FieldValueTypeInvalid: "Invalid value",
};

/** Marks a bad value that must not be printed (field.omitValue). */
export const OMIT_VALUE = Symbol("omitValue");

/** A Go uint64 printed with %#v (e.g. the resourceVersion 0 in "Invalid value: 0x0"). */
export class GoHexUint {
  constructor(readonly value: number) {}
}

/** A Go `[]string` bad value (`%#v` prints `[]string{"a", "b"}`), e.g. the dryRun query parameter. */
export class GoStringSlice {
  constructor(readonly values: string[]) {}
}

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue: unknown;
  detail: string;
}

/** Go's strconv.Quote for the strings we meet (JSON quoting differs only for rare control characters). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

function goValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof GoHexUint) return `0x${value.value.toString(16)}`;
  if (value instanceof GoStringSlice) return `[]string{${value.values.map(goQuote).join(", ")}}`;
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : goFloat(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map(goValue).join(", ")}}`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${goQuote(k)}:${goValue(v)}`);
  return `map[string]interface {}{${entries.join(", ")}}`;
}

function goFloat(n: number): string {
  // Go %v of a float64 uses %g with the shortest representation; exponents look like "1e+21".
  const s = String(n);
  return s
    .replace(/e\+?(\d+)$/, (_m, d: string) => `e+${d.padStart(2, "0")}`)
    .replace(/e-(\d+)$/, (_m, d: string) => `e-${d.padStart(2, "0")}`);
}

/** `field.Error.ErrorBody()`: the message without the field name. */
export function fieldErrorBody(e: FieldError): string {
  let s: string;
  switch (e.type) {
    case "FieldValueRequired":
    case "FieldValueForbidden":
    case "FieldValueTooLong":
    case "InternalError":
      s = typeText[e.type];
      break;
    default:
      s = e.badValue === OMIT_VALUE ? typeText[e.type] : `${typeText[e.type]}: ${goValue(e.badValue)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export const fieldErrors = {
  required: (field: string, detail = ""): FieldError => ({ type: "FieldValueRequired", field, badValue: "", detail }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: "FieldValueInvalid",
    field,
    badValue: value,
    detail,
  }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: "FieldValueTypeInvalid",
    field,
    badValue: value,
    detail,
  }),
  forbidden: (field: string, detail: string): FieldError => ({
    type: "FieldValueForbidden",
    field,
    badValue: "",
    detail,
  }),
  notSupported: (field: string, value: unknown, valid: string[]): FieldError => ({
    type: "FieldValueNotSupported",
    field,
    badValue: value,
    detail: valid.length > 0 ? `supported values: ${valid.map(goQuote).join(", ")}` : "",
  }),
  tooLong: (field: string, value: unknown, max: number): FieldError => ({
    type: "FieldValueTooLong",
    field,
    badValue: value,
    detail: max >= 0 ? `may not be longer than ${max}` : "value is too long",
  }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: "FieldValueTooMany",
    field,
    badValue: actual >= 0 ? actual : OMIT_VALUE,
    detail: max >= 0 ? `must have at most ${max} items` : "has too many items",
  }),
};

// ---- constructors, one per apimachinery helper ----

export const OPTIMISTIC_LOCK_MESSAGE =
  "the object has been modified; please apply your changes to the latest version and try again";

export const statusErrors = {
  notFound(gr: GroupResource, name: string): KubeStatusError {
    return new KubeStatusError(
      failure(404, "NotFound", `${qualifiedResource(gr)} ${goQuote(name)} not found`, {
        group: gr.group,
        kind: gr.resource,
        name,
      }),
    );
  },
  alreadyExists(gr: GroupResource, name: string): KubeStatusError {
    return new KubeStatusError(
      failure(409, "AlreadyExists", `${qualifiedResource(gr)} ${goQuote(name)} already exists`, {
        group: gr.group,
        kind: gr.resource,
        name,
      }),
    );
  },
  conflict(gr: GroupResource, name: string, message = OPTIMISTIC_LOCK_MESSAGE): KubeStatusError {
    return new KubeStatusError(
      failure(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualifiedResource(gr)} ${goQuote(name)}: ${message}`,
        { group: gr.group, kind: gr.resource, name },
      ),
    );
  },
  /** `errors.NewInvalid(schema.GroupKind, name, errs)`; the message aggregates distinct field errors. */
  invalid(groupKind: { group: string; kind: string }, name: string, errs: FieldError[]): KubeStatusError {
    const gk = groupKind.group ? `${groupKind.kind}.${groupKind.group}` : groupKind.kind;
    const causes = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    const distinct = [...new Set(errs.map(fieldErrorString))];
    let message: string;
    if (distinct.length === 0) message = `${gk} ${goQuote(name)} is invalid`;
    else if (distinct.length === 1) message = `${gk} ${goQuote(name)} is invalid: ${distinct[0]}`;
    else message = `${gk} ${goQuote(name)} is invalid: [${distinct.join(", ")}]`;
    return new KubeStatusError(
      failure(422, "Invalid", message, { group: groupKind.group, kind: groupKind.kind, name, causes }),
    );
  },
  /** 403 as the authorization filter answers (responsewriters.Forbidden + errors.NewForbidden). */
  forbidden(gr: GroupResource, name: string, reasonMessage: string): KubeStatusError {
    let message: string;
    if (!gr.resource && !gr.group) message = `forbidden: ${reasonMessage}`;
    else if (!name) message = `${qualifiedResource(gr)} is forbidden: ${reasonMessage}`;
    else message = `${qualifiedResource(gr)} ${goQuote(name)} is forbidden: ${reasonMessage}`;
    return new KubeStatusError(failure(403, "Forbidden", message, { group: gr.group, kind: gr.resource, name }));
  },
  /** What the authentication filter answers for a bearer token it does not know. */
  unauthorized(): KubeStatusError {
    return new KubeStatusError(failure(401, "Unauthorized", "Unauthorized"));
  },
  badRequest(message: string): KubeStatusError {
    return new KubeStatusError(failure(400, "BadRequest", message));
  },
  /** `errors.NewResourceExpired` (410, reason Expired), optionally with a continue token in the metadata. */
  expired(message: string, continueToken?: string): KubeStatusError {
    return new KubeStatusError(
      failure(410, "Expired", message, undefined, continueToken ? { continue: continueToken } : {}),
    );
  },
  unsupportedMediaType(accepted: string[]): KubeStatusError {
    return new KubeStatusError(
      failure(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
      ),
    );
  },
  notAcceptable(accepted: string[]): KubeStatusError {
    return new KubeStatusError(
      failure(406, "NotAcceptable", `only the following media types are accepted: ${accepted.join(", ")}`),
    );
  },
  methodNotSupported(gr: GroupResource, action: string): KubeStatusError {
    return new KubeStatusError(
      failure(
        405,
        "MethodNotAllowed",
        `${action} is not supported on resources of kind ${goQuote(qualifiedResource(gr))}`,
        { group: gr.group, kind: gr.resource },
      ),
    );
  },
  internal(err: unknown): KubeStatusError {
    const text = err instanceof Error ? err.message : String(err);
    return new KubeStatusError(
      failure(500, "InternalError", `Internal error occurred: ${text}`, { causes: [{ message: text }] }),
      { cause: err },
    );
  },
  /** `errors.NewGenericServerResponse` for the codes we need (empty resource, so no "(verb resource name)" suffix). */
  generic(code: 404 | 405 | 422): KubeStatusError {
    const table = {
      404: ["NotFound", "the server could not find the requested resource"],
      405: ["MethodNotAllowed", "the server does not allow this method on the requested resource"],
      422: ["Invalid", "the server rejected our request due to an error in our request"],
    } as const;
    const [reason, message] = table[code];
    return new KubeStatusError(failure(code, reason, message, {}));
  },
  /** 504 answered for a resourceVersion newer than the store has (storage.NewTooLargeResourceVersionError). */
  tooLargeResourceVersion(requested: number, current: number): KubeStatusError {
    return new KubeStatusError(
      failure(504, "Timeout", `Timeout: Too large resource version: ${requested}, current: ${current}`, {
        causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
        retryAfterSeconds: 1,
      }),
    );
  },
};
