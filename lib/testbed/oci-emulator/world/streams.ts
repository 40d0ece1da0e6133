import { createHash } from "node:crypto";
import { invalidParameter, missingParameter } from "../http/errors";
import type { StreamRec } from "./types";
import type { World } from "./world";

/**
 * Streaming behaviour. Sources (OCI Streaming documentation, https://docs.oracle.com/iaas/Content/Streaming/):
 * - PutMessages entries `{key?, value}` are base64; "messages that share a key [go] on the same partition"; a null
 *   key goes to any partition (the emulator rotates round-robin, deterministically); offsets grow per partition.
 * - Limits: key ≤ 256 bytes, message ≤ 1 MB, request ≤ 1 MB (sum of decoded keys and values)
 *   (streamingoverview_topic-Limits_on_Streaming_Resources.htm).
 * - Cursors: AFTER_OFFSET | AT_OFFSET | AT_TIME | LATEST | TRIM_HORIZON; GetMessages `limit` ≤ 10000, the next cursor
 *   comes back in `opc-next-cursor` (streaming/lib/client.ts).
 * Not modelled: retention expiry, consumer groups, per-partition throughput limits (use the throttle knob).
 */

export const MAX_KEY_BYTES = 256;
export const MAX_REQUEST_BYTES = 1024 * 1024;
export const MAX_GET_LIMIT = 10000;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decode(value: unknown, what: string): Buffer {
  if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64.test(value))
    throw invalidParameter(`${what} must be base64`);
  return Buffer.from(value, "base64");
}

/** Partition of a key: a stable hash of the decoded key bytes. */
export function partitionOf(key: Buffer, partitions: number): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0) % partitions;
}

/** PutMessages: appends and answers the PutMessagesResult body. */
export function putMessages(world: World, stream: StreamRec, body: unknown): Record<string, unknown> {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw missingParameter("messages");
  let total = 0;
  const decoded = messages.map((m, i) => {
    if (m === null || typeof m !== "object") throw invalidParameter(`messages[${i}] must be an object`);
    const entry = m as { key?: unknown; value?: unknown };
    const key = entry.key === undefined || entry.key === null ? null : decode(entry.key, `messages[${i}].key`);
    if (entry.value === undefined || entry.value === null) throw missingParameter(`messages[${i}].value`);
    const value = decode(entry.value, `messages[${i}].value`);
    if (key && key.length > MAX_KEY_BYTES)
      throw invalidParameter(`messages[${i}].key is longer than ${MAX_KEY_BYTES} bytes`);
    total += (key?.length ?? 0) + value.length;
    return { key, rawKey: key ? (entry.key as string) : null, rawValue: entry.value as string };
  });
  if (total > MAX_REQUEST_BYTES)
    throw invalidParameter(`the request carries ${total} bytes; the limit is ${MAX_REQUEST_BYTES}`);
  const timestamp = world.nowIso();
  const entries = decoded.map((d) => {
    const partition = d.key ? partitionOf(d.key, stream.partitions) : stream._roundRobin++ % stream.partitions;
    const log = stream._log[partition];
    const offset = log.length;
    log.push({ key: d.rawKey, value: d.rawValue, offset, timestamp });
    return { partition: String(partition), offset, timestamp };
  });
  return { failures: 0, entries };
}

interface CursorState {
  s: string;
  p: number;
  o: number;
}

function encodeCursor(c: CursorState): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(value: string): CursorState {
  try {
    const c = JSON.parse(Buffer.from(value, "base64url").toString()) as CursorState;
    if (typeof c.s === "string" && Number.isInteger(c.p) && Number.isInteger(c.o)) return c;
  } catch {
    // fall through
  }
  throw invalidParameter("cursor is not valid");
}

/** CreateCursor: answers `{value}`. */
export function createCursor(stream: StreamRec, body: unknown): { value: string } {
  const details = (body ?? {}) as { partition?: unknown; type?: unknown; offset?: unknown; time?: unknown };
  if (details.partition === undefined || details.partition === null) throw missingParameter("partition");
  const p = Number(details.partition);
  if (!Number.isInteger(p) || p < 0 || p >= stream.partitions)
    throw invalidParameter(`partition ${String(details.partition)} does not exist`);
  const log = stream._log[p];
  let o: number;
  switch (details.type) {
    case "TRIM_HORIZON":
      o = 0;
      break;
    case "LATEST":
      o = log.length;
      break;
    case "AT_OFFSET":
    case "AFTER_OFFSET": {
      if (typeof details.offset !== "number" || !Number.isInteger(details.offset) || details.offset < 0) {
        throw invalidParameter("offset is required for AT_OFFSET and AFTER_OFFSET");
      }
      o = details.type === "AT_OFFSET" ? details.offset : details.offset + 1;
      break;
    }
    case "AT_TIME": {
      const t = typeof details.time === "string" ? Date.parse(details.time) : NaN;
      if (Number.isNaN(t)) throw invalidParameter("time is required for AT_TIME");
      const i = log.findIndex((m) => Date.parse(m.timestamp) >= t);
      o = i < 0 ? log.length : i;
      break;
    }
    default:
      throw invalidParameter(`type must be AFTER_OFFSET, AT_OFFSET, AT_TIME, LATEST or TRIM_HORIZON`);
  }
  return { value: encodeCursor({ s: stream.id, p, o }) };
}

/** GetMessages: the messages at the cursor and the next cursor. */
export function getMessages(
  stream: StreamRec,
  cursor: string | undefined,
  limitText: string | undefined,
): { items: Array<Record<string, unknown>>; nextCursor: string } {
  if (!cursor) throw missingParameter("cursor");
  const c = decodeCursor(cursor);
  if (c.s !== stream.id || c.p >= stream.partitions) throw invalidParameter("cursor belongs to another stream");
  const limit = limitText === undefined ? MAX_GET_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_GET_LIMIT)
    throw invalidParameter(`limit must be 1..${MAX_GET_LIMIT}`);
  const slice = stream._log[c.p].slice(c.o, c.o + limit);
  const items = slice.map((m) => ({
    stream: stream.name,
    partition: String(c.p),
    key: m.key,
    value: m.value,
    offset: m.offset,
    timestamp: m.timestamp,
  }));
  return { items, nextCursor: encodeCursor({ ...c, o: c.o + slice.length }) };
}
