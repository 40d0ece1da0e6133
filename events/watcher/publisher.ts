import type { StreamEntry } from "../contracts";

/**
 * Where nudges go: one PutMessages-like call per batch. The watcher's batcher keeps every call within the
 * stream's request limits, so implementations need not split.
 */
export interface NudgePublisher {
  /**
   * Called by the batcher with a non-empty batch of entries (key and value already base64). Must append them to the
   * stream, retrying what is retryable until `signal` aborts (leadership lost, shutdown) or its own attempts run
   * out, and then resolve with one result per entry, in order. Rejects only when no entry could be published
   * (the whole request failed); then every entry counts as failed.
   */
  publish(entries: StreamEntry[], signal: AbortSignal): Promise<EntryResult[]>;
  /** Called once at shutdown: releases clients and timers. */
  close(): Promise<void>;
}

export type EntryResult =
  | { ok: true; partition?: string; offset?: number }
  | { ok: false; error: string; message?: string };

/**
 * Streaming request limits (docs.oracle.com Streaming "Limits on Streaming Resources": a message and a request
 * are at most 1 MiB; PutMessages API reference: "There's no limit to the number of messages in a request, but the
 * total size of a message or request must be 1 MiB or less"). The service counts decoded keys and values; the
 * batcher counts the JSON request body, base64 included, which is always larger, so a batch never crosses it.
 */
export const STREAM_REQUEST_MAX_BYTES = 1024 * 1024;

/** Our own cap on messages per request (the service sets none): keeps one failed request's retry small. */
export const DEFAULT_MAX_MESSAGES_PER_REQUEST = 500;

/** Bytes one entry adds to the PutMessages JSON body `{"messages":[...]}` (its JSON plus a comma). */
export function entryJsonBytes(entry: StreamEntry): number {
  return Buffer.byteLength(JSON.stringify({ key: entry.key, value: entry.value }), "utf8") + 1;
}

/** Bytes of the body around the entries: `{"messages":[` and `]}`. */
export const REQUEST_ENVELOPE_BYTES = Buffer.byteLength('{"messages":[]}', "utf8");
