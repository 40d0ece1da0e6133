import { createInvocationDecoder } from "../../events/contracts";
import { createOciAdapters, createOciClients, RequestBudget, type OciAuth } from "../../lib/adapters/oci";
import { createAuthProvider } from "../../lib/adapters/oci/auth";
import {
  createKubeAdapters,
  createKubeClients,
  readKubeTokenFromVault,
  type KubeAccess,
} from "../../lib/adapters/kube";
import { ConfigMapLeakMarks } from "../../lib/adapters/kube/configmap-leak-marks";
import { KubeClusterInventory } from "../../lib/adapters/kube/cluster-inventory";
import { type AllocatorConfig, loadAllocatorConfig, pickOcipamKeys } from "../../lib/config/allocator-config";
import { createLogger, type Log } from "../../lib/log";
import { sleep } from "../../lib/reconcile/deadline";
import type { AllocatorRuntime } from "./handler";

export interface ComposeOverrides {
  log?: Log;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The allocator's composition root: from configuration values (the function's environment) to a runtime holding
 * every adapter. One OCI request budget per runtime, so all nodes an invocation (and a warm container's later
 * invocations) reconcile share it.
 */
export async function composeAllocatorRuntime(
  values: Record<string, string | undefined>,
  overrides: ComposeOverrides = {},
): Promise<AllocatorRuntime> {
  const config = loadAllocatorConfig(pickOcipamKeys(values));
  const log = overrides.log ?? createLogger({ level: config.logLevel, base: { component: "allocator" } });
  const ociAuth = toOciAuth(config);
  const clients = await createOciClients({
    auth: ociAuth,
    ...(config.oci.endpoint ? { endpoint: config.oci.endpoint } : {}),
    ...(config.oci.region ? { region: config.oci.region } : {}),
  });
  const budget = new RequestBudget({ ratePerSecond: config.ociRequestRate, burst: config.ociRequestBurst });
  const oci = createOciAdapters({ clients, log, budget });
  // Built again by reauthenticate(): a 401 means the token was rotated (or revoked), so it is read anew.
  const buildKube = async () => {
    const access = await kubeAccess(config, ociAuth);
    const clients = createKubeClients({ ...access, requestTimeoutMs: config.kube.requestTimeoutMs });
    return { clients, adapters: createKubeAdapters(clients, { lockNamespace: config.namespace, log }) };
  };
  const { clients: kubeClients, adapters: kube } = await buildKube();
  const deps: AllocatorRuntime["deps"] = {
    compute: oci.compute,
    network: oci.network,
    ciliumNodes: kube.ciliumNodes,
    nodes: kube.kubeNodes,
    pods: kube.pods,
    locks: kube.locks,
    records: kube.ipamRecords,
    events: kube.events,
    config,
    log,
    now: overrides.now ?? (() => new Date()),
    sleep: overrides.sleep ?? sleep,
  };
  const collector: AllocatorRuntime["collector"] = {
    inventory: new KubeClusterInventory(kubeClients.core, kubeClients.customObjects),
    marks: new ConfigMapLeakMarks(kubeClients.core, config.namespace),
  };
  return {
    deps,
    decoder: createInvocationDecoder({ log }),
    collector,
    async reauthenticate() {
      const next = await buildKube();
      // In place: the handler and every later invocation of this warm container use the new clients.
      Object.assign(deps, {
        ciliumNodes: next.adapters.ciliumNodes,
        nodes: next.adapters.kubeNodes,
        pods: next.adapters.pods,
        locks: next.adapters.locks,
        records: next.adapters.ipamRecords,
        events: next.adapters.events,
      });
      collector.inventory = new KubeClusterInventory(next.clients.core, next.clients.customObjects);
      collector.marks = new ConfigMapLeakMarks(next.clients.core, config.namespace);
      log.info({ kubeAuth: config.kube.auth }, "Kubernetes answered 401: token read again and clients rebuilt");
    },
  };
}

function toOciAuth(config: AllocatorConfig): OciAuth {
  switch (config.oci.auth) {
    case "resource_principal":
      return { kind: "resource-principal" };
    case "instance_principal":
      return { kind: "instance-principal" };
    case "config_file":
      return {
        kind: "config-file",
        ...(config.oci.configFile ? { path: config.oci.configFile } : {}),
        profile: config.oci.profile,
      };
  }
}

/**
 * How to reach the Kubernetes API. The Vault form reads the service-account token (the secret's current version) and
 * the kubeconfig form reads its file: once per warm container, and again on each reauthenticate().
 */
async function kubeAccess(config: AllocatorConfig, ociAuth: OciAuth): Promise<KubeAccess> {
  const { kube } = config;
  const tls = {
    ...(kube.caCertPem ? { caPem: kube.caCertPem } : {}),
    ...(kube.skipTlsVerify ? { skipTlsVerify: true } : {}),
  };
  switch (kube.auth) {
    case "kubeconfig":
      return { kind: "kubeconfig", path: kube.kubeconfig! };
    case "token":
      return { kind: "token", server: kube.apiServer!, token: kube.token!, ...tls };
    case "vault": {
      const provider = await createAuthProvider(ociAuth);
      const token = await readKubeTokenFromVault(kube.tokenSecretId!, {
        authenticationDetailsProvider: provider,
        ...(config.oci.endpoint ? { endpoint: config.oci.endpoint } : {}),
      });
      return { kind: "token", server: kube.apiServer!, token, ...tls };
    }
    case "oke": {
      const provider = await createAuthProvider(ociAuth);
      // Providers that know their region (resource and instance principals) expose getRegion(); the type does not say
      // so.
      const region =
        config.oci.region ??
        (provider as { getRegion?: () => { regionId: string } | undefined }).getRegion?.()?.regionId;
      if (!region)
        throw new Error("OCIPAM_OCI_REGION is required for oke auth when the OCI credentials carry no region");
      return { kind: "oke", clusterId: kube.clusterId!, region, server: kube.apiServer!, signer: provider, ...tls };
    }
  }
}

/**
 * One runtime per distinct configuration, kept while the container is warm. A failed composition is not kept, so
 * the next invocation tries again (e.g. after the Vault secret was fixed).
 */
export function cachedRuntimeFactory(
  compose: typeof composeAllocatorRuntime = composeAllocatorRuntime,
): (values: Record<string, string | undefined>) => Promise<AllocatorRuntime> {
  const cache = new Map<string, Promise<AllocatorRuntime>>();
  return (values) => {
    const key = JSON.stringify(Object.entries(pickOcipamKeys(values)).sort());
    let runtime = cache.get(key);
    if (!runtime) {
      runtime = compose(values);
      cache.set(key, runtime);
      runtime.catch(() => cache.delete(key));
    }
    return runtime;
  };
}
