import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { authorize, parsePolicy, type CompartmentTree, type PolicyStatement, type Principal } from "../iam";
import { permissionsFor, type OciOperation } from "../../oci/permissions";
import type { Log } from "../../log";
import { checkOperationBody } from "./api/body-models";
import { Router } from "./api/router";
import type { AuthTarget, Reply, RequestContext, Route } from "./api/route";
import type { ScaledClock } from "./clock";
import type { Counters } from "./counters";
import type { Faults } from "./faults";
import { OciServiceError, notFound } from "./http/errors";
import { verifyRequestSignature } from "./http/signature";
import { requestLatency, type LatencyProfile } from "./latency";
import type { PrincipalRegistry } from "./principals";
import { RetryTokens } from "./retry-tokens";
import type { Throttle } from "./throttle";
import type { World } from "./world/world";

/** Largest request body accepted (PutMessages allows 1 MB of decoded payload; base64 and JSON add a third). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface PipelineParts {
  world: World;
  clock: ScaledClock;
  latency: LatencyProfile;
  principals: PrincipalRegistry;
  counters: Counters;
  faults: Faults;
  throttle: Throttle;
  retryTokens: RetryTokens;
  log: Log;
  /** Base URL, known once listening. */
  endpoint: () => string;
}

/** IAM settings, mutable at run time through the admin API. */
export interface IamSettings {
  enforce: boolean;
  statements: PolicyStatement[];
}

/**
 * The request pipeline for OCI paths, in the order a real service applies its checks:
 * route (404/405) → signature (401 NotAuthenticated) → throttle (429) → injected faults → body parse (400) →
 * IAM (404 NotAuthorizedOrNotFound) → retry token → modelled latency → handler. Every response carries
 * `opc-request-id` (`<client id>/<server id>` when the client sent one, as OCI does) and JSON `{code, message}` on
 * errors.
 */
export class OciPipeline {
  private readonly router = new Router();

  constructor(
    private readonly parts: PipelineParts,
    readonly iam: IamSettings,
  ) {}

  /** Replaces the policy statements (parsed now, so a bad statement fails here, not on a request). */
  setPolicies(statements: readonly string[]): void {
    this.iam.statements = parsePolicy(statements);
  }

  private compartmentTree(): CompartmentTree {
    const world = this.parts.world;
    return {
      tenancyId: world.tenancyId,
      resolve: (path) => world.resolveCompartment(path),
      lineage: (id) => world.lineage(id),
    };
  }

  private authorizeCall(operation: OciOperation, principal: Principal, target: AuthTarget): void {
    if (!this.iam.enforce) return;
    const checks = permissionsFor(operation, { nsgIds: target.nsgIds }).map((permission) => {
      const prefix = Object.keys(target.byPrefix ?? {}).find((p) => permission.startsWith(p));
      return { permission, compartmentId: prefix ? target.byPrefix![prefix] : target.compartmentId };
    });
    checks.push(...(target.extraChecks ?? []));
    const result = authorize(
      this.iam.statements,
      principal,
      { operation, checks, variables: target.variables },
      this.compartmentTree(),
    );
    if (!result.allowed) {
      this.parts.log.debug({ operation, principal: principal.id, missing: result.missing }, "IAM denied");
      // OCI answers an authorization failure exactly like a missing resource (apierrors.htm, NotAuthorizedOrNotFound).
      throw notFound(`${operation} (not authorized)`);
    }
  }

  /** Handles one request on an OCI path. Never throws. */
  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const { world, clock, counters, log } = this.parts;
    const started = Date.now();
    const clientId = headerOf(req, "opc-request-id");
    const requestId = clientId ? `${clientId}/${randomId()}` : randomId();
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = (req.method ?? "GET").toUpperCase();
    let operation: OciOperation | undefined;
    let status = 500;
    let principalId: string | undefined;
    try {
      const { route, params } = this.router.match(method, url.pathname);
      operation = route.operation;
      const keyId = verifyRequestSignature(req, body, (id) => this.parts.principals.publicKey(id), {
        bodyExempt: route.bodyExempt === true,
        now: clock.now(),
      });
      const principal = this.parts.principals.principal(keyId)!;
      principalId = principal.id;

      if (!this.parts.throttle.take(route.operation)) {
        throw new OciServiceError(429, "TooManyRequests", "User-rate limit exceeded.");
      }
      const fault = this.parts.faults.fire(route.operation);
      if (fault) {
        if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (fault.resetConnection) {
          status = 0;
          req.socket.destroy();
          return;
        }
        if (fault.status !== undefined) {
          throw new OciServiceError(
            fault.status,
            fault.code ?? "InternalServerError",
            fault.message ?? "Injected fault",
          );
        }
      }

      const ctx: RequestContext = {
        world,
        params,
        query: url.searchParams,
        body: parseBody(method, body),
        headers: lowerHeaders(req),
        endpoint: this.parts.endpoint(),
      };
      // A body field the emulator does not model is refused, never silently dropped (api/body-models.ts).
      checkOperationBody(route.operation, ctx.body);
      const target = route.target(ctx);
      this.authorizeCall(route.operation, principal, target);

      const reply = await this.execute(route, ctx, principal, method, url, body);
      status = reply.status;
      send(res, reply.status, reply.body, { ...(reply.headers ?? {}), "opc-request-id": requestId });
    } catch (err) {
      const e =
        err instanceof OciServiceError
          ? err
          : new OciServiceError(500, "InternalServerError", `Internal error: ${String(err)}`);
      if (!(err instanceof OciServiceError)) log.error({ err, operation }, "emulator handler failed");
      status = e.status;
      send(res, e.status, { code: e.code, message: e.message }, { "opc-request-id": requestId });
    } finally {
      if (operation) counters.record(operation, status, principalId);
      log.debug({ operation, method, path: url.pathname, status, ms: Date.now() - started }, "oci request");
    }
  }

  /** Retry-token handling around the modelled latency and the handler. */
  private async execute(
    route: Route,
    ctx: RequestContext,
    principal: Principal,
    method: string,
    url: URL,
    body: Buffer,
  ): Promise<Reply> {
    const { clock, latency, retryTokens } = this.parts;
    const token = route.retryToken ? ctx.headers["opc-retry-token"] : undefined;
    if (!token) {
      await clock.sleep(requestLatency(latency, route.operation, method));
      return route.handle(ctx);
    }
    const key = `${principal.id}|${route.operation}|${token}`;
    const begin = await retryTokens.begin(key, token, RetryTokens.fingerprint(method, url.pathname + url.search, body));
    if (begin.kind === "replay") {
      await clock.sleep(requestLatency(latency, route.operation, method));
      const replay = route.replay?.(ctx, begin.resourceId);
      if (!replay) throw retryTokens.invalidated();
      return replay;
    }
    try {
      await clock.sleep(requestLatency(latency, route.operation, method));
      const reply = route.handle(ctx);
      if (reply.resourceId) retryTokens.succeed(key, reply.resourceId);
      else retryTokens.fail(key);
      return reply;
    } catch (err) {
      retryTokens.fail(key);
      throw err;
    }
  }
}

function randomId(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function lowerHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function parseBody(method: string, body: Buffer): unknown {
  if (method === "GET" || method === "DELETE" || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new OciServiceError(400, "CannotParseRequest", "The request body is not valid JSON");
  }
}

/** Writes a JSON (or empty 204) response. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const payload = status === 204 || body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** Reads a request body up to MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new OciServiceError(413, "RequestEntityTooLarge", `The request body is larger than ${MAX_BODY_BYTES} bytes`),
        );
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
