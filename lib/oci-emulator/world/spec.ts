import type { Tags } from "./types";

/**
 * A world to seed the emulator with, as a JS object or a JSON file (`ocipam emulate oci --world file.json`).
 * References between objects use the referenced object's `name` (or its OCID when `id` was given).
 * Objects without an `id` get deterministic OCIDs in declaration order.
 */
export interface WorldSpec {
  /** Region identifier, default `us-ashburn-1`. */
  region?: string;
  tenancyId?: string;
  /** Secondary private IPs allowed per VNIC (docs disagree: 31 / 32 / 64; default 31). */
  secondaryIpsPerVnic?: number;
  compartments?: Array<{ id?: string; name: string; parent?: string }>;
  vcns?: Array<{ id?: string; name: string; cidrBlock: string; compartment?: string; dnsLabel?: string; freeformTags?: Tags }>;
  subnets?: Array<{
    id?: string;
    name: string;
    vcn: string;
    cidrBlock: string;
    /** AD name or its number (1, 2, 3); null or absent = regional. */
    availabilityDomain?: string | number | null;
    compartment?: string;
    dnsLabel?: string;
    freeformTags?: Tags;
    prohibitPublicIpOnVnic?: boolean;
  }>;
  nsgs?: Array<{ id?: string; name: string; vcn: string; compartment?: string; freeformTags?: Tags }>;
  instances?: Array<InstanceSpec>;
  streams?: Array<{ id?: string; name: string; partitions?: number; compartment?: string; freeformTags?: Tags }>;
}

export interface InstanceSpec {
  id?: string;
  name: string;
  shape: string;
  /** Flex shapes only. */
  ocpus?: number;
  memoryInGBs?: number;
  /** Subnet of the primary VNIC (name or OCID). */
  subnet: string;
  /** Defaults to the subnet's AD, or AD-1 for a regional subnet. */
  availabilityDomain?: string | number;
  compartment?: string;
  freeformTags?: Tags;
  /** Primary private IP; lowest free address when absent. */
  privateIp?: string;
  nsgs?: string[];
}
