import pino, { type Logger } from "pino";

/**
 * JSON-lines logger with the project's stable field names (node, instance, vnic, opcRequestId, callId), so OCI
 * Logging searches such as `data.message.node = 'worker-1'` work. Created by composition functions, never at
 * import time. Secrets never reach it: callers pass explicit fields, never `ctx.config` or credentials.
 */
export type Log = Logger;

export interface LogOptions {
  level?: string;
  /** Where lines go; defaults to stdout (what OCI Functions ships to OCI Logging). */
  destination?: NodeJS.WritableStream;
  /** Constant fields on every line, e.g. { component: "allocator" }. */
  base?: Record<string, unknown>;
}

export function createLogger(options: LogOptions = {}): Log {
  return pino(
    {
      level: options.level ?? "info",
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: "msg",
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ["config", "token", "privateKey", "authorization", "*.token", "*.privateKey"],
        censor: "[redacted]",
      },
    },
    (options.destination ?? process.stdout) as pino.DestinationStream,
  );
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Log {
  return pino({ level: "silent" });
}
