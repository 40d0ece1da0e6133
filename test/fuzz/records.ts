import {
  buildNudge,
  encodeNudgeForStream,
  NODE_NUDGE_TYPES,
  NUDGE_MAX_BYTES,
  OCI_EVENT_MAX_BYTES,
  type RejectReason,
} from "../../events/contracts";
import { type Hostile, isDns1123Subdomain, MALFORMED_JSON, WRONG_TYPES, withField } from "./hostile";

/**
 * Valid records of every kind the function accepts, and hostile variants of them that must be rejected, each with
 * what the rejection must say: one of `reasons`, at a field starting with one of `fields` (JSON pointers; "" is the
 * record itself). A variant the decoder may accept (a hint field given a value that happens to be valid) says so
 * with `mayAccept`.
 */

export const FUZZ_CLUSTER = "local";

export interface Expectation {
  reasons: readonly RejectReason[];
  fields: readonly string[];
  /** The hostile string put in, which the rejection message must not repeat (messages never echo input). */
  planted?: string;
  /** The variant is acceptable input too (e.g. a URI-reference `source` that merely looks odd). */
  mayAccept?: boolean;
  what: string;
}

export interface BadRecord extends Expectation {
  value: unknown;
}

export type ValidRecord =
  | { kind: "nudge"; value: unknown; node: string }
  | { kind: "cluster"; value: unknown; cluster: string }
  | { kind: "instance-event"; value: unknown; instanceId: string; compartmentId: string };

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** A random valid DNS-1123 node name. */
export function nodeName(h: Hostile): string {
  const label = () =>
    Array.from({ length: h.int(1, 12) }, () => h.pick([..."abcdefghijklmnopqrstuvwxyz0123456789"])).join("");
  return h.chance(0.2) ? `${label()}.${label()}` : `${label()}-${h.int(0, 999)}`;
}

export function validNudge(h: Hostile, node = nodeName(h)): ValidRecord {
  const nudge = buildNudge({
    type: h.pick(NODE_NUDGE_TYPES),
    cluster: FUZZ_CLUSTER,
    node,
    ...(h.chance(0.5)
      ? { observed: { available: h.int(0, 60), used: h.int(0, 60), needed: h.int(0, 8), excess: 0 } }
      : {}),
  });
  return { kind: "nudge", value: nudge, node };
}

export function validClusterNudge(): ValidRecord {
  return {
    kind: "cluster",
    value: buildNudge({ type: "io.ocipam.cluster.collect-leaks", cluster: FUZZ_CLUSTER }),
    cluster: FUZZ_CLUSTER,
  };
}

const OCI_EVENT_TYPES = [
  "launchinstance.begin",
  "launchinstance.end",
  "terminateinstance.begin",
  "terminateinstance.end",
].map((t) => `com.oraclecloud.computeapi.${t}`);

export function validOciEvent(
  h: Hostile,
  instanceId = `ocid1.instance.oc1.iad.fuzz${h.int(0, 1e6)}`,
  compartmentId = `ocid1.compartment.oc1..fuzz${h.int(0, 1e6)}`,
): ValidRecord {
  return {
    kind: "instance-event",
    instanceId,
    compartmentId,
    value: {
      eventType: h.pick(OCI_EVENT_TYPES),
      cloudEventsVersion: "0.1",
      eventTypeVersion: "2.0",
      source: "ComputeApi",
      eventTime: "2026-11-28T10:00:00.000Z",
      contentType: "application/json",
      data: {
        compartmentId,
        compartmentName: "c",
        resourceName: "worker",
        resourceId: instanceId,
        availabilityDomain: "AD-1",
        freeformTags: { a: "b" },
        definedTags: {},
        additionalDetails: { shape: "VM.Standard.E4.Flex" },
      },
      eventID: `evt-${h.int(0, 1e9)}`,
      extensions: { compartmentId },
    },
  };
}

export function validRecord(h: Hostile): ValidRecord {
  const r = h.random();
  return r < 0.6 ? validNudge(h) : r < 0.7 ? validClusterNudge() : validOciEvent(h);
}

