import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MANIFEST_DIR, startKubeEmulator, type KubeEmulator } from "../kube-emulator";
import type { Log } from "../../log";
import { silentLogger } from "../../log";
import { allocatorStatements, componentStatements } from "../../oci/project-policies";
import { SPLIT_COMPARTMENTS_WORLD, startOciEmulator, type OciEmulator, type WorldSpec } from "../oci-emulator";
import { writeOciConfig } from "../oci-emulator/config-file";
import type { InstanceSpec } from "../oci-emulator/world/spec";

export const LOCAL_CLUSTER_NAME = "local";
export const DEFAULT_COMPARTMENT = "ocid1.compartment.oc1..emucompartment000001";
export const DEFAULT_VCN = "ocid1.vcn.oc1.iad.emuvcn000001";

export interface LocalClusterOptions {
  latency?: "zero" | "realistic";
  /** Multiplies every modelled OCI duration (0.01: an 8 s attach takes 80 ms). */
  timeScale?: number;
  /** IAM enforced with the project's least-privilege statements (default true). */
  enforceIam?: boolean;
  /** Extra allocator configuration (OCIPAM_* keys). */
  allocatorConfig?: Record<string, string>;
  /**
   * "one" (default): everything in one compartment (the default world). "split": the deployment, the instances and the
   * network in three compartments (SPLIT_COMPARTMENTS_WORLD), the allocator granted each permission only where OCI
   * checks it (allocatorStatements), so a call aimed at the wrong compartment is denied.
   */
  compartments?: "one" | "split";
  /**
   * The OCI world for "one" compartment (default DEFAULT_WORLD). It must keep the default world's compartment, VCN,
   * workers-ad1/-ad2 subnets and stream names, whose OCIDs this cluster's configuration names (the 1,000-node bench
   * widens the subnets: two /24s hold 506 nodes' primary VNICs at most).
   */
  world?: WorldSpec;
  log?: Log;
}

