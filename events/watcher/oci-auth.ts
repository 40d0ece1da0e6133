import * as common from "oci-common";
import { ConfigError } from "../../lib/errors";
import type { WatcherConfig } from "./config";

/**
 * The OCI credentials that sign PutMessages. In the cluster: instance principal — the worker node's identity, so
 * the policy is `Allow dynamic-group <workers> to use stream-push in compartment <c> where target.stream.id = ...`
 * (oci-facts §5.1). Locally: an API key from an OCI config file. The instance principal builder fetches its
 * certificate from the instance metadata service (library-notes §2), hence async.
 */
export async function createOciAuthProvider(oci: WatcherConfig["oci"]): Promise<common.AuthenticationDetailsProvider> {
  switch (oci.auth) {
    case "instance_principal":
      return new common.InstancePrincipalsAuthenticationDetailsProviderBuilder().build();
    case "config_file":
      try {
        return new common.ConfigFileAuthenticationDetailsProvider(oci.configFile, oci.profile);
      } catch (err) {
        throw new ConfigError("OCIPAM_WATCHER_OCI_CONFIG_FILE", `cannot load profile ${oci.profile} from ${oci.configFile ?? "~/.oci/config"}: ${err instanceof Error ? err.message : String(err)}`);
      }
  }
}