/** A record the stream may carry: nudges only (an OCI event on the stream is rejected as UntrustedSource). */
export function validStreamRecord(h: Hostile): ValidRecord {
  return h.random() < 0.85 ? validNudge(h) : validClusterNudge();
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");

/** The record as a Connector Hub stream message (key = subject for nudges, as the watcher publishes). */
export function asMessage(record: ValidRecord, offset: number): Record<string, unknown> {
  const json = JSON.stringify(record.value);
  const key =
    record.kind === "nudge"
      ? encodeNudgeForStream(record.value as never).key
      : record.kind === "cluster"
        ? b64(record.cluster)
        : null;
  return {
    stream: "ocipam-events",
    partition: String(offset % 3),
    key,
    value: b64(json),
    offset,
    timestamp: "2026-11-28T10:00:00.051Z",
  };
}

/** A hostile string that is certainly not a DNS-1123 subdomain (so a node name field must refuse it). */
function notDns(h: Hostile): string {
  for (;;) {
    const s = h.string();
    if (!isDns1123Subdomain(s)) return s;
  }
}

const planted = (v: unknown) => (typeof v === "string" && v.length >= 6 && !/^[\w.\-/ ]*$/.test(v) ? v : undefined);

/**
 * Size caps come first in the decoders (a nudge over 4 KiB, an OCI event over 64 KiB is refused before its schema is
 * looked at), so a variant that ended up over the cap must be rejected as Oversize at the record itself.
 */
function sizeFirst(bad: BadRecord, capBytes: number): BadRecord {
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(bad.value) ?? "", "utf8");
  } catch {
    return bad;
  }
  return bytes > capBytes ? { ...bad, reasons: ["Oversize"], fields: [""], mayAccept: false } : bad;
}

/** A nudge with one thing wrong. */
export function badNudge(h: Hostile): BadRecord {
  return sizeFirst(badNudgeOfAnySize(h), NUDGE_MAX_BYTES);
}

function badNudgeOfAnySize(h: Hostile): BadRecord {
  const base = validNudge(h).value as Record<string, unknown>;
  const choice = h.int(0, 11);
  switch (choice) {
    case 0: {
      const f = h.pick(["id", "source", "type", "time", "subject", "datacontenttype", "data"]);
      return {
        what: `nudge without ${f}`,
        value: withField(base, [f], undefined, true),
        reasons: ["SchemaViolation"],
        fields: [`/${f}`],
      };
    }
    case 1: {
      const f = h.pick(["id", "source", "subject", "time", "datacontenttype"]);
      const v = h.pick(WRONG_TYPES.filter((w) => typeof w !== "string"));
      return {
        what: `nudge with ${f} = ${JSON.stringify(v)}`,
        value: withField(base, [f], v),
        reasons: ["SchemaViolation"],
        fields: [`/${f}`],
      };
    }
    case 2: {
      const v = notDns(h);
      return {
        what: "nudge with a hostile subject",
        value: withField(base, ["subject"], v),
        reasons: ["SchemaViolation"],
        fields: ["/subject"],
        planted: planted(v),
      };
    }
    case 3: {
      const v = notDns(h);
      const value = withField(withField(base, ["subject"], v), ["data", "node"], v);
      return {
        what: "nudge with a hostile node name in subject and data.node",
        value,
        reasons: ["SchemaViolation"],
        fields: ["/subject", "/data/node"],
        planted: planted(v),
      };
    }
    case 4: {
      const v = h.string();
      return {
        what: "nudge with a hostile type",
        value: withField(base, ["type"], v),
        reasons: ["UnsupportedEventType"],
        fields: ["/type"],
        planted: planted(v),
      };
    }
    case 5: {
      const v = h.string();
      return {
        what: "nudge with a hostile time",
        value: withField(base, ["time"], v),
        reasons: ["SchemaViolation", "Oversize"],
        fields: ["/time", ""],
        planted: planted(v),
      };
    }
    case 6: {
      const v = h.string();
      const bad = !ID.test(v) || v.length > 128;
      return {
        what: "nudge with a hostile id",
        value: withField(base, ["id"], v),
        reasons: ["SchemaViolation", "Oversize"],
        fields: ["/id", ""],
        planted: planted(v),
        mayAccept: !bad,
      };
    }
    case 7: {
      const v = h.string();
      // A URI-reference is a loose grammar: "../../etc/passwd" is one. `source` is never acted on.
      return {
        what: "nudge with a hostile source",
        value: withField(base, ["source"], v),
        reasons: ["SchemaViolation", "Oversize"],
        fields: ["/source", ""],
        planted: planted(v),
        mayAccept: true,
      };
    }
    case 8: {
      const f = h.pick(["available", "used", "needed", "excess"]);
      const v = h.pick([-1, 1.5, 1_000_001, "8", null, [], {}, true]);
      const data = {
        ...(base.data as Record<string, unknown>),
        observed: { available: 1, used: 1, needed: 1, excess: 0, [f]: v },
      };
      return {
        what: `nudge with observed.${f} = ${JSON.stringify(v)}`,
        value: { ...base, data },
        reasons: ["SchemaViolation"],
        fields: [`/data/observed/${f}`],
      };
    }
    case 9: {
      const name = h.chance(0.5) ? notDns(h) : h.pick(["Traceparent", "a_b", "x".repeat(21), "__proto__", "é"]);
      const value = withField(base, [name], h.value());
      // The field pointer names the bad attribute (cut to 64 characters, escaped): a name is where, not a value.
      return {
        what: "nudge with a hostile extension attribute",
        value,
        reasons: ["SchemaViolation", "Oversize"],
        fields: [""],
      };
    }
    case 10: {
      const v = h.oversize(5000, 20000);
      return {
        what: "nudge over 4 KiB",
        value: withField(base, ["data", "uid"], v),
        reasons: ["Oversize"],
        fields: [""],
      };
    }
    default: {
      const v = h.pick(["0.3", "1", 1, null, "1.0 "]);
      return {
        what: `nudge with specversion ${JSON.stringify(v)}`,
        value: withField(base, ["specversion"], v),
        reasons: ["SchemaViolation"],
        fields: ["/specversion"],
      };
    }
  }
}

