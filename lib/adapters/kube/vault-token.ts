import * as common from "oci-common";
import { SecretsClient } from "oci-secrets";
import { InvalidInputError } from "../../errors";
import { OciApiError } from "../../ports/oci-errors";

/**
 * Reads a Kubernetes ServiceAccount token kept in an OCI Vault secret: Secrets `GetSecretBundle` (current version)
 * returns `secretBundleContent: {contentType: "BASE64", content}`; the token is the decoded content, trimmed
 * (docs.oracle.com KeyManagement "view secret content": bundle contents are base64, at most 25 KB).
 */
export interface VaultAccess {
  authenticationDetailsProvider: common.AuthenticationDetailsProvider;
  /** Secrets endpoint override (the emulator, another realm); otherwise derived from the provider's region. */
  endpoint?: string;
  clientConfiguration?: common.ClientConfiguration;
}

export async function readKubeTokenFromVault(secretId: string, access: VaultAccess): Promise<string> {
  const client = new SecretsClient(
    { authenticationDetailsProvider: access.authenticationDetailsProvider },
    // The per-client circuit breaker is on by default in the OCI SDK; the project owns its retry policy.
    access.clientConfiguration ?? { circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }) },
  );
  // Set last: region setters in the constructor overwrite the endpoint (oci-secrets lib/client.js).
  if (access.endpoint) client.endpoint = access.endpoint;
  try {
    const res = await client.getSecretBundle({ secretId });
    return decodeSecretBundleToken(secretId, res.secretBundle.secretBundleContent);
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    const e = (err ?? {}) as { statusCode?: number; serviceCode?: string; opcRequestId?: string; message?: string };
    throw new OciApiError(
      "GetSecretBundle",
      e.message ?? String(err),
      { statusCode: e.statusCode, serviceCode: e.serviceCode, opcRequestId: e.opcRequestId },
      { cause: err },
    );
  } finally {
    client.shutdownCircuitBreaker();
  }
}

/**
 * Decodes a secret bundle's content into a bearer token. Never puts the secret's content in an error message.
 */
export function decodeSecretBundleToken(
  secretId: string,
  content: { contentType?: string; content?: string } | undefined,
): string {
  const field = `secret ${secretId}`;
  if (!content) throw new InvalidInputError(field, "secret bundle has no content");
  if (content.contentType !== "BASE64")
    throw new InvalidInputError(
      field,
      `unsupported secret bundle content type ${JSON.stringify(content.contentType)} (expected BASE64)`,
    );
  const raw = content.content ?? "";
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw.replace(/\s+/g, "")))
    throw new InvalidInputError(field, "secret bundle content is not base64");
  const token = Buffer.from(raw, "base64").toString("utf8").trim();
  if (!token) throw new InvalidInputError(field, "secret is empty");
  // A bearer token is one header value: visible ASCII only (RFC 6750 b64token is narrower still).
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new InvalidInputError(field, "secret does not look like a bearer token (whitespace or non-ASCII inside)");
  return token;
}