export interface LocalCluster {
  oci: OciEmulator;
  kube: KubeEmulator;
  /** The allocator function's configuration for this world (what Terraform would set in OCI). */
  allocatorConfig: Record<string, string>;
  /** User OCID of the allocator's principal: the emulator counts the calls it signed (countersByPrincipal). */
  allocatorPrincipalId: string;
  /** OCI config file for the watcher's principal (stream-push only). */
  watcherOciConfig: { configPath: string; profile: string };
  /** OCI config file for the Connector Hub stand-in (stream-pull only). */
  connectorOciConfig: { configPath: string; profile: string };
  streamId: string;
  /** A private directory for this cluster's files (config files, kubeconfigs); removed by close(). */
  workDir: string;
  /**
   * Launches an instance and lets it join: a Node with its providerID and an empty CiliumNode, as kubelet and the agent
   * create them.
   */
  launchNode(name: string, spec?: Partial<InstanceSpec>): Promise<{ instanceId: string }>;
  /**
   * Launches an instance of the cluster without joining it. `running: false` models a real launch: PROVISIONING,
   * then RUNNING after the launch delay, with launchinstance.begin / .end events.
   */
  launchInstance(name: string, spec: Partial<InstanceSpec>, running: boolean): string;
  /** Creates the Node and CiliumNode of an existing instance. */
  joinNode(name: string, instanceId: string, ipam?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/**
 * Both emulators, with the project's CRDs and RBAC loaded and IAM enforced, plus an identity per component: the
 * allocator (dynamic group ocipam-allocator), the watcher (ocipam-watcher) and the connector. Used by the
 * end-to-end tests, the benchmarks and `ocipam local`.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const log = options.log ?? silentLogger();
  const split = options.compartments === "split";
  const oci = await startOciEmulator({
    latency: options.latency ?? "zero",
    timeScale: options.timeScale ?? 1,
    enforceIam: options.enforceIam ?? true,
    log,
    ...(split ? { world: SPLIT_COMPARTMENTS_WORLD } : options.world ? { world: options.world } : {}),
  });
  const compartmentNamed = (name: string) =>
    oci.admin.snapshot().compartments.find((c) => c.name === name)!.id as string;
  const instanceCompartment = split ? compartmentNamed("workers") : DEFAULT_COMPARTMENT;
  const networkCompartment = split ? compartmentNamed("network") : DEFAULT_COMPARTMENT;
  const stream = (oci.admin.snapshot() as unknown as { streams: Array<{ id: string }> }).streams[0]!;
  oci.admin.setPolicies([
    // OCI's built-in tenancy policy ("Tenant Admin Policy"): the administrators' own tooling in local runs.
    "Allow group Administrators to manage all-resources in tenancy",
    ...(split
      ? allocatorStatements("ocipam-allocator", {
          instanceCompartmentIds: [instanceCompartment],
          networkCompartmentId: networkCompartment,
          secretCompartmentId: DEFAULT_COMPARTMENT,
        })
      : componentStatements("allocator", "ocipam-allocator", [DEFAULT_COMPARTMENT])),
    ...componentStatements("watcher", "ocipam-watcher", [DEFAULT_COMPARTMENT]),
    ...componentStatements("connector", "ocipam-connector", [DEFAULT_COMPARTMENT]),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "ocipam-local-"));
  const principal = (name: string, dynamicGroup: string) => {
    const credentials = oci.admin.addPrincipal({ name, type: "fnfunc", dynamicGroups: [dynamicGroup] });
    const written = writeOciConfig(join(dir, name), credentials);
    return { configPath: written.configPath, profile: written.profile, principalId: credentials.userId };
  };
  const allocatorOci = principal("allocator", "ocipam-allocator");
  const watcherOciConfig = principal("watcher", "ocipam-watcher");
  const connectorOciConfig = principal("connector", "ocipam-connector");
  // The project's manifests, plus the Cilium agent's identity for the agent stand-ins of local runs.
  const kube = await startKubeEmulator({ log, manifestDirs: [DEFAULT_MANIFEST_DIR, join(__dirname, "manifests")] });
  const tokenSecret = oci.admin.createSecret({
    name: "ocipam-allocator-kube-token",
    content: kube.tokens["ocipam-system/ocipam-allocator"]!,
    compartment: DEFAULT_COMPARTMENT,
  });

  const allocatorConfig: Record<string, string> = {
    OCIPAM_CLUSTER_NAME: LOCAL_CLUSTER_NAME,
    OCIPAM_COMPARTMENT_IDS: instanceCompartment,
    ...(split ? { OCIPAM_NETWORK_COMPARTMENT_ID: networkCompartment } : {}),
    OCIPAM_VCN_ID: DEFAULT_VCN,
    OCIPAM_OCI_AUTH: "config_file",
    OCIPAM_OCI_CONFIG_FILE: allocatorOci.configPath,
    OCIPAM_OCI_PROFILE: allocatorOci.profile,
    OCIPAM_OCI_ENDPOINT: oci.endpoint,
    OCIPAM_OCI_REGION: "us-ashburn-1",
    // As deployed: the allocator's service-account token lives in an OCI Vault secret.
    OCIPAM_KUBE_AUTH: "vault",
    OCIPAM_KUBE_API_SERVER: kube.endpoint,
    OCIPAM_KUBE_TOKEN_SECRET_ID: tokenSecret.id,
    OCIPAM_KUBE_SKIP_TLS_VERIFY: "true",
    OCIPAM_ATTACH_POLL_MS: String(Math.max(Math.round(1000 * (options.timeScale ?? 1)), 5)),
    // As a real deployment configures it: pod VNICs go to the pod subnets, not the workers' subnets.
    OCIPAM_SUBNET_TAGS: "ocipam.io/role=pods",
    OCIPAM_OCI_REQUEST_RATE: "1000",
    OCIPAM_OCI_REQUEST_BURST: "200",
    ...options.allocatorConfig,
  };

  const joinNode = (name: string, instanceId: string, ipam: Record<string, unknown> = {}) => {
    kube.store.create("nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels: { "kubernetes.io/hostname": name } },
      spec: { providerID: `oci://${instanceId}` },
    });
    kube.store.create("ciliumnodes", {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNode",
      metadata: { name },
      spec: { ipam },
    });
  };

  let launched = 0;
  const launchInstance = (name: string, spec: Partial<InstanceSpec>, running: boolean): string => {
    // Nodes alternate between the two workers subnets (AD-1 and AD-2), as node pools spread over ADs.
    const subnet = launched++ % 2 === 0 ? "workers-ad1" : "workers-ad2";
    const instance = oci.admin.launchInstance(
      {
        name,
        shape: "VM.Standard.E4.Flex",
        ocpus: 2,
        subnet,
        compartment: instanceCompartment,
        freeformTags: { "ocipam.io/cluster": LOCAL_CLUSTER_NAME },
        ...spec,
      },
      { running },
    ) as { id: string };
    return instance.id;
  };
  return {
    oci,
    kube,
    allocatorConfig,
    allocatorPrincipalId: allocatorOci.principalId,
    watcherOciConfig,
    connectorOciConfig,
    streamId: stream.id,
    workDir: dir,
    async launchNode(name, spec = {}) {
      const instanceId = launchInstance(name, spec, true);
      joinNode(name, instanceId);
      return { instanceId };
    },
    launchInstance,
    joinNode,
    async close() {
      await Promise.allSettled([oci.close(), kube.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