const OCID_INSTANCE = /^ocid1\.instance\.[A-Za-z0-9._-]+$/;
const OCID_COMPARTMENT = /^ocid1\.(compartment|tenancy)\.[A-Za-z0-9._-]+$/;

/** An OCI Events envelope with one thing wrong. */
export function badOciEvent(h: Hostile): BadRecord {
  return sizeFirst(badOciEventOfAnySize(h), OCI_EVENT_MAX_BYTES);
}

function badOciEventOfAnySize(h: Hostile): BadRecord {
  const base = validOciEvent(h).value as Record<string, unknown>;
  switch (h.int(0, 7)) {
    case 0: {
      const f = h.pick(["eventType", "eventID", "eventTime", "source", "data"]);
      return {
        what: `OCI event without ${f}`,
        value: withField(base, [f], undefined, true),
        reasons: ["SchemaViolation"],
        fields: [`/${f}`],
      };
    }
    case 1: {
      const f = h.pick(["resourceId", "compartmentId"]);
      return {
        what: `OCI event without data.${f}`,
        value: withField(base, ["data", f], undefined, true),
        reasons: ["SchemaViolation"],
        fields: [`/data/${f}`],
      };
    }
    case 2: {
      const v = h.string();
      const ok = typeof v === "string" && OCID_INSTANCE.test(v) && v.length <= 255;
      return {
        what: "OCI event with a hostile resourceId",
        value: withField(base, ["data", "resourceId"], v),
        reasons: ["SchemaViolation", "Oversize"],
        fields: ["/data/resourceId", ""],
        planted: planted(v),
        mayAccept: ok,
      };
    }
    case 3: {
      const v = h.string();
      const ok = OCID_COMPARTMENT.test(v) && v.length <= 255;
      return {
        what: "OCI event with a hostile compartmentId",
        value: withField(base, ["data", "compartmentId"], v),
        reasons: ["SchemaViolation", "Oversize"],
        fields: ["/data/compartmentId", ""],
        planted: planted(v),
        mayAccept: ok,
      };
    }
    case 4: {
      const v = h.string();
      const empty = v.length === 0 || v.length > 256;
      return {
        what: "OCI event with a hostile eventType",
        value: withField(base, ["eventType"], v),
        reasons: empty ? ["SchemaViolation", "Oversize"] : ["UnsupportedEventType", "Oversize"],
        fields: ["/eventType", ""],
        planted: planted(v),
      };
    }
    case 5: {
      const v = h.pick(
        WRONG_TYPES.filter((w) => typeof w !== "string" && !(typeof w === "object" && w !== null && !Array.isArray(w))),
      );
      return {
        what: `OCI event with freeformTags value ${JSON.stringify(v)}`,
        value: withField(base, ["data", "freeformTags"], { team: v }),
        reasons: ["SchemaViolation"],
        fields: ["/data/freeformTags/team"],
      };
    }
    case 6: {
      const v = h.pick(["0.2", "1.0", 0.1, null]);
      return {
        what: `OCI event with cloudEventsVersion ${JSON.stringify(v)}`,
        value: withField(base, ["cloudEventsVersion"], v),
        reasons: ["SchemaViolation"],
        fields: ["/cloudEventsVersion"],
      };
    }
    default: {
      const value = withField(base, ["data", "additionalDetails"], { blob: h.oversize(70_000, 80_000) });
      return { what: "OCI event over 64 KiB", value, reasons: ["Oversize"], fields: [""] };
    }
  }
}

