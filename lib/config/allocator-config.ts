import { ConfigError } from "../errors";
import { MAX_BLOCK_PREFIX_LENGTH, MIN_BLOCK_PREFIX_LENGTH } from "../core/blocks/held";
import type { PlannerConfig } from "../core/model";
import {
  parseBoolean,
  parseEnum,
  parseHttpUrl,
  parseInteger,
  parseNumber,
  parseOcidList,
  parseTags,
  pickPrefixedKeys,
} from "./parse";

/**
 * The allocator's configuration: one table of keys shared by the OCI Function (fn config / Terraform
 * `config` map → environment), `ocipam reconcile` (environment or `--config FILE`) and the docs. The same names
 * everywhere, so what an operator sets in Terraform is what they set on a laptop.
 */

export const OCI_AUTH_KINDS = ["resource_principal", "config_file", "instance_principal"] as const;
export const KUBE_AUTH_KINDS = ["kubeconfig", "token", "vault", "oke"] as const;

export interface AllocatorConfig {
  planner: PlannerConfig;
  /** Compartments whose instances belong to the cluster; an instance elsewhere is refused. */
  compartmentIds: string[];
  /** Where the VCN's subnets and NSGs live (default: the first cluster compartment). */
  networkCompartmentId: string;
  oci: {
    auth: (typeof OCI_AUTH_KINDS)[number];
    configFile?: string;
    profile: string;
    endpoint?: string;
    region?: string;
  };
  kube: {
    auth: (typeof KUBE_AUTH_KINDS)[number];
    kubeconfig?: string;
    apiServer?: string;
    token?: string;
    tokenSecretId?: string;
    caCertPem?: string;
    skipTlsVerify: boolean;
    clusterId?: string;
    requestTimeoutMs: number;
  };
  /** Namespace of the per-node Leases. */
  namespace: string;
  maxParallelNodes: number;
  createConcurrency: number;
  useBulkCreate: boolean;
  attachPollMs: number;
  /** Requests per second and burst of the process-wide OCI request budget. */
  ociRequestRate: number;
  ociRequestBurst: number;
  /** Time kept in reserve before the invocation deadline for the final writes. */
  deadlineReserveMs: number;
  /** Used when the invocation carries no deadline (a terminal run). */
  defaultTimeoutSeconds: number;
  maxRoundsPerNode: number;
  logLevel: string;
  /** Preparing an instance's IPs on its launch event, before its node joins (lib/reconcile/prewarm.ts). */
  prewarm: {
    enabled: boolean;
    /** IPs created for the node-to-be (Cilium's default pre-allocate is 8). */
    ips: number;
    /** Freeform tags the instance must carry, all of them (empty: no tag requirement). */
    instanceTags: Record<string, string>;
    /** Regular expression the instance's display name must match ("" : any name). Validated at load. */
    displayNamePattern: string;
    /**
     * How long after the instance's creation a prewarm's objects wait for a node before leak collection may take them.
     */
    joinTimeoutSeconds: number;
  };
  /** Leak collection (lib/collect). */
  collect: {
    /** An orphan is deleted only when it was marked on an earlier pass at least this long ago. */
    gracePeriodSeconds: number;
    /** Deletions (private IPs plus VNIC detaches) per collector run. */
    maxDeletionsPerRun: number;
  };
}

export interface ConfigKey {
  key: string;
  default?: string;
  required?: boolean;
  description: string;
}

