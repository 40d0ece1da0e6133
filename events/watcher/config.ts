import { ConfigError } from "../../lib/errors";
import type { ConfigKey } from "../../lib/config/allocator-config";
import {
  parseBoolean,
  parseEnum,
  parseHttpUrl,
  parseInteger,
  parseNumber,
  pickPrefixedKeys,
} from "../../lib/config/parse";
import { DEFAULT_MAX_MESSAGES_PER_REQUEST, STREAM_REQUEST_MAX_BYTES } from "./publisher";

/**
 * The watcher's configuration: one table of `OCIPAM_WATCHER_*` keys (environment of the Deployment, or of
 * `ocipam watch`), rendered into events/watcher/README.md. Same conventions as the function's keys
 * (lib/config/allocator-config.ts): strings in, typed values out, every error names its key, unknown
 * `OCIPAM_WATCHER_*` keys are refused so a typo cannot silently fall back to a default.
 */

export const WATCHER_OCI_AUTH_KINDS = ["instance_principal", "config_file"] as const;
export const WATCHER_KUBE_AUTH_KINDS = ["in_cluster", "kubeconfig"] as const;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export interface WatcherConfig {
  clusterName: string;
  /** This replica's name in the leader Lease. */
  identity: string;
  stream: { id: string; endpoint: string };
  resyncMs: number;
  /** Cap of the re-nudge interval of an unresolved node that does not change (doubles from resyncMs). */
  resyncMaxMs: number;
  /** Interval of the cluster's collect-leaks nudge; 0: none. */
  collectLeaksMs: number;
  nudgeExcess: boolean;
  failureRetryMs: number;
  batch: { flushMs: number; maxMessages: number; maxBytes: number };
  publish: { attempts: number; backoffBaseMs: number; backoffMaxMs: number; requestTimeoutMs: number };
  http: { host: string; port: number };
  leaderElection: {
    enabled: boolean;
    namespace: string;
    name: string;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
  watch: { watchdogMs: number; backoffBaseMs: number; backoffMaxMs: number };
  oci: { auth: (typeof WATCHER_OCI_AUTH_KINDS)[number]; configFile?: string; profile: string };
  kube: {
    auth: (typeof WATCHER_KUBE_AUTH_KINDS)[number];
    kubeconfig?: string;
    context?: string;
    requestTimeoutMs: number;
  };
  logLevel: (typeof LOG_LEVELS)[number];
}

/** Every key, its default and meaning. A key without default and not required is optional. */
export const WATCHER_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: "OCIPAM_WATCHER_CLUSTER_NAME",
    required: true,
    description: "Cluster name; nudges carry source /ocipam/watcher/<name> (use the function's OCIPAM_CLUSTER_NAME).",
  },
  { key: "OCIPAM_WATCHER_STREAM_ID", required: true, description: "OCID of the stream the nudges go to." },
  {
    key: "OCIPAM_WATCHER_STREAM_ENDPOINT",
    required: true,
    description:
      "The stream pool's messages endpoint (Stream.messagesEndpoint, " +
      "Terraform messages_endpoint), not the Streaming admin endpoint; or " +
      "the emulator's URL.",
  },
  {
    key: "OCIPAM_WATCHER_RESYNC_SECONDS",
    default: "60",
    description:
      "A node still unresolved this long after its nudge is nudged again (Cilium's operator resyncs every minute).",
  },
  {
    key: "OCIPAM_WATCHER_RESYNC_MAX_SECONDS",
    default: "600",
    description:
      "A node that stays unresolved without changing (at capacity, or failing) is re-nudged after doubling intervals " +
      "from the resync interval up to this; a change resets it. Equal to the resync interval: no backoff; unset and " +
      "below the resync interval: the resync interval.",
  },
  {
    key: "OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS",
    default: "300",
    description:
      "The leader nudges the function to collect leaked IPs and VNICs this " +
      "often (io.ocipam.cluster.collect-leaks); 0 disables it.",
  },
  {
    key: "OCIPAM_WATCHER_NUDGE_EXCESS",
    default: "false",
    description: "Nudge nodes with excess IPs; turn on together with the function's OCIPAM_RELEASE_EXCESS_IPS.",
  },
  {
    key: "OCIPAM_WATCHER_FAILURE_RETRY_SECONDS",
    default: "2",
    description:
      "First delay before re-emitting a nudge whose publish failed; doubles " +
      "per failure, capped at the resync interval.",
  },
  {
    key: "OCIPAM_WATCHER_FLUSH_MS",
    default: "100",
    description: "How long the first queued nudge waits for others before a partial PutMessages request goes out.",
  },
  {
    key: "OCIPAM_WATCHER_BATCH_MAX_MESSAGES",
    default: String(DEFAULT_MAX_MESSAGES_PER_REQUEST),
    description: "Most messages in one PutMessages request.",
  },
  {
    key: "OCIPAM_WATCHER_BATCH_MAX_BYTES",
    default: String(STREAM_REQUEST_MAX_BYTES),
    description: "Most bytes of one PutMessages request body (Streaming's limit is 1 MiB).",
  },
  {
    key: "OCIPAM_WATCHER_PUBLISH_ATTEMPTS",
    default: "5",
    description: "Attempts per PutMessages batch (429, 5xx, timeouts and entries the service rejected are retried).",
  },
  {
    key: "OCIPAM_WATCHER_PUBLISH_BACKOFF_MS",
    default: "200",
    description: "Base of the exponential backoff between attempts.",
  },
  { key: "OCIPAM_WATCHER_PUBLISH_BACKOFF_MAX_MS", default: "5000", description: "Cap of that backoff." },
  {
    key: "OCIPAM_WATCHER_PUBLISH_TIMEOUT_MS",
    default: "10000",
    description: "A PutMessages request without an answer after this long counts as failed.",
  },
  {
    key: "OCIPAM_WATCHER_METRICS_ADDRESS",
    default: "0.0.0.0",
    description: "Address of the /metrics, /healthz and /readyz server.",
  },
  { key: "OCIPAM_WATCHER_METRICS_PORT", default: "9090", description: "Port of that server (0: any free port)." },
  {
    key: "OCIPAM_WATCHER_LEADER_ELECTION",
    default: "true",
    description:
      "Elect a leader through a Lease; only the leader publishes. false: " +
      "this replica always publishes (one replica only).",
  },
  { key: "OCIPAM_WATCHER_LEASE_NAMESPACE", default: "ocipam-system", description: "Namespace of the leader Lease." },
  { key: "OCIPAM_WATCHER_LEASE_NAME", default: "ocipam-watcher-leader", description: "Name of the leader Lease." },
  {
    key: "OCIPAM_WATCHER_LEASE_DURATION_SECONDS",
    default: "15",
    description: "How long followers wait without seeing a renew before taking over (client-go default).",
  },
  {
    key: "OCIPAM_WATCHER_LEASE_RENEW_DEADLINE_SECONDS",
    default: "10",
    description: "The leader stops publishing when it could not renew for this long; less than the lease duration.",
  },
  {
    key: "OCIPAM_WATCHER_LEASE_RETRY_SECONDS",
    default: "2",
    description: "Time between renew / acquire attempts; renew deadline > 1.2 × this.",
  },
  {
    key: "OCIPAM_WATCHER_IDENTITY",
    description: "This replica's identity in the Lease (default: the host name, which is the pod name).",
  },
  {
    key: "OCIPAM_WATCHER_WATCHDOG_SECONDS",
    default: "180",
    description:
      "Restart a watch that delivered no event and no bookmark for this long " +
      "(the API server sends a bookmark every minute).",
  },
  {
    key: "OCIPAM_WATCHER_WATCH_BACKOFF_MS",
    default: "500",
    description: "Base of the backoff after a failed list or watch.",
  },
  { key: "OCIPAM_WATCHER_WATCH_BACKOFF_MAX_MS", default: "30000", description: "Cap of that backoff." },
  {
    key: "OCIPAM_WATCHER_OCI_AUTH",
    default: "instance_principal",
    description: "instance_principal (in the cluster) or config_file (local).",
  },
  {
    key: "OCIPAM_WATCHER_OCI_CONFIG_FILE",
    description: "OCI config file for config_file auth (default ~/.oci/config).",
  },
  { key: "OCIPAM_WATCHER_OCI_PROFILE", default: "DEFAULT", description: "Profile in the OCI config file." },
  {
    key: "OCIPAM_WATCHER_KUBE_AUTH",
    default: "in_cluster",
    description: "in_cluster (the pod's service account) or kubeconfig (local).",
  },
  { key: "OCIPAM_WATCHER_KUBECONFIG", description: "Kubeconfig file for kubeconfig auth (default ~/.kube/config)." },
  {
    key: "OCIPAM_WATCHER_KUBE_CONTEXT",
    description: "Context of the kubeconfig to use instead of its current-context.",
  },
  {
    key: "OCIPAM_WATCHER_KUBE_REQUEST_TIMEOUT_MS",
    default: "10000",
    description: "Timeout of one Kubernetes API request (lists and Lease updates; watches have the watchdog).",
  },
  { key: "OCIPAM_WATCHER_LOG_LEVEL", default: "info", description: "pino log level." },
];

