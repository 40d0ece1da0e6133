/**
 * Typed errors shared by every layer. Each carries a stable `reason` (a machine-readable code that appears in
 * logs, results and the project's own resource) and the context an operator needs to search OCI Logging:
 * HTTP status, service code and opc-request-id where the error came from OCI or Kubernetes.
 */
export interface ErrorContext {
  statusCode?: number;
  serviceCode?: string;
  opcRequestId?: string;
  operation?: string;
  node?: string;
  [key: string]: unknown;
}

export class OcipamError extends Error {
  readonly reason: string;
  readonly context: ErrorContext;
  constructor(reason: string, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
    this.context = context;
  }
  /** A JSON-safe view for logs and function results (never includes secrets). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, reason: this.reason, message: this.message, ...this.context };
  }
}

/** Input that does not match its contract (a file, an event record, a config value). Names the bad field. */
export class InvalidInputError extends OcipamError {
  readonly field: string;
  constructor(field: string, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super("InvalidInput", `${field}: ${message}`, { field, ...context }, options);
    this.field = field;
  }
}

/** A configuration key that is missing or malformed. */
export class ConfigError extends OcipamError {
  readonly key: string;
  constructor(key: string, message: string) {
    super("InvalidConfig", `config ${key}: ${message}`, { key });
    this.key = key;
  }
}

/** The API fields of an error's context (status code, service code, opc-request-id), for results and log lines. */
export function apiErrorFields(context: Record<string, unknown> | undefined): {
  statusCode?: number;
  serviceCode?: string;
  opcRequestId?: string;
} {
  if (!context) return {};
  const out: { statusCode?: number; serviceCode?: string; opcRequestId?: string } = {};
  if (typeof context.statusCode === "number") out.statusCode = context.statusCode;
  if (typeof context.serviceCode === "string") out.serviceCode = context.serviceCode;
  if (typeof context.opcRequestId === "string") out.opcRequestId = context.opcRequestId;
  return out;
}
