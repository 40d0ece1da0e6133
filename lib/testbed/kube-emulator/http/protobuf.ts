import type { JsonObject } from "../json";

/**
 * Just enough of the Kubernetes protobuf encoding to read a SelfSubjectAccessReview: kubectl's typed clients
 * (e.g. `kubectl auth can-i`) send built-in kinds as `application/vnd.kubernetes.protobuf`. The envelope is
 * "k8s\0" + runtime.Unknown {1: typeMeta, 2: raw, 3: contentEncoding, 4: contentType} (apimachinery
 * runtime/serializer/protobuf); the message layout is k8s.io/api/authorization/v1 generated.proto
 * (SelfSubjectAccessReview {1 metadata, 2 spec}; Spec {1 resourceAttributes, 2 nonResourceAttributes};
 * ResourceAttributes {1 namespace, 2 verb, 3 group, 4 version, 5 resource, 6 subresource, 7 name};
 * NonResourceAttributes {1 path, 2 verb}). Other kinds are not decoded (the server answers 415).
 */
export class ProtobufError extends Error {}

type Fields = Map<number, Buffer[]>;

function varint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new ProtobufError("truncated varint");
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
    if (shift > 63) throw new ProtobufError("varint too long");
  }
}

/** Length-delimited fields by number (other wire types are skipped). */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = varint(buf, pos);
    pos = next;
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        pos = varint(buf, pos)[1];
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const [n, start] = varint(buf, pos);
        if (start + n > buf.length) throw new ProtobufError("truncated field");
        out.set(field, [...(out.get(field) ?? []), buf.subarray(start, start + n)]);
        pos = start + n;
        break;
      }
      default:
        throw new ProtobufError(`unsupported wire type ${key & 7}`);
    }
  }
  return out;
}

function str(f: Fields, n: number): string | undefined {
  const v = f.get(n)?.[0];
  return v === undefined ? undefined : v.toString("utf8");
}

function message(f: Fields, n: number): Fields | undefined {
  const v = f.get(n)?.[0];
  return v === undefined ? undefined : fields(v);
}

function compact(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/** Decodes a protobuf SelfSubjectAccessReview body into its JSON form. */
export function decodeSelfSubjectAccessReview(body: Buffer): JsonObject {
  if (body.length < 4 || body.subarray(0, 4).toString("latin1") !== "k8s\u0000")
    throw new ProtobufError("missing k8s protobuf magic");
  const unknown = fields(body.subarray(4));
  const raw = unknown.get(2)?.[0];
  if (!raw) throw new ProtobufError("no raw object in the envelope");
  const review = fields(raw);
  const spec = message(review, 2);
  const ra = spec && message(spec, 1);
  const nra = spec && message(spec, 2);
  return {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    spec: {
      ...(ra
        ? {
            resourceAttributes: compact({
              namespace: str(ra, 1),
              verb: str(ra, 2),
              group: str(ra, 3),
              version: str(ra, 4),
              resource: str(ra, 5),
              subresource: str(ra, 6),
              name: str(ra, 7),
            }),
          }
        : {}),
      ...(nra ? { nonResourceAttributes: compact({ path: str(nra, 1), verb: str(nra, 2) }) } : {}),
    },
  };
}
