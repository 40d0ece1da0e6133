import YAML from "yaml";

/**
 * Kubeconfig for an emulator identity. The emulator's port speaks plain HTTP and TLS (self-signed).
 * - @kubernetes/client-node refuses an http:// server unless `skipTLSVerify` is set (dist/config.js), so the
 *   options carry it.
 * - kubectl sends no credentials to an http:// server (client-go clientcmd/client_config.go reads the user's
 *   auth info only `if restclient.IsConfigTransportTLS(...)`), so files point at the https:// endpoint, with
 *   insecure-skip-tls-verify because the certificate is self-signed.
 */
export interface KubeConfigOptions {
  clusters: Array<{ name: string; server: string; skipTLSVerify: boolean }>;
  users: Array<{ name: string; token: string }>;
  contexts: Array<{ name: string; cluster: string; user: string; namespace?: string }>;
  currentContext: string;
}

export const CLUSTER_NAME = "ocipam-emulator";

/** Options for `KubeConfig.loadFromOptions` (client-node), for one identity's token. */
export function kubeConfigOptions(
  endpoint: string,
  userName: string,
  token: string,
  namespace?: string,
): KubeConfigOptions {
  return {
    clusters: [{ name: CLUSTER_NAME, server: endpoint, skipTLSVerify: true }],
    users: [{ name: userName, token }],
    contexts: [{ name: CLUSTER_NAME, cluster: CLUSTER_NAME, user: userName, ...(namespace ? { namespace } : {}) }],
    currentContext: CLUSTER_NAME,
  };
}

/** The same identity as a kubeconfig file (YAML) for kubectl or KubeConfig.loadFromFile. */
export function kubeconfigYaml(endpoint: string, userName: string, token: string, namespace?: string): string {
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: CLUSTER_NAME, cluster: { server: endpoint, "insecure-skip-tls-verify": true } }],
    users: [{ name: userName, user: { token } }],
    contexts: [
      { name: CLUSTER_NAME, context: { cluster: CLUSTER_NAME, user: userName, ...(namespace ? { namespace } : {}) } },
    ],
    "current-context": CLUSTER_NAME,
    preferences: {},
  });
}
