import type { IncomingMessage, ServerResponse } from "node:http";
import YAML from "yaml";
import type { Log } from "../../../log";
import { ANONYMOUS_USER, ADMIN_USER, serviceAccountUser, type TokenRegistry, type UserInfo } from "../auth";
import { secretTokenValid } from "../token-controller";
import { createHash } from "node:crypto";
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiV3GroupVersion,
  openApiV3Root,
  versionInfo,
} from "../discovery";
import { isObject, type JsonObject } from "../json";
import { metaOf } from "../object-meta";
import type { ApiOperations, WatchHandle, WriteOptions } from "../operations";
import { authorize, forbiddenMessage, type Attributes } from "../rbac";
import { groupResource, groupVersion, typeKey, type ResourceType } from "../resource-type";
import { GoStringSlice, KubeStatusError, failure, fieldErrors, statusErrors, type StatusBody } from "../status";
import { toTable } from "../table";
import { negotiate, SERVED_MEDIA_TYPES, type Output } from "./negotiation";
import { decodeSelfSubjectAccessReview, ProtobufError } from "./protobuf";
import { parseRequestInfo, type RequestInfo } from "./request-info";

/**
 * The HTTP face of the emulator: authentication (bearer tokens), RBAC authorization, discovery, and the REST
 * verbs mapped onto ApiOperations, with kube-apiserver's status codes, content negotiation and watch streaming
 * (newline-delimited `{"type":...,"object":...}` JSON over a chunked 200 response, handlers/watch.go).
 */
export interface HttpServerOptions {
  ops: ApiOperations;
  tokens: TokenRegistry;
  log: Log;
  /** host:port reported by /api's serverAddressByClientCIDRs. */
  serverAddress: () => string;
  /** Delay before every write (create/update/patch/delete), to model API latency; 0 = none. */
  writeLatencyMs: number;
  /** Interval of periodic BOOKMARK events on watches that allow them (the cacher sends one about every minute). */
  bookmarkIntervalMs: number;
}

