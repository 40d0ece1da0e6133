import { OcipamError, type ErrorContext } from "../errors";

/**
 * An `ip` command that could not run or exited non-zero. `context.args` holds the argument array, never a shell line.
 */
export class IpCommandError extends OcipamError {
  constructor(message: string, context: ErrorContext & { args: string[] }, options?: { cause?: unknown }) {
    super("IpCommandFailed", message, context, options);
  }
}

/** The instance metadata service could not be reached, answered an error status, or returned something unusable. */
export class ImdsError extends OcipamError {
  constructor(
    reason: "ImdsUnavailable" | "ImdsInvalidResponse",
    message: string,
    context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(reason, message, context, options);
  }
}

/** The node cannot host the agent (no `ip`, or a kernel without rule protocols). Fatal at startup. */
export class UnsupportedHostError extends OcipamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("UnsupportedHost", message, {}, options);
  }
}

/** Cilium's ConfigMap could not be read at start, so the agent cannot tell which egress Cilium masquerades. Fatal. */
export class CiliumConfigUnavailableError extends OcipamError {
  constructor(message: string, context: ErrorContext, options?: { cause?: unknown }) {
    super("CiliumConfigUnavailable", message, context, options);
  }
}