/** Every key, its default and meaning (rendered into the README's configuration reference). */
export const ALLOCATOR_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: "OCIPAM_CLUSTER_NAME",
    required: true,
    description: "Name of the cluster; tagged on every VNIC and IP the allocator creates (ocipam-cluster).",
  },
  {
    key: "OCIPAM_COMPARTMENT_IDS",
    required: true,
    description:
      "Comma-separated compartment OCIDs of the cluster's worker instances; instances elsewhere are refused.",
  },
  {
    key: "OCIPAM_VCN_ID",
    required: true,
    description: "OCID of the cluster's VCN; a node whose primary VNIC is in another VCN is refused.",
  },
  {
    key: "OCIPAM_NETWORK_COMPARTMENT_ID",
    description: "Compartment of the VCN's subnets and NSGs (default: the first of OCIPAM_COMPARTMENT_IDS).",
  },
  {
    key: "OCIPAM_SUBNET_IDS",
    default: "",
    description: "Subnets for new VNICs (comma-separated OCIDs); preferred over everything else.",
  },
  {
    key: "OCIPAM_SUBNET_TAGS",
    default: "",
    description: "key=value pairs a subnet must all carry to take new VNICs (used when OCIPAM_SUBNET_IDS is empty).",
  },
  {
    key: "OCIPAM_NSG_IDS",
    default: "",
    description:
      "NSGs for new VNICs (comma-separated OCIDs); default: NSGs matching OCIPAM_NSG_TAGS, else the primary VNIC's.",
  },
  { key: "OCIPAM_NSG_TAGS", default: "", description: "key=value pairs selecting the NSGs of new VNICs." },
  {
    key: "OCIPAM_IPS_PER_VNIC",
    default: "31",
    description:
      "Secondary private-IP objects per VNIC. 31 fits every tenancy; OCI's " +
      "limit is 64 on Universal Credits and 32 on Pay-As-You-Go/Trial " +
      "(Service Limits, " +
      "docs.oracle.com/iaas/Content/General/Concepts/servicelimits.htm).",
  },
  {
    key: "OCIPAM_IP_BLOCK_PREFIX_LENGTH",
    default: "32",
    description:
      "Prefix length of each private-IP object the allocator creates: 32 = " +
      "one address per object; 24 to 31 = one IP CIDR block of 2^(32-n) " +
      "addresses per object (28: 16 addresses), placed aligned in the " +
      "subnet; only the addresses Cilium's watermarks ask for are offered in " +
      "the pool. OCI documents /18 to /31 " +
      "(docs.oracle.com/iaas/Content/Network/Tasks/managingIPaddresses.htm); " +
      "above 256 addresses per object a block is held too long to be " +
      "released whole.",
  },
  {
    key: "OCIPAM_MAX_PODS_PER_NODE",
    default: "0",
    description:
      "Ceiling on the addresses a node's pool may hold whatever the shape " +
      "and block size allow (match the kubelet's max-pods); 0 = no ceiling.",
  },
  {
    key: "OCIPAM_FIRST_INTERFACE_INDEX",
    default: "0",
    description:
      "VNICs below this device index never carry pod IPs (0: the primary VNIC does; 1: only secondary VNICs).",
  },
  {
    key: "OCIPAM_EXCLUDE_INTERFACE_TAGS",
    default: "",
    description: "key=value pairs; a VNIC carrying all of them is never used.",
  },
  { key: "OCIPAM_RELEASE_EXCESS_IPS", default: "false", description: "Release excess IPs through Cilium's handshake." },
  {
    key: "OCIPAM_EXCESS_IP_RELEASE_DELAY",
    default: "180",
    description: "Seconds an IP must stay excess before it is marked for release.",
  },
  {
    key: "OCIPAM_OCI_AUTH",
    default: "resource_principal",
    description: "resource_principal (OCI Functions), config_file (local), or instance_principal.",
  },
  { key: "OCIPAM_OCI_CONFIG_FILE", description: "OCI config file for config_file auth (default ~/.oci/config)." },
  { key: "OCIPAM_OCI_PROFILE", default: "DEFAULT", description: "Profile in the OCI config file." },
  {
    key: "OCIPAM_OCI_ENDPOINT",
    description: "Base URL of the OCI API (no version path); for the emulator or a private endpoint.",
  },
  { key: "OCIPAM_OCI_REGION", description: "Region identifier (e.g. us-phoenix-1); default: the auth provider's." },
  {
    key: "OCIPAM_KUBE_AUTH",
    default: "vault",
    description:
      "How to reach the Kubernetes API: vault (service-account token in an " +
      "OCI Vault secret), token, kubeconfig, or oke.",
  },
  { key: "OCIPAM_KUBECONFIG", description: "Kubeconfig file for kubeconfig auth." },
  {
    key: "OCIPAM_KUBE_API_SERVER",
    description: "Kubernetes API URL for token, vault and oke auth (e.g. https://10.0.0.5:6443).",
  },
  {
    key: "OCIPAM_KUBE_TOKEN",
    description: "A bearer token for token auth (prefer vault: function config is not secret).",
  },
  {
    key: "OCIPAM_KUBE_TOKEN_SECRET_ID",
    description: "OCID of the Vault secret holding the service-account token (vault auth).",
  },
  { key: "OCIPAM_KUBE_CA_CERT", description: "PEM of the API server's CA, or base64 of it." },
  {
    key: "OCIPAM_KUBE_SKIP_TLS_VERIFY",
    default: "false",
    description: "Skip TLS verification (only for local emulators over http).",
  },
  { key: "OCIPAM_OKE_CLUSTER_ID", description: "OKE cluster OCID for oke auth." },
  { key: "OCIPAM_KUBE_REQUEST_TIMEOUT_MS", default: "10000", description: "Timeout of one Kubernetes API request." },
  { key: "OCIPAM_NAMESPACE", default: "ocipam-system", description: "Namespace of the per-node Leases." },
  { key: "OCIPAM_MAX_PARALLEL_NODES", default: "4", description: "Nodes reconciled at once by one invocation." },
  {
    key: "OCIPAM_CREATE_CONCURRENCY",
    default: "8",
    description: "CreatePrivateIp calls in flight at once for one node.",
  },
  {
    key: "OCIPAM_USE_BULK_CREATE",
    default: "false",
    description:
      "Create a VNIC's single-address IPs with one BulkCreatePrivateIps (its " +
      "work request awaited within the deadline, then one ListPrivateIps for " +
      "the addresses) instead of parallel CreatePrivateIp; IP CIDR blocks " +
      "are always one CreatePrivateIp each.",
  },
  {
    key: "OCIPAM_ATTACH_POLL_MS",
    default: "1000",
    description: "Interval between GetVnicAttachment polls while a VNIC attaches.",
  },
  {
    key: "OCIPAM_OCI_REQUEST_RATE",
    default: "10",
    description:
      "OCI requests per second for the whole process (token bucket; cut to 0.7× on 429; Terraform: " +
      "oci_request_rate_total ÷ stream_partitions).",
  },
  { key: "OCIPAM_OCI_REQUEST_BURST", default: "20", description: "Burst of the OCI request budget." },
  {
    key: "OCIPAM_DEADLINE_RESERVE_MS",
    default: "2000",
    description: "Time kept before the invocation deadline for the final writes.",
  },
  {
    key: "OCIPAM_DEFAULT_TIMEOUT_SECONDS",
    default: "120",
    description: "Time budget when the invocation carries no deadline (terminal runs).",
  },
  { key: "OCIPAM_MAX_ROUNDS_PER_NODE", default: "5", description: "Observe-plan-act rounds per node and invocation." },
  { key: "OCIPAM_LOG_LEVEL", default: "info", description: "pino log level." },
  {
    key: "OCIPAM_PREWARM_ON_LAUNCH",
    default: "false",
    description:
      "On an instance's launchinstance.end event, create and tag the " +
      "pre-allocate IPs (and a secondary VNIC when first-interface-index ≥ " +
      "1) before its node joins; the node adopts them.",
  },
  { key: "OCIPAM_PREWARM_IPS", default: "8", description: "IPs a prewarm prepares (Cilium's default pre-allocate)." },
  {
    key: "OCIPAM_PREWARM_INSTANCE_TAGS",
    default: "",
    description:
      "key=value freeform tags an instance must all carry to be prewarmed; " +
      "required when OCIPAM_PREWARM_ON_LAUNCH is on (prewarming every " +
      "instance of the cluster's compartments is never a default).",
  },
  {
    key: "OCIPAM_PREWARM_DISPLAY_NAME_PATTERN",
    default: "",
    description: "Regular expression an instance's display name must match to be prewarmed (empty: any name).",
  },
  {
    key: "OCIPAM_PREWARM_JOIN_TIMEOUT",
    default: "900",
    description:
      "Seconds after an instance's creation during which a prewarm's IPs and " +
      "VNICs wait for its node; after that, leak collection may take them.",
  },
  {
    key: "OCIPAM_COLLECT_GRACE_PERIOD",
    default: "600",
    description:
      "Seconds an orphaned IP or VNIC stays marked before the collector " +
      "deletes it (it must still be orphaned on a later pass).",
  },
  {
    key: "OCIPAM_COLLECT_MAX_DELETIONS",
    default: "50",
    description: "Private IP deletions plus VNIC detaches per leak-collection run.",
  },
];

