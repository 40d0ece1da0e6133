import type { WorldSpec } from "./world/spec";

/**
 * Secondary private-IP objects per VNIC when a world does not say: 64, what "Private IP Addresses"
 * (https://docs.oracle.com/iaas/Content/Network/Tasks/managingIPaddresses.htm) states and the service-limits default
 * of Universal Credits tenancies; Pay-As-You-Go and Trial tenancies have 32 (set `secondaryIpsPerVnic: 32`).
 */
export const DEFAULT_SECONDARY_IPS_PER_VNIC = 64;

/** How long (OCI seconds) a subnet stays UPDATING after its first IP CIDR address: OCI gives no figure (ASSUMED). */
export const DEFAULT_SUBNET_UPDATING_SECONDS = 30;

/**
 * The world `ocipam emulate oci` starts with when no --world file is given (and `startOciEmulator()` when `world` is
 * absent). Its OCIDs are deterministic (listed in README.md). Tags follow the project's conventions so tag-based
 * subnet / NSG selection can be exercised.
 */
export const DEFAULT_WORLD: WorldSpec = {
  region: "us-ashburn-1",
  compartments: [{ name: "ocipam" }],
  vcns: [
    {
      name: "vcn-ocipam",
      cidrBlock: "10.0.0.0/16",
      dnsLabel: "ocipam",
      freeformTags: { "ocipam.io/cluster": "local" },
    },
  ],
  subnets: [
    {
      name: "workers-ad1",
      vcn: "vcn-ocipam",
      cidrBlock: "10.0.1.0/24",
      availabilityDomain: 1,
      freeformTags: { "ocipam.io/role": "workers" },
    },
    {
      name: "workers-ad2",
      vcn: "vcn-ocipam",
      cidrBlock: "10.0.2.0/24",
      availabilityDomain: 2,
      freeformTags: { "ocipam.io/role": "workers" },
    },
    {
      name: "pods-regional",
      vcn: "vcn-ocipam",
      cidrBlock: "10.0.16.0/20",
      availabilityDomain: null,
      freeformTags: { "ocipam.io/role": "pods" },
    },
    // 16 addresses − 3 reserved = 13 assignable: small enough to exhaust in a test.
    {
      name: "pods-tiny-ad1",
      vcn: "vcn-ocipam",
      cidrBlock: "10.0.3.0/28",
      availabilityDomain: 1,
      freeformTags: { "ocipam.io/role": "pods", "ocipam.io/size": "tiny" },
    },
  ],
  nsgs: [
    { name: "nsg-workers", vcn: "vcn-ocipam", freeformTags: { "ocipam.io/role": "workers" } },
    { name: "nsg-pods", vcn: "vcn-ocipam", freeformTags: { "ocipam.io/role": "pods" } },
  ],
  instances: [
    // VM.Standard.E4.Flex, 1 OCPU → 2 VNICs (Flex rule).
    {
      name: "worker-e4-1",
      shape: "VM.Standard.E4.Flex",
      ocpus: 1,
      subnet: "workers-ad1",
      nsgs: ["nsg-workers"],
      freeformTags: { "ocipam.io/cluster": "local" },
    },
    // VM.Standard.E4.Flex, 8 OCPUs → 8 VNICs.
    {
      name: "worker-e4-8",
      shape: "VM.Standard.E4.Flex",
      ocpus: 8,
      subnet: "workers-ad2",
      nsgs: ["nsg-workers"],
      freeformTags: { "ocipam.io/cluster": "local" },
    },
    // Fixed shape: VM.Standard2.4 → 4 VNICs.
    {
      name: "worker-std2-4",
      shape: "VM.Standard2.4",
      subnet: "workers-ad1",
      freeformTags: { "ocipam.io/cluster": "local" },
    },
    // Bare metal: BM.Standard.E4.128 → 256 VNICs, nicIndex 0 and 1.
    {
      name: "worker-bm-e4",
      shape: "BM.Standard.E4.128",
      subnet: "workers-ad2",
      freeformTags: { "ocipam.io/cluster": "local" },
    },
  ],
  streams: [{ name: "ocipam-events", partitions: 3 }],
};
