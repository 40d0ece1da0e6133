/**
 * What a request is about, parsed from its method and URL as k8s.io/apiserver pkg/endpoints/request/
 * requestinfo.go does: resource requests under /api/v1 and /apis/<group>/<version>, everything else a
 * non-resource request (verb = lower-case HTTP method). The verb of a collection GET is list, or watch with
 * watch=true; a list or watch with fieldSelector metadata.name=<x> is authorized against name <x>.
 */
export interface RequestInfo {
  resourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix: "api" | "apis" | "";
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  /** The name authorization sees (the URL's, or the metadata.name of a field selector on a list/watch). */
  name: string;
  /** The name in the URL path; empty for collection requests. */
  pathName: string;
  /** Path segments after the resource name and subresource (unsupported; answered 404). */
  extra: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

function methodVerb(method: string): string {
  switch (method) {
    case "POST":
      return "create";
    case "GET":
    case "HEAD":
      return "get";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return "delete";
    default:
      return "";
  }
}

function fieldSelectorName(selector: string | null): string | undefined {
  if (!selector) return undefined;
  const parts = selector.split(",").map((p) => p.trim());
  for (const p of parts) {
    const m = /^metadata\.name\s*==?\s*(.*)$/.exec(p);
    if (m && !m[1].includes("/") && m[1] !== "" && m[1] !== "." && m[1] !== "..")
      return m[1].replace(/\\([\\,=])/g, "$1");
  }
  return undefined;
}

export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const info: RequestInfo = {
    resourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: "",
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    pathName: "",
    extra: [],
  };
  const segments = path
    .split("/")
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  let rest: string[];
  if (segments[0] === "api") {
    if (segments.length < 3) return info; // /api and /api/v1 are discovery
    info.apiPrefix = "api";
    info.apiVersion = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === "apis") {
    if (segments.length < 4) return info; // /apis, /apis/<g>, /apis/<g>/<v> are discovery
    info.apiPrefix = "apis";
    info.apiGroup = segments[1];
    info.apiVersion = segments[2];
    rest = segments.slice(3);
  } else {
    return info;
  }
  info.resourceRequest = true;
  info.verb = methodVerb(method);
  if (rest[0] === "namespaces" && rest.length > 1) {
    info.namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  info.resource = rest[0] ?? "";
  info.name = rest[1] ?? "";
  info.pathName = info.name;
  info.subresource = rest[2] ?? "";
  info.extra = rest.slice(3);
  if (info.resource === "namespaces" && info.name === "") info.namespace = "";

  const watch = url.searchParams.get("watch");
  const isWatch = watch === "true" || watch === "1";
  if (info.verb === "get" && info.name === "") {
    info.verb = isWatch ? "watch" : "list";
    const byName = fieldSelectorName(url.searchParams.get("fieldSelector"));
    if (byName) info.name = byName;
  } else if (info.verb === "get" && isWatch) {
    info.verb = "watch";
  }
  if (info.verb === "delete" && info.name === "") info.verb = "deletecollection";
  return info;
}