const KNOWN = new Set(WATCHER_CONFIG_KEYS.map((k) => k.key));

export interface LoadWatcherConfigOptions {
  /** Default identity (the caller passes os.hostname()). */
  hostname?: string;
  /** ~/.oci/config and ~/.kube/config are resolved against it. */
  homeDir?: string;
}

/** Builds the typed configuration from string values (`process.env` or a file). Reads nothing else. */
export function loadWatcherConfig(
  values: Record<string, string | undefined>,
  options: LoadWatcherConfigOptions = {},
): WatcherConfig {
  for (const key of Object.keys(values)) {
    if (key.startsWith("OCIPAM_WATCHER_") && !KNOWN.has(key))
      throw new ConfigError(key, "is not a known watcher configuration key (see events/watcher/README.md)");
  }
  const get = (key: string): string | undefined => {
    const spec = WATCHER_CONFIG_KEYS.find((k) => k.key === key);
    if (!spec) throw new ConfigError(key, "is not in the keys table");
    const raw = values[key];
    if (raw !== undefined && raw.trim() !== "") return raw.trim();
    if (spec.required) throw new ConfigError(key, "is required");
    return spec.default;
  };
  const str = (key: string) => get(key) ?? "";
  const seconds = (key: string, min: number) => Math.round(parseNumber(key, str(key), min) * 1000);
  const int = (key: string, min: number, max?: number) => parseInteger(key, str(key), min, max);

  const clusterName = str("OCIPAM_WATCHER_CLUSTER_NAME");
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(clusterName)) {
    throw new ConfigError(
      "OCIPAM_WATCHER_CLUSTER_NAME",
      "must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    );
  }
  const streamId = str("OCIPAM_WATCHER_STREAM_ID");
  if (!streamId.startsWith("ocid1.stream."))
    throw new ConfigError("OCIPAM_WATCHER_STREAM_ID", `"${streamId}" is not a stream OCID (ocid1.stream....)`);
  const endpoint = parseHttpUrl("OCIPAM_WATCHER_STREAM_ENDPOINT", str("OCIPAM_WATCHER_STREAM_ENDPOINT"));

  const identity = get("OCIPAM_WATCHER_IDENTITY") ?? options.hostname ?? "";
  if (!identity) throw new ConfigError("OCIPAM_WATCHER_IDENTITY", "is required when the host name is unknown");

  const leaseDurationMs = seconds("OCIPAM_WATCHER_LEASE_DURATION_SECONDS", 0.001);
  const renewDeadlineMs = seconds("OCIPAM_WATCHER_LEASE_RENEW_DEADLINE_SECONDS", 0.001);
  const retryPeriodMs = seconds("OCIPAM_WATCHER_LEASE_RETRY_SECONDS", 0.001);
  if (!(leaseDurationMs > renewDeadlineMs))
    throw new ConfigError(
      "OCIPAM_WATCHER_LEASE_RENEW_DEADLINE_SECONDS",
      "must be less than OCIPAM_WATCHER_LEASE_DURATION_SECONDS",
    );
  if (!(renewDeadlineMs > 1.2 * retryPeriodMs))
    throw new ConfigError(
      "OCIPAM_WATCHER_LEASE_RETRY_SECONDS",
      "must be less than OCIPAM_WATCHER_LEASE_RENEW_DEADLINE_SECONDS / 1.2",
    );

  const resyncMs = seconds("OCIPAM_WATCHER_RESYNC_SECONDS", 0.001);
  // Unset, the cap is the default or the resync interval, whichever is longer; set, it must not undercut the interval.
  const resyncMaxSet = (values.OCIPAM_WATCHER_RESYNC_MAX_SECONDS ?? "").trim() !== "";
  const resyncMaxDefault = () => Math.max(resyncMs, seconds("OCIPAM_WATCHER_RESYNC_MAX_SECONDS", 0.001));
  const resyncMaxMs = resyncMaxSet ? seconds("OCIPAM_WATCHER_RESYNC_MAX_SECONDS", 0.001) : resyncMaxDefault();
  if (resyncMaxMs < resyncMs) {
    throw new ConfigError("OCIPAM_WATCHER_RESYNC_MAX_SECONDS", "must be at least OCIPAM_WATCHER_RESYNC_SECONDS");
  }
  const ociAuth = parseEnum("OCIPAM_WATCHER_OCI_AUTH", str("OCIPAM_WATCHER_OCI_AUTH"), WATCHER_OCI_AUTH_KINDS);
  const kubeAuth = parseEnum("OCIPAM_WATCHER_KUBE_AUTH", str("OCIPAM_WATCHER_KUBE_AUTH"), WATCHER_KUBE_AUTH_KINDS);
  const home = options.homeDir;
  const ociConfigFile =
    get("OCIPAM_WATCHER_OCI_CONFIG_FILE") ?? (ociAuth === "config_file" && home ? `${home}/.oci/config` : undefined);
  const kubeconfig =
    get("OCIPAM_WATCHER_KUBECONFIG") ?? (kubeAuth === "kubeconfig" && home ? `${home}/.kube/config` : undefined);
  if (kubeAuth === "kubeconfig" && !kubeconfig)
    throw new ConfigError("OCIPAM_WATCHER_KUBECONFIG", "is required when OCIPAM_WATCHER_KUBE_AUTH=kubeconfig");
  const context = get("OCIPAM_WATCHER_KUBE_CONTEXT");

  return {
    clusterName,
    identity,
    stream: { id: streamId, endpoint },
    resyncMs,
    resyncMaxMs,
    collectLeaksMs: seconds("OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS", 0),
    nudgeExcess: parseBoolean("OCIPAM_WATCHER_NUDGE_EXCESS", str("OCIPAM_WATCHER_NUDGE_EXCESS")),
    failureRetryMs: seconds("OCIPAM_WATCHER_FAILURE_RETRY_SECONDS", 0.001),
    batch: {
      flushMs: int("OCIPAM_WATCHER_FLUSH_MS", 0, 60_000),
      maxMessages: int("OCIPAM_WATCHER_BATCH_MAX_MESSAGES", 1, 100_000),
      maxBytes: int("OCIPAM_WATCHER_BATCH_MAX_BYTES", 8192, STREAM_REQUEST_MAX_BYTES),
    },
    publish: {
      attempts: int("OCIPAM_WATCHER_PUBLISH_ATTEMPTS", 1, 100),
      backoffBaseMs: int("OCIPAM_WATCHER_PUBLISH_BACKOFF_MS", 1),
      backoffMaxMs: int("OCIPAM_WATCHER_PUBLISH_BACKOFF_MAX_MS", 1),
      requestTimeoutMs: int("OCIPAM_WATCHER_PUBLISH_TIMEOUT_MS", 1),
    },
    http: { host: str("OCIPAM_WATCHER_METRICS_ADDRESS"), port: int("OCIPAM_WATCHER_METRICS_PORT", 0, 65535) },
    leaderElection: {
      enabled: parseBoolean("OCIPAM_WATCHER_LEADER_ELECTION", str("OCIPAM_WATCHER_LEADER_ELECTION")),
      namespace: str("OCIPAM_WATCHER_LEASE_NAMESPACE"),
      name: str("OCIPAM_WATCHER_LEASE_NAME"),
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
    watch: {
      watchdogMs: seconds("OCIPAM_WATCHER_WATCHDOG_SECONDS", 0.001),
      backoffBaseMs: int("OCIPAM_WATCHER_WATCH_BACKOFF_MS", 1),
      backoffMaxMs: int("OCIPAM_WATCHER_WATCH_BACKOFF_MAX_MS", 1),
    },
    oci: {
      auth: ociAuth,
      ...(ociConfigFile !== undefined && { configFile: ociConfigFile }),
      profile: str("OCIPAM_WATCHER_OCI_PROFILE"),
    },
    kube: {
      auth: kubeAuth,
      ...(kubeconfig !== undefined && kubeAuth === "kubeconfig" && { kubeconfig }),
      ...(context !== undefined && { context }),
      requestTimeoutMs: int("OCIPAM_WATCHER_KUBE_REQUEST_TIMEOUT_MS", 100),
    },
    logLevel: parseEnum("OCIPAM_WATCHER_LOG_LEVEL", str("OCIPAM_WATCHER_LOG_LEVEL"), LOG_LEVELS),
  };
}

/** The OCIPAM_WATCHER_* keys of an environment (the rest is never read or kept). */
export function pickWatcherKeys(env: Record<string, string | undefined>): Record<string, string> {
  return pickPrefixedKeys(env, "OCIPAM_WATCHER_");
}
