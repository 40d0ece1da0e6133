import { DEFAULT_WORLD } from "./default-world";
import type { WorldSpec } from "./world/spec";

/**
 * A world whose network has its own compartment, as most production tenancies are laid out (a network team owns the
 * VCN): `ocipam` holds the deployment (stream, secrets), `workers` the instances, `network` the VCN, its subnets and
 * NSGs. VNICs and private IPs then live in `network` (their subnet's compartment) while VNIC attachments live in
 * `workers` (their instance's), so a grant in the wrong compartment is denied, which a one-compartment world cannot
 * show. OCIDs are deterministic: compartments `ocid1.compartment.oc1..emucompartment00000{1,2,3}` in this order, the
 * VCN `ocid1.vcn.oc1.iad.emuvcn000001` (as in the default world). Subnet names match the default world's, so the local
 * harness can launch nodes in either (lib/testbed/local/local-cluster.ts `compartments: "split"`).
 */
export const SPLIT_COMPARTMENTS_WORLD: WorldSpec = {
  region: "us-ashburn-1",
  compartments: [{ name: "ocipam" }, { name: "workers" }, { name: "network" }],
  vcns: [{ name: "vcn-ocipam", cidrBlock: "10.0.0.0/16", compartment: "network", dnsLabel: "ocipam" }],
  // The default world's subnets a node launches in (same names, CIDRs and tags), in the network's VCN.
  subnets: (DEFAULT_WORLD.subnets ?? []).filter((s) =>
    ["workers-ad1", "workers-ad2", "pods-regional"].includes(s.name),
  ),
  nsgs: [{ name: "nsg-pods", vcn: "vcn-ocipam", freeformTags: { "ocipam.io/role": "pods" } }],
  instances: [
    {
      name: "worker-1",
      shape: "VM.Standard.E4.Flex",
      ocpus: 2,
      subnet: "workers-ad1",
      compartment: "workers",
      freeformTags: { "ocipam.io/cluster": "local" },
    },
  ],
  streams: [{ name: "ocipam-events", partitions: 1, compartment: "ocipam" }],
};
