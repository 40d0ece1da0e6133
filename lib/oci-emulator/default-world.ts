import type { WorldSpec } from "./world/spec";

/**
 * The world `ocipam emulate oci` starts with when no --world file is given (and `startOciEmulator()` when `world` is
 * absent). Its OCIDs are deterministic (listed in README.md). Tags follow the project's conventions so tag-based
 * subnet / NSG selection can be exercised.
 */
export const DEFAULT_WORLD: WorldSpec = {
  region: "us-ashburn-1",
  secondaryIpsPerVnic: 31,
  compartments: [{ name: "ocipam" }],
  vcns: [{ name: "vcn-ocipam", cidrBlock: "10.0.0.0/16", dnsLabel: "ocipam", freeformTags: { "ocipam.io/cluster": "local" } }],
  subnets: [
    { name: "workers-ad1", vcn: "vcn-ocipam", cidrBlock: "10.0.1.0/24", availabilityDomain: 1, freeformTags: { "ocipam.io/role": "workers" } },
    { name: "workers-ad2", vcn: "vcn-ocipam", cidrBlock: "10.0.2.0/24", availabilityDomain: 2, freeformTags: { "ocipam.io/role": "workers" } },
    { name: "pods-regional", vcn: "vcn-ocipam", cidrBlock: "10.0.16.0/20", availabilityDomain: null, freeformTags: { "ocipam.io/role": "pods" } },
    // 16 addresses − 3 reserved = 13 assignable: small enough to exhaust in a test.
    { name: "pods-tiny-ad1", vcn: "vcn-ocipam", cidrBlock: "10.0.3.0/28", availabilityDomain: 1, freeformTags: { "ocipam.io/role": "pods", "ocipam.io/size": "tiny" } },
  ],
  nsgs: [
    { name: "nsg-workers", vcn: "vcn-ocipam", freeformTags: { "ocipam.io/role": "workers" } },
    { name: "nsg-pods", vcn: "vcn-ocipam", freeformTags: { "ocipam.io/role": "pods" } },
  ],
  instances: [
    // VM.Standard.E4.Flex, 1 OCPU → 2 VNICs (Flex rule).
    { name: "worker-e4-1", shape: "VM.Standard.E4.Flex", ocpus: 1, subnet: "workers-ad1", nsgs: ["nsg-workers"], freeformTags: { "ocipam.io/cluster": "local" } },
    // VM.Standard.E4.Flex, 8 OCPUs → 8 VNICs.
    { name: "worker-e4-8", shape: "VM.Standard.E4.Flex", ocpus: 8, subnet: "workers-ad2", nsgs: ["nsg-workers"], freeformTags: { "ocipam.io/cluster": "local" } },
    // Fixed shape: VM.Standard2.4 → 4 VNICs.
    { name: "worker-std2-4", shape: "VM.Standard2.4", subnet: "workers-ad1", freeformTags: { "ocipam.io/cluster": "local" } },
    // Bare metal: BM.Standard.E4.128 → 256 VNICs, nicIndex 0 and 1.
    { name: "worker-bm-e4", shape: "BM.Standard.E4.128", subnet: "workers-ad2", freeformTags: { "ocipam.io/cluster": "local" } },
  ],
  streams: [{ name: "ocipam-events", partitions: 3 }],
};