/** Request bodies over this size answer 413, like kube-apiserver's 3 MiB limit. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

interface ActiveWatch {
  res: ServerResponse;
  handle: WatchHandle;
  close(): void;
}

export class KubeHttpServer {
  private readonly watches = new Set<ActiveWatch>();

  constructor(private readonly opts: HttpServerOptions) {}

  /** Ends every open watch stream (as a server-side timeout would); clients then re-watch. */
  closeWatches(): void {
    for (const w of [...this.watches]) w.close();
  }

  /** Sends a BOOKMARK on every open watch that allowed bookmarks. */
  bookmarkAll(): void {
    for (const w of this.watches) w.handle.bookmark();
  }

  /** Number of open watch streams (for tests that wait for a client to be watching). */
  openWatchCount(): number {
    return this.watches.size;
  }

  /** The request listener for node:http. Never throws: every failure becomes a Status response. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const started = Date.now();
    this.dispatch(req, res)
      .catch((err: unknown) => {
        const status = err instanceof KubeStatusError ? err.status : statusErrors.internal(err).status;
        if (!(err instanceof KubeStatusError))
          this.opts.log.error({ err, path: req.url }, "kube emulator internal error");
        this.sendStatus(res, status);
      })
      .finally(() => {
        this.opts.log.debug(
          { method: req.method, url: req.url, status: res.statusCode, ms: Date.now() - started },
          "kube request",
        );
      });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator.local");
    const method = (req.method ?? "GET").toUpperCase();
    const info = parseRequestInfo(method, url);
    const user = this.authenticate(req);
    this.authorize(user, info);

    if (!info.resourceRequest) {
      this.serveNonResource(info, method, req, res);
      return;
    }
    const rt = this.opts.ops.registry.lookup(info.apiGroup, info.apiVersion, info.resource);
    if (!rt || info.extra.length > 0 || (info.apiPrefix === "api") !== (rt.group === ""))
      throw statusErrors.generic(404);
    // customresource_handler.go: a scope the resource does not have is a 404 (list/watch may span namespaces).
    if (!rt.namespaced && info.namespace && info.resource !== "namespaces") throw statusErrors.generic(404);
    if (
      rt.namespaced &&
      !info.namespace &&
      !(info.verb === "list" || info.verb === "watch" || info.verb === "deletecollection")
    ) {
      throw statusErrors.generic(404);
    }
    if (info.subresource && !(info.subresource === "status" && rt.statusSubresource)) {
      throw statusErrors.notFound(groupResource(rt), info.pathName);
    }
    if (typeKey(rt) === "selfsubjectaccessreviews.authorization.k8s.io") {
      if (info.verb !== "create") throw statusErrors.methodNotSupported(groupResource(rt), info.verb);
      await this.selfSubjectAccessReview(user, req, res);
      return;
    }
    await this.serveResource(rt, info, url, req, res);
  }

  // ------------------------------------------------------------ authn / authz

  private authenticate(req: IncomingMessage): UserInfo {
    const header = req.headers.authorization;
    if (!header) return ANONYMOUS_USER;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw statusErrors.unauthorized();
    const who = this.opts.tokens.lookup(m[1]);
    if (!who) throw statusErrors.unauthorized();
    if (who.admin) return ADMIN_USER;
    // The service account token authenticator rejects tokens of deleted accounts, and a token Secret's token once
    // that Secret is gone or holds another token (legacy.go; token-controller.ts).
    if (!this.opts.ops.storage.get("serviceaccounts", `${who.namespace}/${who.name}`))
      throw statusErrors.unauthorized();
    const bound = who.secret
      ? { namespace: who.namespace, name: who.name, secret: who.secret, uid: who.uid ?? "" }
      : undefined;
    if (bound && !secretTokenValid(this.opts.ops, m[1], bound)) throw statusErrors.unauthorized();
    return serviceAccountUser(who.namespace, who.name);
  }

  private attributes(user: UserInfo, info: RequestInfo): Attributes {
    return {
      user,
      verb: info.verb,
      resourceRequest: info.resourceRequest,
      path: info.path,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    };
  }

  private authorize(user: UserInfo, info: RequestInfo): void {
    const attrs = this.attributes(user, info);
    if (authorize(this.opts.ops.storage, attrs).allowed) return;
    const gr = info.resourceRequest ? { group: info.apiGroup, resource: info.resource } : { group: "", resource: "" };
    throw statusErrors.forbidden(gr, info.name, forbiddenMessage(attrs));
  }

  // ------------------------------------------------------------ non-resource paths

  private serveNonResource(info: RequestInfo, method: string, req: IncomingMessage, res: ServerResponse): void {
    if (method !== "GET" && method !== "HEAD") {
      this.sendPlain(res, 405, "405: Method Not Allowed\n");
      return;
    }
    const registry = this.opts.ops.registry;
    const parts = info.path.split("/").filter(Boolean);
    let doc: JsonObject | undefined;
    if (info.path === "/version" || info.path === "/version/") doc = versionInfo();
    else if (["/healthz", "/livez", "/readyz"].includes(info.path)) {
      this.sendPlain(res, 200, "ok");
      return;
    } else if (parts[0] === "api" && parts.length === 1) doc = apiVersions(this.opts.serverAddress());
    else if (parts[0] === "api" && parts.length === 2) doc = apiResourceList(registry, "", parts[1]);
    else if (parts[0] === "apis" && parts.length === 1) doc = apiGroupList(registry);
    else if (parts[0] === "apis" && parts.length === 2) doc = apiGroup(registry, parts[1]);
    else if (parts[0] === "apis" && parts.length === 3) doc = apiResourceList(registry, parts[1], parts[2]);
    else if (parts[0] === "openapi" && parts[1] === "v3" && parts.length === 2) {
      doc = openApiV3Root(registry, (d) =>
        createHash("sha256").update(JSON.stringify(d)).digest("hex").slice(0, 32).toUpperCase(),
      );
    } else if (parts[0] === "openapi" && parts[1] === "v3" && parts[2] === "api" && parts.length === 4)
      doc = openApiV3GroupVersion(registry, "", parts[3]);
    else if (parts[0] === "openapi" && parts[1] === "v3" && parts[2] === "apis" && parts.length === 5)
      doc = openApiV3GroupVersion(registry, parts[3], parts[4]);
    if (!doc) {
      if (parts[0] === "api" || parts[0] === "apis") {
        this.sendStatus(res, statusErrors.generic(404).status);
        return;
      }
      // /openapi/v2 and anything else: the apiserver's NotFound handler.
      this.sendPlain(res, 404, "404 page not found\n");
      return;
    }
    this.sendJson(res, 200, doc, req);
  }

  // ------------------------------------------------------------ resources

  private async serveResource(
    rt: ResourceType,
    info: RequestInfo,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const ops = this.opts.ops;
    const q = url.searchParams;
    const ns = info.namespace || undefined;
    const name = info.resource === "namespaces" && !info.pathName ? "" : info.pathName;
    const version = info.apiVersion;
    const output = negotiate(req.headers.accept);
    if (!output) throw statusErrors.notAcceptable(SERVED_MEDIA_TYPES);
    if (DRY_RUN_OPTIONS_KIND[info.verb]) validateDryRun(DRY_RUN_OPTIONS_KIND[info.verb], q.getAll("dryRun"));
    const writeOpts: WriteOptions = {
      dryRun: q.getAll("dryRun").includes("All"),
      fieldValidation: q.get("fieldValidation") ?? undefined,
    };

    switch (info.verb) {
      case "get": {
        if (!name) throw statusErrors.generic(405);
        const obj = ops.get(rt, ns, name, version);
        this.sendObject(res, 200, rt, version, obj, output, req);
        return;
      }
      case "list": {
        const result = ops.list(
          rt,
          ns,
          {
            labelSelector: q.get("labelSelector") ?? undefined,
            fieldSelector: q.get("fieldSelector") ?? undefined,
            limit: q.get("limit") ? Number(q.get("limit")) : undefined,
            continue: q.get("continue") ?? undefined,
            resourceVersion: q.get("resourceVersion") ?? undefined,
            resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
          },
          version,
        );
        const listMeta = {
          resourceVersion: result.resourceVersion,
          ...(result.continue ? { continue: result.continue } : {}),
          ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
        };
        if (output.kind === "table") {
          this.sendJson(
            res,
            200,
            toTable(rt, version, result.items, listMeta, { includeObject: q.get("includeObject") ?? undefined }),
            req,
          );
        } else if (output.kind === "partial") {
          this.sendJson(
            res,
            200,
            {
              kind: "PartialObjectMetadataList",
              apiVersion: `meta.k8s.io/${output.version}`,
              metadata: listMeta,
              items: result.items.map((o) => ({
                kind: "PartialObjectMetadata",
                apiVersion: `meta.k8s.io/${output.version}`,
                metadata: o.metadata,
              })),
            },
            req,
          );
        } else {
          const body = {
            apiVersion: groupVersion(rt, version),
            items: result.items,
            kind: rt.listKind,
            metadata: listMeta,
          };
          this.sendBody(res, 200, body, output, req);
        }
        return;
      }
      case "watch":
        this.startWatch(rt, ns, name, version, q, output, req, res);
        return;
      case "create": {
        if (name) throw statusErrors.generic(405);
        await this.latency();
        const body = await this.readObjectBody(req);
        const result = ops.create(rt, ns, body, writeOpts);
        this.sendObject(res, 201, rt, version, result.object, output, req, result.warnings);
        return;
      }
      case "update": {
        await this.latency();
        const body = await this.readObjectBody(req);
        const result = ops.update(rt, ns, name, body, info.subresource || undefined, writeOpts);
        this.sendObject(res, 200, rt, version, result.object, output, req, result.warnings);
        return;
      }
      case "patch": {
        await this.latency();
        const contentType = String(req.headers["content-type"] ?? "");
        // Reject an unsupported patch type before reading the body, as PatchResource does.
        const type = contentType.split(";")[0].trim().toLowerCase();
        if (!rt.patchTypes.includes(type)) throw statusErrors.unsupportedMediaType(rt.patchTypes);
        const raw = await this.readBody(req);
        let patch: unknown;
        try {
          patch = JSON.parse(raw.toString("utf8") || "null");
        } catch (err) {
          throw statusErrors.badRequest(
            type === "application/merge-patch+json"
              ? "Invalid JSON Patch"
              : `error decoding patch: ${(err as Error).message}`,
          );
        }
        const result = ops.patch(rt, ns, name, contentType, patch, info.subresource || undefined, writeOpts);
        this.sendObject(res, 200, rt, version, result.object, output, req, result.warnings);
        return;
      }
      case "delete": {
        await this.latency();
        const raw = await this.readBody(req);
        let options: JsonObject = {};
        if (raw.length > 0) {
          try {
            const parsed: unknown = JSON.parse(raw.toString("utf8"));
            if (isObject(parsed)) options = parsed;
          } catch {
            throw statusErrors.badRequest("couldn't decode DeleteOptions: invalid JSON");
          }
        }
        const pre = isObject(options.preconditions)
          ? (options.preconditions as { uid?: string; resourceVersion?: string })
          : undefined;
        if (Array.isArray(options.dryRun)) validateDryRun("DeleteOptions", options.dryRun.map(String));
        const dryRun = writeOpts.dryRun || (Array.isArray(options.dryRun) && options.dryRun.includes("All"));
        const result = ops.delete(rt, ns, name, { preconditions: pre, dryRun });
        if ((result.body as JsonObject).kind === "Status") this.sendJson(res, 200, result.body as JsonObject, req);
        else this.sendObject(res, 200, rt, version, result.body as JsonObject, output, req);
        return;
      }
      case "deletecollection": {
        await this.latency();
        const deleted = ops.deleteCollection(rt, ns, {
          labelSelector: q.get("labelSelector") ?? undefined,
          fieldSelector: q.get("fieldSelector") ?? undefined,
        });
        const body = {
          apiVersion: groupVersion(rt, version),
          items: deleted,
          kind: rt.listKind,
          metadata: { resourceVersion: String(ops.storage.currentRevision()) },
        };
        this.sendJson(res, 200, body, req);
        return;
      }
      default:
        throw statusErrors.methodNotSupported(groupResource(rt), info.verb || String(req.method));
    }
  }

  private startWatch(
    rt: ResourceType,
    ns: string | undefined,
    name: string,
    version: string,
    q: URLSearchParams,
    output: Output,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    let fieldSelector = q.get("fieldSelector") ?? undefined;
    if (name) fieldSelector = fieldSelector ? `${fieldSelector},metadata.name=${name}` : `metadata.name=${name}`;
    const allowBookmarks = q.get("allowWatchBookmarks") === "true";
    const sendInitial = q.get("sendInitialEvents");
    const timeoutSeconds = q.get("timeoutSeconds") ? Number(q.get("timeoutSeconds")) : undefined;
    let tableHeadersSent = false;
    let open = true;
    let pending: string[] | undefined = [];
    const write = (type: string, object: JsonObject): void => {
      if (!open) return;
      let payload: unknown = object;
      // watchEmbeddedEncoder: Table rows per event, headers only on the first; Status passes through.
      if (output.kind === "table" && object.kind !== "Status" && type !== "BOOKMARK") {
        payload = toTable(
          rt,
          version,
          [object],
          {},
          { includeObject: q.get("includeObject") ?? undefined, noHeaders: tableHeadersSent },
        );
        tableHeadersSent = true;
      } else if (output.kind === "partial" && object.kind !== "Status") {
        payload = {
          kind: "PartialObjectMetadata",
          apiVersion: `meta.k8s.io/${output.version}`,
          metadata: object.metadata,
        };
      }
      const line = `${JSON.stringify({ type, object: payload })}\n`;
      // Events produced while the watch starts (initial ADDED, a 410 ERROR) wait until the headers are out.
      if (pending) pending.push(line);
      else res.write(line);
    };

    let timers: NodeJS.Timeout[] = [];
    let handle: WatchHandle | undefined;
    const active: ActiveWatch = {
      res,
      handle: { bookmark: () => handle?.bookmark(), stop: () => handle?.stop() },
      close: () => {
        if (!open) return;
        open = false;
        handle?.stop();
        for (const t of timers) clearTimeout(t);
        timers = [];
        this.watches.delete(active);
        res.end();
      },
    };
    // Start the watch before answering: a bad selector or resourceVersion must still be an HTTP error.
    handle = this.opts.ops.watch(
      rt,
      ns,
      {
        labelSelector: q.get("labelSelector") ?? undefined,
        fieldSelector,
        resourceVersion: q.get("resourceVersion") ?? undefined,
        resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
        sendInitialEvents: sendInitial === null ? undefined : sendInitial === "true",
        allowWatchBookmarks: allowBookmarks,
      },
      {
        event: (type, object) => write(type, object),
        error: (status: StatusBody) => {
          write("ERROR", status as unknown as JsonObject);
          // errWatcher: the result channel closes after the error, so the stream ends.
          setImmediate(() => active.close());
        },
      },
      version,
    );
    this.watches.add(active);
    req.on("close", () => active.close());
    res.on("close", () => active.close());
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Transfer-Encoding": "chunked",
      "Cache-Control": "no-cache, private",
    });
    res.flushHeaders();
    for (const line of pending ?? []) res.write(line);
    pending = undefined;
    if (allowBookmarks && this.opts.bookmarkIntervalMs > 0) {
      const tick = (): void => {
        handle?.bookmark();
        timers.push(setTimeout(tick, this.opts.bookmarkIntervalMs).unref());
      };
      timers.push(setTimeout(tick, this.opts.bookmarkIntervalMs).unref());
    }
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      timers.push(
        setTimeout(() => {
          // The cacher sends a last bookmark before the watch's deadline so the client resumes from it.
          handle?.bookmark();
          active.close();
        }, timeoutSeconds * 1000).unref(),
      );
    }
  }

  private async selfSubjectAccessReview(user: UserInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: JsonObject;
    if (String(req.headers["content-type"] ?? "").startsWith("application/vnd.kubernetes.protobuf")) {
      // kubectl auth can-i sends this built-in kind as protobuf (and accepts a JSON answer).
      try {
        body = decodeSelfSubjectAccessReview(await this.readBody(req));
      } catch (err) {
        if (err instanceof ProtobufError)
          throw statusErrors.badRequest(`unable to decode protobuf SelfSubjectAccessReview: ${err.message}`);
        throw err;
      }
    } else body = await this.readObjectBody(req);
    const spec = isObject(body.spec) ? body.spec : {};
    const ra = isObject(spec.resourceAttributes) ? (spec.resourceAttributes as Record<string, string>) : undefined;
    const nra = isObject(spec.nonResourceAttributes)
      ? (spec.nonResourceAttributes as Record<string, string>)
      : undefined;
    if (!ra && !nra) {
      throw statusErrors.invalid({ group: "authorization.k8s.io", kind: "SelfSubjectAccessReview" }, "", [
        {
          type: "FieldValueRequired",
          field: "spec.resourceAttributes",
          badValue: "",
          detail: "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        },
      ]);
    }
    const attrs: Attributes = ra
      ? {
          user,
          verb: ra.verb ?? "",
          resourceRequest: true,
          path: "",
          apiGroup: ra.group ?? "",
          apiVersion: ra.version ?? "",
          resource: ra.resource ?? "",
          subresource: ra.subresource ?? "",
          namespace: ra.namespace ?? "",
          name: ra.name ?? "",
        }
      : {
          user,
          verb: nra?.verb ?? "",
          resourceRequest: false,
          path: nra?.path ?? "",
          apiGroup: "",
          apiVersion: "",
          resource: "",
          subresource: "",
          namespace: "",
          name: "",
        };
    const decision = authorize(this.opts.ops.storage, attrs);
    this.sendJson(
      res,
      201,
      {
        kind: "SelfSubjectAccessReview",
        apiVersion: "authorization.k8s.io/v1",
        metadata: { creationTimestamp: null },
        spec,
        status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
      },
      req,
    );
  }

  // ------------------------------------------------------------ bodies

  private async latency(): Promise<void> {
    if (this.opts.writeLatencyMs > 0) await new Promise((r) => setTimeout(r, this.opts.writeLatencyMs));
  }

  private readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          reject(
            new KubeStatusError(failure(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728")),
          );
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });
  }

  /** A create/update body: JSON (default) or YAML; other content types answer 415. */
  private async readObjectBody(req: IncomingMessage): Promise<JsonObject> {
    const type = String(req.headers["content-type"] ?? "application/json")
      .split(";")[0]
      .trim()
      .toLowerCase();
    if (type !== "application/json" && type !== "application/yaml" && type !== "")
      throw statusErrors.unsupportedMediaType(SERVED_MEDIA_TYPES);
    const raw = (await this.readBody(req)).toString("utf8");
    let parsed: unknown;
    try {
      parsed = type === "application/yaml" ? YAML.parse(raw) : JSON.parse(raw);
    } catch (err) {
      throw statusErrors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
    if (!isObject(parsed)) throw statusErrors.badRequest(`Object 'Kind' is missing in '${raw.slice(0, 200)}'`);
    return parsed;
  }

  // ------------------------------------------------------------ responses

  private sendObject(
    res: ServerResponse,
    code: number,
    rt: ResourceType,
    version: string,
    obj: JsonObject,
    output: Output,
    req: IncomingMessage,
    warnings: string[] = [],
  ): void {
    for (const w of warnings) res.appendHeader("Warning", `299 - ${JSON.stringify(w)}`);
    if (output.kind === "table") {
      this.sendJson(res, code, toTable(rt, version, [obj], { resourceVersion: metaOf(obj).resourceVersion }, {}), req);
    } else if (output.kind === "partial") {
      this.sendJson(
        res,
        code,
        { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${output.version}`, metadata: obj.metadata },
        req,
      );
    } else {
      this.sendBody(res, code, obj, output, req);
    }
  }

  private sendBody(res: ServerResponse, code: number, body: unknown, output: Output, req: IncomingMessage): void {
    if (output.kind === "yaml") {
      const text = YAML.stringify(body);
      res.writeHead(code, { "Content-Type": "application/yaml", "Content-Length": Buffer.byteLength(text) });
      res.end(req.method === "HEAD" ? undefined : text);
      return;
    }
    this.sendJson(res, code, body, req);
  }

  private sendJson(res: ServerResponse, code: number, body: unknown, req?: IncomingMessage): void {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
      "Cache-Control": "no-cache, private",
    });
    res.end(req?.method === "HEAD" ? undefined : text);
  }

  private sendStatus(res: ServerResponse, status: StatusBody): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    this.sendJson(res, status.code ?? 500, status);
  }

  private sendPlain(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, {
      "Content-Type": "text/plain; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  }
}

/** The options kind each write verb decodes its query into (apiserver handlers create.go, update.go, patch.go, ...). */
const DRY_RUN_OPTIONS_KIND: Record<string, string> = {
  create: "CreateOptions",
  update: "UpdateOptions",
  patch: "PatchOptions",
  delete: "DeleteOptions",
  deletecollection: "DeleteOptions",
};

/**
 * `dryRun` accepts only "All"; anything else is refused before the request is processed (apimachinery
 * pkg/apis/meta/v1/validation ValidateDryRun: field.NotSupported, answered as errors.NewInvalid of the options kind
 * in group meta.k8s.io). Without this a typo such as dryRun=true would write for real.
 */
function validateDryRun(optionsKind: string, values: string[]): void {
  if (values.every((v) => v === "All")) return;
  const error = fieldErrors.notSupported("dryRun", new GoStringSlice(values), ["All"]);
  throw statusErrors.invalid({ group: "meta.k8s.io", kind: optionsKind }, "", [error]);
}
