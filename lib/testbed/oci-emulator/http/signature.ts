import { createHash, verify, type KeyObject } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { OciServiceError } from "./errors";

/**
 * Verifies OCI request signatures (version 1, draft-cavage-http-signatures-08 profile) exactly as the TS SDK
 * 2.139.1 produces them (oci-common/lib/signer.js, read and measured) and as "Request Signatures"
 * requires (https://docs.oracle.com/en-us/iaas/Content/API/Concepts/signingrequests.htm):
 * - `Authorization: Signature
 * version="1",keyId="<tenancy>/<user>/<fingerprint>",algorithm="rsa-sha256",headers="…",signature="…"`
 * - GET/DELETE/HEAD must sign `date` or `x-date`, `(request-target)` and `host`;
 *   PUT/POST/PATCH must also sign `content-length`, `content-type` and `x-content-sha256` (except operations OCI
 *   exempts: the SDK signs Streaming PutMessages without the body headers), and `x-content-sha256` must be the
 *   base64 SHA-256 of the exact body.
 * - "If the client's clock is skewed more than 5 minutes, a 401 (NotAuthenticated) HTTP status code is returned."
 */

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Looks up the public key for a keyId; undefined when the key is unknown. */
export type KeyLookup = (keyId: string) => KeyObject | undefined;

const notAuthenticated = (detail: string): OciServiceError =>
  new OciServiceError(
    401,
    "NotAuthenticated",
    `The required information to complete authentication was not provided or was incorrect. (${detail})`,
  );

function parseAuthorization(header: string): Record<string, string> {
  if (!/^Signature\s/i.test(header)) throw notAuthenticated("Authorization is not a Signature");
  const params: Record<string, string> = {};
  const re = /([a-zA-Z]+)="([^"]*)"/g;
  for (const m of header.matchAll(re)) params[m[1]] = m[2];
  return params;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

export interface VerifyOptions {
  /** Operations whose POST body is not covered by the signature (Streaming PutMessages). */
  bodyExempt: boolean;
  now: number;
}

/** Returns the verified keyId, or throws OciServiceError 401 NotAuthenticated. */
export function verifyRequestSignature(
  req: IncomingMessage,
  body: Buffer,
  lookup: KeyLookup,
  options: VerifyOptions,
): string {
  const authorization = headerValue(req, "authorization");
  if (!authorization) throw notAuthenticated("missing Authorization header");
  const params = parseAuthorization(authorization);
  if (params.version !== undefined && params.version !== "1")
    throw notAuthenticated(`unsupported signature version ${params.version}`);
  if ((params.algorithm ?? "").toLowerCase() !== "rsa-sha256") throw notAuthenticated("algorithm must be rsa-sha256");
  if (!params.keyId || !params.signature || !params.headers)
    throw notAuthenticated("keyId, headers and signature are required");
  const signed = params.headers
    .toLowerCase()
    .split(/\s+/)
    .filter((h) => h !== "");

  const method = (req.method ?? "GET").toUpperCase();
  const required = [signed.includes("x-date") ? "x-date" : "date", "(request-target)", "host"];
  if (["POST", "PUT", "PATCH"].includes(method) && !options.bodyExempt)
    required.push("content-length", "content-type", "x-content-sha256");
  for (const h of required) if (!signed.includes(h)) throw notAuthenticated(`header ${h} must be signed`);

  const dateText = headerValue(req, "x-date") ?? headerValue(req, "date");
  const date = dateText ? Date.parse(dateText) : NaN;
  if (Number.isNaN(date)) throw notAuthenticated("missing or unreadable date");
  if (Math.abs(options.now - date) > MAX_CLOCK_SKEW_MS) throw notAuthenticated("clock skew is more than 5 minutes");

  if (signed.includes("x-content-sha256")) {
    const digest = createHash("sha256").update(body).digest("base64");
    if (headerValue(req, "x-content-sha256") !== digest)
      throw notAuthenticated("x-content-sha256 does not match the body");
  }
  if (signed.includes("content-length") && Number(headerValue(req, "content-length")) !== body.length) {
    throw notAuthenticated("content-length does not match the body");
  }

  const lines: string[] = [];
  for (const h of signed) {
    if (h === "(request-target)") {
      lines.push(`(request-target): ${method.toLowerCase()} ${req.url ?? "/"}`);
      continue;
    }
    const v = headerValue(req, h);
    if (v === undefined) throw notAuthenticated(`signed header ${h} is missing`);
    lines.push(`${h}: ${v}`);
  }
  const key = lookup(params.keyId);
  if (!key) throw notAuthenticated("unknown keyId");
  const ok = verify("sha256", Buffer.from(lines.join("\n")), key, Buffer.from(params.signature, "base64"));
  if (!ok) throw notAuthenticated("signature does not verify");
  return params.keyId;
}
