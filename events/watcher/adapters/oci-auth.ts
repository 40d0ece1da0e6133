import type * as common from "oci-common";
import { createAuthProvider } from "../../../lib/adapters/oci/auth";
import type { WatcherConfig } from "../config";

/**
 * The OCI credentials that sign PutMessages. In the cluster: instance principal — the worker node's identity, so
 * the policy is `Allow dynamic-group <workers> to use stream-push in compartment <c> where target.stream.id = ...`
 * (docs.oracle.com/iaas/Content/Identity/Reference/streamingpolicyreference.htm). Locally: an API key from an
 * OCI config file. Built by the shared lib/adapters/oci/auth.ts (throws OcipamError "OciAuthUnavailable" naming the
 * auth kind when the credentials cannot be loaded).
 */
/** The watcher's OCI identity (an oci-common authentication provider), as its composition root passes it on. */
export type WatcherOciAuth = common.AuthenticationDetailsProvider;

export function createOciAuthProvider(oci: WatcherConfig["oci"]): Promise<common.AuthenticationDetailsProvider> {
  return createAuthProvider(
    oci.auth === "instance_principal"
      ? { kind: "instance-principal" }
      : { kind: "config-file", path: oci.configFile, profile: oci.profile },
  );
}
