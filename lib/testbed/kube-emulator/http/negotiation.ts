/**
 * Accept-header negotiation (k8s.io/apiserver pkg/endpoints/handlers/negotiation): the first acceptable media
 * type in the client's order wins. JSON is served, YAML for plain objects, and the meta.k8s.io/v1 (or v1beta1)
 * transformations Table and PartialObjectMetadata(List) that kubectl and informers request. Protobuf and CBOR
 * are not served; a client that accepts nothing else gets 406.
 */
export type Output =
  | { kind: "json" }
  | { kind: "yaml" }
  | { kind: "table"; version: string }
  | { kind: "partial"; version: string; list: boolean };

export const SERVED_MEDIA_TYPES = ["application/json", "application/yaml"];

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || header.trim() === "") return [{ type: "*/*", params: {}, q: 1 }];
  const ranges = header.split(",").map((part, index) => {
    const [type, ...rawParams] = part.split(";").map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const [k, v] = p.split("=").map((s) => s.trim());
      if (k) params[k] = v ?? "";
    }
    const q = params.q !== undefined ? Number(params.q) : 1;
    return { type: type.toLowerCase(), params, q: Number.isNaN(q) ? 1 : q, index };
  });
  // Stable sort by quality, keeping the client's order among equals.
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index).filter((r) => r.q > 0);
}

/** The output for a request, or undefined when nothing acceptable is served (answer 406). */
export function negotiate(accept: string | undefined): Output | undefined {
  for (const r of parseAccept(accept)) {
    const jsonish = r.type === "application/json" || r.type === "*/*" || r.type === "application/*";
    if (r.params.as !== undefined) {
      if (r.type !== "application/json") continue;
      const okGroup = r.params.g === "meta.k8s.io" && (r.params.v === "v1" || r.params.v === "v1beta1");
      if (!okGroup) continue;
      if (r.params.as === "Table") return { kind: "table", version: r.params.v };
      if (r.params.as === "PartialObjectMetadata") return { kind: "partial", version: r.params.v, list: false };
      if (r.params.as === "PartialObjectMetadataList") return { kind: "partial", version: r.params.v, list: true };
      continue;
    }
    if (jsonish) return { kind: "json" };
    if (r.type === "application/yaml") return { kind: "yaml" };
  }
  return undefined;
}
