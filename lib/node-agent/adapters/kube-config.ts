import * as k8s from "@kubernetes/client-node";

/** How the node agent reaches the API server (a client-node KubeConfig), as its composition root passes it on. */
export type NodeAgentKubeConfig = k8s.KubeConfig;

/**
 * Called once at start: the kubeconfig at `path`, else the in-cluster ServiceAccount (or $KUBECONFIG / ~/.kube/config
 * outside a cluster), as client-node's `loadFromDefault` finds it.
 */
export function loadNodeAgentKubeConfig(path: string | undefined): NodeAgentKubeConfig {
  const kubeConfig = new k8s.KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}