const KNOWN = new Set(ALLOCATOR_CONFIG_KEYS.map((k) => k.key));

/**
 * Builds the typed configuration from string values (`ctx.config` in a function, `process.env` or a file in a
 * terminal). Every error names the key. Keys starting with OCIPAM_ that are not known are rejected (a typo would
 * otherwise silently fall back to a default).
 */
export function loadAllocatorConfig(values: Record<string, string | undefined>): AllocatorConfig {
  for (const key of Object.keys(values)) {
    if (
      key.startsWith("OCIPAM_") &&
      !KNOWN.has(key) &&
      !key.startsWith("OCIPAM_WATCHER_") &&
      !key.startsWith("OCIPAM_NODE_AGENT_")
    ) {
      throw new ConfigError(key, "is not a known configuration key (see the configuration reference)");
    }
  }
  const get = (key: string): string | undefined => {
    const spec = ALLOCATOR_CONFIG_KEYS.find((k) => k.key === key)!;
    const raw = values[key];
    if (raw !== undefined && raw.trim() !== "") return raw.trim();
    if (spec.required) throw new ConfigError(key, "is required");
    return spec.default;
  };
  const str = (key: string) => get(key) ?? "";
  const compartmentIds = parseOcidList("OCIPAM_COMPARTMENT_IDS", str("OCIPAM_COMPARTMENT_IDS"), "compartment");
  if (compartmentIds.length === 0) throw new ConfigError("OCIPAM_COMPARTMENT_IDS", "is required");
  const vcnId = parseOcidList("OCIPAM_VCN_ID", str("OCIPAM_VCN_ID"), "vcn")[0]!;
  const clusterName = str("OCIPAM_CLUSTER_NAME");
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(clusterName)) {
    throw new ConfigError(
      "OCIPAM_CLUSTER_NAME",
      "must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    );
  }
  const kubeAuth = parseEnum("OCIPAM_KUBE_AUTH", str("OCIPAM_KUBE_AUTH"), KUBE_AUTH_KINDS);
  const kube: AllocatorConfig["kube"] = {
    auth: kubeAuth,
    ...opt("kubeconfig", get("OCIPAM_KUBECONFIG")),
    ...opt("apiServer", get("OCIPAM_KUBE_API_SERVER")),
    ...opt("token", get("OCIPAM_KUBE_TOKEN")),
    ...opt("tokenSecretId", get("OCIPAM_KUBE_TOKEN_SECRET_ID")),
    ...opt("caCertPem", decodePem(get("OCIPAM_KUBE_CA_CERT"))),
    ...opt("clusterId", get("OCIPAM_OKE_CLUSTER_ID")),
    skipTlsVerify: parseBoolean("OCIPAM_KUBE_SKIP_TLS_VERIFY", str("OCIPAM_KUBE_SKIP_TLS_VERIFY")),
    requestTimeoutMs: parseInteger("OCIPAM_KUBE_REQUEST_TIMEOUT_MS", str("OCIPAM_KUBE_REQUEST_TIMEOUT_MS"), 100),
  };
  const needs: Record<(typeof KUBE_AUTH_KINDS)[number], Array<[keyof AllocatorConfig["kube"], string]>> = {
    kubeconfig: [["kubeconfig", "OCIPAM_KUBECONFIG"]],
    token: [
      ["apiServer", "OCIPAM_KUBE_API_SERVER"],
      ["token", "OCIPAM_KUBE_TOKEN"],
    ],
    vault: [
      ["apiServer", "OCIPAM_KUBE_API_SERVER"],
      ["tokenSecretId", "OCIPAM_KUBE_TOKEN_SECRET_ID"],
    ],
    oke: [
      ["apiServer", "OCIPAM_KUBE_API_SERVER"],
      ["clusterId", "OCIPAM_OKE_CLUSTER_ID"],
    ],
  };
  for (const [field, key] of needs[kubeAuth]) {
    if (kube[field] === undefined) throw new ConfigError(key, `is required when OCIPAM_KUBE_AUTH=${kubeAuth}`);
  }
  const ociAuth = parseEnum("OCIPAM_OCI_AUTH", str("OCIPAM_OCI_AUTH"), OCI_AUTH_KINDS);
  const prewarmEnabled = parseBoolean("OCIPAM_PREWARM_ON_LAUNCH", str("OCIPAM_PREWARM_ON_LAUNCH"));
  const prewarmTags = parseTags("OCIPAM_PREWARM_INSTANCE_TAGS", str("OCIPAM_PREWARM_INSTANCE_TAGS"));
  if (prewarmEnabled && Object.keys(prewarmTags).length === 0) {
    // A launch event is a hint anyone in the compartments can cause: only instances the operator marked as the
    // cluster's future nodes get VNICs and IPs.
    throw new ConfigError(
      "OCIPAM_PREWARM_INSTANCE_TAGS",
      "is required when OCIPAM_PREWARM_ON_LAUNCH is true: name the freeform " +
        "tags (key=value) that mark the cluster's worker instances",
    );
  }
  return {
    planner: {
      clusterName,
      vcnId,
      ipsPerVnic: parseInteger("OCIPAM_IPS_PER_VNIC", str("OCIPAM_IPS_PER_VNIC"), 1, 256),
      firstInterfaceIndex: parseInteger("OCIPAM_FIRST_INTERFACE_INDEX", str("OCIPAM_FIRST_INTERFACE_INDEX"), 0, 255),
      excludeInterfaceTags: parseTags("OCIPAM_EXCLUDE_INTERFACE_TAGS", str("OCIPAM_EXCLUDE_INTERFACE_TAGS")),
      subnetIds: parseOcidList("OCIPAM_SUBNET_IDS", str("OCIPAM_SUBNET_IDS"), "subnet"),
      subnetTags: parseTags("OCIPAM_SUBNET_TAGS", str("OCIPAM_SUBNET_TAGS")),
      nsgIds: parseOcidList("OCIPAM_NSG_IDS", str("OCIPAM_NSG_IDS"), "networksecuritygroup"),
      nsgTags: parseTags("OCIPAM_NSG_TAGS", str("OCIPAM_NSG_TAGS")),
      releaseExcessIps: parseBoolean("OCIPAM_RELEASE_EXCESS_IPS", str("OCIPAM_RELEASE_EXCESS_IPS")),
      excessIpReleaseDelaySeconds: parseInteger(
        "OCIPAM_EXCESS_IP_RELEASE_DELAY",
        str("OCIPAM_EXCESS_IP_RELEASE_DELAY"),
        0,
      ),
      ipBlockPrefixLength: parseInteger(
        "OCIPAM_IP_BLOCK_PREFIX_LENGTH",
        str("OCIPAM_IP_BLOCK_PREFIX_LENGTH"),
        MIN_BLOCK_PREFIX_LENGTH,
        MAX_BLOCK_PREFIX_LENGTH,
      ),
      maxPodsPerNode: parseInteger("OCIPAM_MAX_PODS_PER_NODE", str("OCIPAM_MAX_PODS_PER_NODE"), 0, 65_536),
    },
    compartmentIds,
    networkCompartmentId: get("OCIPAM_NETWORK_COMPARTMENT_ID")
      ? parseOcidList("OCIPAM_NETWORK_COMPARTMENT_ID", str("OCIPAM_NETWORK_COMPARTMENT_ID"), "compartment")[0]!
      : compartmentIds[0]!,
    oci: {
      auth: ociAuth,
      ...opt("configFile", get("OCIPAM_OCI_CONFIG_FILE")),
      profile: str("OCIPAM_OCI_PROFILE"),
      ...opt("endpoint", validateUrl("OCIPAM_OCI_ENDPOINT", get("OCIPAM_OCI_ENDPOINT"))),
      ...opt("region", get("OCIPAM_OCI_REGION")),
    },
    kube,
    namespace: str("OCIPAM_NAMESPACE"),
    maxParallelNodes: parseInteger("OCIPAM_MAX_PARALLEL_NODES", str("OCIPAM_MAX_PARALLEL_NODES"), 1, 64),
    createConcurrency: parseInteger("OCIPAM_CREATE_CONCURRENCY", str("OCIPAM_CREATE_CONCURRENCY"), 1, 64),
    useBulkCreate: parseBoolean("OCIPAM_USE_BULK_CREATE", str("OCIPAM_USE_BULK_CREATE")),
    attachPollMs: parseInteger("OCIPAM_ATTACH_POLL_MS", str("OCIPAM_ATTACH_POLL_MS"), 1),
    ociRequestRate: parseNumber("OCIPAM_OCI_REQUEST_RATE", str("OCIPAM_OCI_REQUEST_RATE"), 0.1),
    ociRequestBurst: parseInteger("OCIPAM_OCI_REQUEST_BURST", str("OCIPAM_OCI_REQUEST_BURST"), 1),
    deadlineReserveMs: parseInteger("OCIPAM_DEADLINE_RESERVE_MS", str("OCIPAM_DEADLINE_RESERVE_MS"), 0),
    defaultTimeoutSeconds: parseInteger(
      "OCIPAM_DEFAULT_TIMEOUT_SECONDS",
      str("OCIPAM_DEFAULT_TIMEOUT_SECONDS"),
      1,
      3600,
    ),
    maxRoundsPerNode: parseInteger("OCIPAM_MAX_ROUNDS_PER_NODE", str("OCIPAM_MAX_ROUNDS_PER_NODE"), 1, 50),
    logLevel: parseEnum("OCIPAM_LOG_LEVEL", str("OCIPAM_LOG_LEVEL"), [
      "fatal",
      "error",
      "warn",
      "info",
      "debug",
      "trace",
      "silent",
    ] as const),
    prewarm: {
      enabled: prewarmEnabled,
      ips: parseInteger("OCIPAM_PREWARM_IPS", str("OCIPAM_PREWARM_IPS"), 1, 4096),
      instanceTags: prewarmTags,
      displayNamePattern: validateRegExp(
        "OCIPAM_PREWARM_DISPLAY_NAME_PATTERN",
        str("OCIPAM_PREWARM_DISPLAY_NAME_PATTERN"),
      ),
      joinTimeoutSeconds: parseInteger("OCIPAM_PREWARM_JOIN_TIMEOUT", str("OCIPAM_PREWARM_JOIN_TIMEOUT"), 0),
    },
    collect: {
      gracePeriodSeconds: parseInteger("OCIPAM_COLLECT_GRACE_PERIOD", str("OCIPAM_COLLECT_GRACE_PERIOD"), 0),
      maxDeletionsPerRun: parseInteger("OCIPAM_COLLECT_MAX_DELETIONS", str("OCIPAM_COLLECT_MAX_DELETIONS"), 1, 10_000),
    },
  };
}

function validateRegExp(key: string, raw: string): string {
  try {
    new RegExp(raw);
  } catch (err) {
    throw new ConfigError(
      key,
      `is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return raw;
}

function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function decodePem(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.includes("-----BEGIN")) return raw;
  const decoded = Buffer.from(raw, "base64").toString("utf8");
  if (!decoded.includes("-----BEGIN"))
    throw new ConfigError("OCIPAM_KUBE_CA_CERT", "is neither a PEM certificate nor base64 of one");
  return decoded;
}

function validateUrl(key: string, raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : parseHttpUrl(key, raw);
}

/** Reads only the OCIPAM_* keys of an environment (never logs or keeps the rest: ctx.config is the whole env). */
export function pickOcipamKeys(env: Record<string, string | undefined>): Record<string, string> {
  return pickPrefixedKeys(env, "OCIPAM_");
}