/** A Connector Hub message with one thing wrong (the message itself, its key, or its encoded value). */
export function badMessage(h: Hostile, offset: number): BadRecord {
  const record = validNudge(h);
  const good = asMessage(record, offset);
  switch (h.int(0, 11)) {
    case 0: {
      const v = h.pick(WRONG_TYPES.filter((w) => typeof w !== "object" || w === null || Array.isArray(w)));
      return { what: `message ${JSON.stringify(v)}`, value: v, reasons: ["SchemaViolation"], fields: [""] };
    }
    case 1: {
      const f = h.pick(["stream", "partition", "value", "offset"]);
      return {
        what: `message without ${f}`,
        value: withField(good, [f], undefined, true),
        reasons: ["SchemaViolation"],
        fields: [`/${f}`],
      };
    }
    case 2: {
      const f = h.pick(["offset", "partition", "stream", "value"]);
      const v = h.pick(
        f === "offset"
          ? [-1, 1.5, "1", null, {}]
          : f === "partition"
            ? [-1, null, {}, [], "", "x".repeat(65)]
            : [1, null, {}, []],
      );
      return {
        what: `message with ${f} = ${JSON.stringify(v)}`,
        value: withField(good, [f], v),
        reasons: ["SchemaViolation"],
        fields: [`/${f}`],
      };
    }
    case 3: {
      const v = h.string();
      const notBase64 = /[^A-Za-z0-9+/=]/.test(v) || v.length % 4 !== 0;
      if (!notBase64) return badMessage(h, offset);
      return {
        what: "message whose value is not base64",
        value: withField(good, ["value"], v),
        reasons: ["InvalidBase64", "Oversize"],
        fields: ["/value"],
        planted: planted(v),
      };
    }
    case 4:
      return {
        what: "message whose value is not UTF-8",
        value: withField(good, ["value"], Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString("base64")),
        reasons: ["InvalidUtf8"],
        fields: ["/value"],
      };
    case 5: {
      const v = h.pick(MALFORMED_JSON);
      return {
        what: "message whose value is not JSON",
        value: withField(good, ["value"], b64(v)),
        reasons: ["InvalidJson", "SchemaViolation"],
        fields: ["/value"],
      };
    }
    case 6: {
      const inner = h.chance(0.6) ? badNudge(h) : badOciEvent(h);
      if (inner.mayAccept) return badMessage(h, offset);
      let json: string;
      try {
        json = JSON.stringify(inner.value) ?? "null";
      } catch {
        return badMessage(h, offset);
      }
      // Keys follow the subject when the mutated nudge still has a usable one; otherwise no key (null is allowed).
      return {
        what: `message carrying a ${inner.what}`,
        value: { ...good, key: null, value: b64(json) },
        reasons: [...inner.reasons, "Oversize"],
        fields: inner.fields.map((f) => `/value${f}`).concat(["/value"]),
        ...(inner.planted ? { planted: inner.planted } : {}),
      };
    }
    case 7: {
      let other = nodeName(h);
      while (record.kind === "nudge" && other === record.node) other = nodeName(h);
      return {
        what: "message whose key is another node",
        value: withField(good, ["key"], b64(other)),
        reasons: ["KeyMismatch"],
        fields: ["/key"],
      };
    }
    case 8: {
      const v = h.string();
      if (!/[^A-Za-z0-9+/=]/.test(v) && v.length % 4 === 0) return badMessage(h, offset);
      return {
        what: "message whose key is not base64",
        value: withField(good, ["key"], v),
        reasons: ["InvalidBase64", "Oversize"],
        fields: ["/key"],
        planted: planted(v),
      };
    }
    case 9:
      return {
        what: "message whose key is over 256 bytes",
        value: withField(good, ["key"], b64("k".repeat(h.int(257, 2000)))),
        reasons: ["Oversize"],
        fields: ["/key"],
      };
    case 10:
      return {
        what: "message whose key is not UTF-8",
        value: withField(good, ["key"], Buffer.from([0xc3, 0x28]).toString("base64")),
        reasons: ["InvalidUtf8"],
        fields: ["/key"],
      };
    default:
      return {
        what: "message whose value is over the event cap",
        value: withField(good, ["value"], b64("x".repeat(h.int(65_537, 120_000)))),
        reasons: ["Oversize"],
        fields: ["/value"],
      };
  }
}
