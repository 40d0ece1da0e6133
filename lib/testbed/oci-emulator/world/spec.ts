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
  /**
   * Secondary private-IP objects per VNIC (an IP CIDR address is one object). A tenancy limit: 64 for Universal
   * Credits, 32 for Pay-As-You-Go/Trial tenancies (service limits; "up to 64", managingIPaddresses.htm). Default 64.
   */
  secondaryIpsPerVnic?: number;
  /**
   * Seconds (OCI time, scaled by `timeScale`) a subnet stays UPDATING after the first IP CIDR address of its first
   * CIDR block is taken. OCI gives no figure: default 30 (ASSUMED); 0 turns the UPDATING window off.
   */
  subnetUpdatingSeconds?: number;
  compartments?: Array<{ id?: string; name: string; parent?: string }>;
  vcns?: Array<{
    id?: string;
    name: string;
    cidrBlock: string;
    compartment?: string;
    dnsLabel?: string;
    freeformTags?: Tags;
  }>;
  subnets?: Array<{
    id?: string;
    name: string;
    vcn: string;
    cidrBlock: string;
    /** Every IPv4 CIDR block, `cidrBlock` first (added when absent); default `[cidrBlock]`. */
    ipv4CidrBlocks?: string[];
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
