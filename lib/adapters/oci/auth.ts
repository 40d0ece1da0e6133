import * as common from "oci-common";
import { OcipamError } from "../../errors";

/**
 * How the OCI clients authenticate (oci-common 2.139.1 lib/auth/: config-file-auth.js,
 * resource-principal-authentication-details-provider.js, instance-principals-authentication-detail-provider.js):
 * - `config-file`: an OCI CLI config file and profile (local use, `ocipam` against the emulator or a tenancy);
 * - `resource-principal`: what OCI Functions provides; reads OCI_RESOURCE_PRINCIPAL_VERSION (2.2),
 *   OCI_RESOURCE_PRINCIPAL_RPST, OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM and OCI_RESOURCE_PRINCIPAL_REGION when the
 *   provider is built (never at import time);
 * - `instance-principal`: an instance's certificate from the metadata service (watcher on a worker node);
 *   `metadataBaseUrl` / `federationEndpoint` override where it fetches from;
 * - `api-key`: key material given directly (tests against the emulator, secrets from a vault).
 */
export type OciAuth =
  | { kind: "config-file"; path?: string; profile?: string }
  | { kind: "resource-principal" }
  | { kind: "instance-principal"; metadataBaseUrl?: string; federationEndpoint?: string }
  | {
      kind: "api-key";
      tenancy: string;
      user: string;
      fingerprint: string;
      privateKey: string;
      passphrase?: string;
      region?: string;
    };

/**
 * Builds the SDK's authentication details provider for `auth`. Instance principals need network calls, hence async.
 * Throws `OcipamError` with reason "OciAuthUnavailable" (the SDK's error as cause) when the provider cannot be built:
 * a missing config file or profile, missing resource-principal variables, an unreadable key.
 */
export async function createAuthProvider(auth: OciAuth): Promise<common.AuthenticationDetailsProvider> {
  try {
    return await build(auth);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new OcipamError(
      "OciAuthUnavailable",
      `OCI ${auth.kind} authentication: ${message}`,
      { authKind: auth.kind },
      { cause: err },
    );
  }
}

async function build(auth: OciAuth): Promise<common.AuthenticationDetailsProvider> {
  switch (auth.kind) {
    case "config-file":
      return new common.ConfigFileAuthenticationDetailsProvider(auth.path, auth.profile);
    case "resource-principal":
      return common.ResourcePrincipalAuthenticationDetailsProvider.builder();
    case "instance-principal": {
      const builder = new common.InstancePrincipalsAuthenticationDetailsProviderBuilder();
      if (auth.metadataBaseUrl) builder.metadataBaseUrl = auth.metadataBaseUrl;
      if (auth.federationEndpoint) builder.federationEndpoint = auth.federationEndpoint;
      return builder.build();
    }
    case "api-key":
      return new common.SimpleAuthenticationDetailsProvider(
        auth.tenancy,
        auth.user,
        auth.fingerprint,
        auth.privateKey,
        auth.passphrase ?? null,
        // fromRegionId answers undefined for an id it does not know; the clients' region option still applies.
        auth.region ? common.Region.fromRegionId(auth.region) : undefined,
      );
  }
}
