import { loadAllocatorConfig } from "../../lib/config/allocator-config";
import { silentLogger } from "../../lib/log";
import type { ReconcileDeps } from "../../lib/reconcile/deps";
import { FakeWorld } from "./fake-world";
import type { FakeOciOptions } from "./oci-world";

/** The allocator keys every fake world needs (cluster, compartment, VCN, Kubernetes access the fakes never use). */
export const FAKE_CONFIG: Record<string, string> = {
  OCIPAM_CLUSTER_NAME: "c1",
  OCIPAM_COMPARTMENT_IDS: "ocid1.compartment.oc1..c",
  OCIPAM_VCN_ID: "ocid1.vcn.oc1..vcn",
  OCIPAM_KUBE_AUTH: "token",
  OCIPAM_KUBE_API_SERVER: "https://127.0.0.1:6443",
  OCIPAM_KUBE_TOKEN: "t",
};

/** ReconcileDeps over a fresh fake world, with the world itself for seeding and assertions. */
export interface FakeDeps extends ReconcileDeps {
  world: FakeWorld;
}

/**
 * Builds `ReconcileDeps` whose every port is an in-memory fake of one consistent world, with the fake clock (`now`,
 * `sleep`: waiting advances it at once) and a silent logger. `config` adds or overrides allocator keys, parsed by
 * the real loader so a scenario runs with exactly the settings the function would.
 */
export function fakeDeps(
  options: { config?: Record<string, string>; world?: FakeWorld } & FakeOciOptions = {},
): FakeDeps {
  const world = options.world ?? new FakeWorld(options);
  return {
    world,
    compute: world.compute,
    network: world.network,
    ciliumNodes: world.ciliumNodes,
    nodes: world.nodes,
    pods: world.pods,
    locks: world.locks,
    records: world.records,
    events: world.events,
    config: loadAllocatorConfig({ ...FAKE_CONFIG, ...options.config }),
    log: silentLogger(),
    now: () => world.clock.now(),
    sleep: world.clock.sleep,
  };
}
