import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  ServerConfiguration,
  createConfiguration,
  type Cluster,
  type Configuration,
  type ObservableMiddleware,
  type User,
} from "@kubernetes/client-node";
import type * as common from "oci-common";
import { ConfigError } from "../../errors";
import { OKE_AUTH_PROVIDER, OkeTokenAuthenticator } from "./oke-token";

/** How the allocator reaches the Kubernetes API. */
export type KubeAccess =
  | {
      kind: "kubeconfig";
      /** A kubeconfig file (local use; an OKE kubeconfig's `exec: oci ce cluster generate-token` needs the CLI). */
      path: string;
      /** Context to use instead of the file's current-context. */
      context?: string;
    }
  | {
      kind: "token";
      /** API server URL, e.g. `https://10.0.0.10:6443`. */
      server: string;
      /** A ServiceAccount bearer token (e.g. read from an OCI Vault secret with readKubeTokenFromVault). */
      token: string;
      /** PEM of the cluster CA; without it the system trust store is used. */
      caPem?: string;
      /** Skip TLS verification. Defaults to true for an `http://` server (client-node refuses http otherwise). */
      skipTlsVerify?: boolean;
    }
  | {
      kind: "oke";
      clusterId: string;
      region: string;
      /** API server URL of the OKE cluster (its private or public Kubernetes endpoint). */
      server: string;
      /** OCI credentials that sign the OKE token (see oke-token.ts for what is unconfirmed). */
      signer: common.AuthenticationDetailsProvider;
      caPem?: string;
      skipTlsVerify?: boolean;
      /** Container Engine host override (another realm, tests). */
      containerEngineHost?: string;
    };

export type KubeClientsOptions = KubeAccess & {
  /** Abort any single API request after this long (client-node has no timeout of its own). Default 10 s. */
  requestTimeoutMs?: number;
};

/** Typed API clients sharing one KubeConfig; every request carries the timeout middleware. */
export interface KubeClients {
  kubeConfig: KubeConfig;
  customObjects: CustomObjectsApi;
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  requestTimeoutMs: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Builds the KubeConfig for `access` and the API clients the adapters use. Reads no environment. */
export function createKubeClients(options: KubeClientsOptions): KubeClients {
  const kubeConfig = buildKubeConfig(options);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(requestTimeoutMs > 0)) throw new ConfigError("requestTimeoutMs", "must be a positive number of milliseconds");
  const config = apiConfiguration(kubeConfig, requestTimeoutMs);
  return {
    kubeConfig,
    customObjects: new CustomObjectsApi(config),
    core: new CoreV1Api(config),
    coordination: new CoordinationV1Api(config),
    requestTimeoutMs,
  };
}

/** The KubeConfig for one access kind (exported for the watcher and for tests). */
export function buildKubeConfig(access: KubeAccess): KubeConfig {
  const kc = new KubeConfig();
  switch (access.kind) {
    case "kubeconfig": {
      kc.loadFromFile(access.path);
      if (access.context) {
        if (!kc.getContextObject(access.context))
          throw new ConfigError("kube.context", `context "${access.context}" not found in ${access.path}`);
        kc.setCurrentContext(access.context);
      }
      if (!kc.getCurrentCluster())
        throw new ConfigError("kube.kubeconfig", `${access.path} has no current context with a cluster`);
      return kc;
    }
    case "token": {
      if (!access.token) throw new ConfigError("kube.token", "is empty");
      loadSingle(kc, cluster(access.server, access.caPem, access.skipTlsVerify), {
        name: "ocipam",
        token: access.token,
      });
      return kc;
    }
    case "oke": {
      if (!access.clusterId) throw new ConfigError("kube.clusterId", "is required for OKE tokens");
      if (!access.region) throw new ConfigError("kube.region", "is required for OKE tokens");
      kc.addAuthenticator(
        new OkeTokenAuthenticator({
          clusterId: access.clusterId,
          region: access.region,
          signer: access.signer,
          containerEngineHost: access.containerEngineHost,
        }),
      );
      loadSingle(kc, cluster(access.server, access.caPem, access.skipTlsVerify), {
        name: "ocipam",
        authProvider: { name: OKE_AUTH_PROVIDER, config: {} },
      });
      return kc;
    }
  }
}

function cluster(server: string, caPem: string | undefined, skipTlsVerify: boolean | undefined): Cluster {
  let url: URL;
  try {
    url = new URL(server);
  } catch (err) {
    throw new ConfigError("kube.server", `not a URL: ${String(err)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ConfigError("kube.server", `unsupported scheme ${url.protocol}`);
  return {
    name: "ocipam",
    // ServerConfiguration concatenates server + path, so a trailing slash would double it.
    server: server.replace(/\/+$/, ""),
    // client-node reads caData as base64 (config.js bufferFromFileOrString).
    caData: caPem ? Buffer.from(caPem, "utf8").toString("base64") : undefined,
    skipTLSVerify: skipTlsVerify ?? url.protocol === "http:",
  };
}

function loadSingle(kc: KubeConfig, c: Cluster, user: User): void {
  kc.loadFromOptions({
    clusters: [c],
    users: [user],
    contexts: [{ name: "ocipam", cluster: c.name, user: user.name }],
    currentContext: "ocipam",
  });
}

/**
 * The same configuration KubeConfig.makeApiClient builds, plus a middleware that gives each request an
 * AbortSignal.timeout. It must be the Observable form: the ObjectParamAPI calls `.toPromise()` on what `pre`
 * returns, so an async `pre` fails (dist/gen/types/ObjectParamAPI.js). Per-call options made with setHeaderOptions use
 * `middlewareMergeStrategy: "append"`, so they add to this middleware instead of replacing it.
 */
function apiConfiguration(kc: KubeConfig, timeoutMs: number): Configuration {
  const current = kc.getCurrentCluster();
  if (!current) throw new ConfigError("kube", "no current cluster");
  return createConfiguration({
    baseServer: new ServerConfiguration(current.server, {}),
    authMethods: { default: kc },
    middleware: [requestTimeoutMiddleware(timeoutMs)],
  });
}

/** Aborts a request that has not completed within `timeoutMs`. */
export function requestTimeoutMiddleware(timeoutMs: number): ObservableMiddleware {
  return {
    pre: (ctx) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(ctx));
    },
    post: (res) => new Observable(Promise.resolve(res)),
  };
}
