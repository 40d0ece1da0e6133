import { inspect } from "node:util";
import { OcipamError } from "../../lib/errors";

/**
 * Failures that make the whole invocation fail (answered as an error, so Connector Hub delivers the batch again)
 * rather than one record's outcome in the body: the Kubernetes API refusing the allocator's token even after it was
 * read again and the clients rebuilt, or not answering at all. A record-level failure (one node's OCI error, a
 * refused node) stays in the body, and the watcher nudges unresolved nodes again on its resync.
 */
export const WHOLE_INVOCATION_REASONS: ReadonlySet<string> = new Set([
  "KubeUnauthorized",
  "KubeUnreachable",
  "KubeClientTimeout",
]);

/**
 * The invocation as a whole could not be served: configuration, Vault, Kubernetes authentication or reachability.
 * The handler throws it; @fnproject/fdk answers 502 with `detail: err.toString()` (fn-fdk.js: "Exception in
 * function, consult logs for details"), which is `InvocationError: <reason>: <message>`. Messages carry API error
 * texts and key names, never a token or a configuration value.
 */
export class InvocationError extends OcipamError {
  constructor(reason: string, message: string, context: { callId: string }, options?: { cause?: unknown }) {
    super(reason, `${reason}: ${message}`, context, options);
  }

  /** The fdk prints the thrown error with console.warn: one line, without the stack and the SDK error behind it. */
  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** Wraps what stopped the invocation, keeping an OcipamError's reason (InvalidConfig, OciNotAuthorizedOrNotFound). */
export function invocationErrorOf(err: unknown, callId: string): InvocationError {
  if (err instanceof InvocationError) return err;
  const reason = (err as { reason?: unknown } | null)?.reason;
  const message = err instanceof Error ? err.message : String(err);
  const named = typeof reason === "string" && reason ? reason : "InvocationFailed";
  return new InvocationError(named, message, { callId }, { cause: err });
}
