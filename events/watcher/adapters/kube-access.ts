import {
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  ServerConfiguration,
  createConfiguration,
} from "@kubernetes/client-node";
import { buildKubeConfig, requestTimeoutMiddleware } from "../../../lib/adapters/kube/clients";
import { ConfigError } from "../../../lib/errors";
import type { WatcherConfig } from "../config";

/** The API clients the watcher uses, sharing one KubeConfig. */
/**
 * How the watcher reaches the API server (a client-node KubeConfig): what its composition root and tests pass around.
 */
export type WatcherKubeConfig = KubeConfig;

export interface WatcherKubeClients {
  kubeConfig: KubeConfig;
  customObjects: CustomObjectsApi;
  coordination: CoordinationV1Api;
}

/**
 * The KubeConfig for the watcher: the pod's service account (client-node `loadFromCluster`: the API server from
 * KUBERNETES_SERVICE_HOST/PORT, the projected token and CA under /var/run/secrets/kubernetes.io/serviceaccount),
 * or a kubeconfig file for local runs. The shared `createKubeClients` has no in-cluster kind, hence this file.
 */
export function watcherKubeConfig(kube: WatcherConfig["kube"]): KubeConfig {
  if (kube.auth === "kubeconfig") {
    if (!kube.kubeconfig)
      throw new ConfigError("OCIPAM_WATCHER_KUBECONFIG", "is required when OCIPAM_WATCHER_KUBE_AUTH=kubeconfig");
    return buildKubeConfig({
      kind: "kubeconfig",
      path: kube.kubeconfig,
      ...(kube.context && { context: kube.context }),
    });
  }
  const kc = new KubeConfig();
  kc.loadFromCluster();
  if (!kc.getCurrentCluster()?.server || kc.getCurrentCluster()?.server.includes("undefined")) {
    throw new ConfigError(
      "OCIPAM_WATCHER_KUBE_AUTH",
      "in_cluster needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (run in a pod, or use kubeconfig)",
    );
  }
  return kc;
}

/**
 * API clients over `kubeConfig` whose every request is aborted after `requestTimeoutMs` (client-node has no
 * timeout of its own: dist/gen/http/isomorphic-fetch.js passes only the request's signal). Watches are not
 * affected: they go through `Watch`, guarded by the list-watch watchdog instead.
 */
export function watcherKubeClients(kubeConfig: KubeConfig, requestTimeoutMs: number): WatcherKubeClients {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new ConfigError("kube", "the kubeconfig has no current cluster");
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server.replace(/\/+$/, ""), {}),
    authMethods: { default: kubeConfig },
    middleware: [requestTimeoutMiddleware(requestTimeoutMs)],
  });
  return {
    kubeConfig,
    customObjects: new CustomObjectsApi(configuration),
    coordination: new CoordinationV1Api(configuration),
  };
}
