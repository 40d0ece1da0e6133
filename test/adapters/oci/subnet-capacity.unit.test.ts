import { expect } from "chai";
import type * as core from "oci-core";
import { inventoryAddresses, toPrivateIpInfo, toSubnetInfo } from "../../../lib/adapters/oci/mappers";
import { subnetCapacity } from "../../../lib/reconcile/observe";

describe("subnet capacity over every IPv4 CIDR block, IP CIDR addresses in the inventory", () => {
  const capacityRows: Array<{ cidrBlock: string; cidrBlocks?: string[]; capacity: number }> = [
    { cidrBlock: "10.0.1.0/24", capacity: 253 },
    { cidrBlock: "10.0.1.0/24", cidrBlocks: ["10.0.1.0/24"], capacity: 253 },
    { cidrBlock: "10.0.1.0/24", cidrBlocks: ["10.0.1.0/24", "10.0.8.0/28"], capacity: 253 + 13 },
    { cidrBlock: "10.0.0.0/16", cidrBlocks: ["10.0.0.0/16", "10.1.0.0/16"], capacity: 2 * (65536 - 3) },
    { cidrBlock: "10.0.3.0/30", capacity: 1 },
    { cidrBlock: "10.0.3.0/31", capacity: 0 },
    { cidrBlock: "garbage", capacity: 0 },
    { cidrBlock: "10.0.1.0/24", cidrBlocks: [], capacity: 253 },
  ];
  for (const row of capacityRows) {
    const blocks = (row.cidrBlocks ?? [row.cidrBlock]).join(" + ") || row.cidrBlock;
    it(`counts ${row.capacity} assignable addresses for ${blocks}`, () => {
      expect(subnetCapacity({ cidrBlock: row.cidrBlock, cidrBlocks: row.cidrBlocks })).to.equal(row.capacity);
    });
  }

  type Collection = core.models.IpInventorySubnetResourceCollection;
  const entries = (...ips: string[]): Collection => ({
    count: ips.length,
    ipInventorySubnetResourceSummary: ips.map((ipAddress) => ({ ipAddress })),
  });
  const inventoryRows: Array<{ what: string; c: Collection | undefined; addresses: number | undefined }> = [
    { what: "single addresses count one each", c: entries("10.0.1.2", "10.0.1.3"), addresses: 2 },
    { what: "an IP CIDR address counts its block", c: entries("10.0.1.2", "10.0.1.16/28"), addresses: 17 },
    { what: "a count without entries is taken as it is", c: { count: 7 }, addresses: 7 },
    { what: "no count and no entries is unknown", c: {}, addresses: undefined },
    { what: "no collection is unknown", c: undefined, addresses: undefined },
  ];
  for (const row of inventoryRows) {
    it(`inventory: ${row.what}`, () => expect(inventoryAddresses(row.c)).to.equal(row.addresses));
  }

  it("maps ipv4CidrBlocks to cidrBlocks, falling back to cidrBlock", () => {
    const base = {
      id: "s",
      vcnId: "v",
      compartmentId: "c",
      lifecycleState: "AVAILABLE",
    } as unknown as core.models.Subnet;
    expect(toSubnetInfo({ ...base, cidrBlock: "10.0.1.0/24" }).cidrBlocks).to.deep.equal(["10.0.1.0/24"]);
    const both = toSubnetInfo({ ...base, cidrBlock: "10.0.1.0/24", ipv4CidrBlocks: ["10.0.1.0/24", "10.0.9.0/28"] });
    expect(both.cidrBlocks).to.deep.equal(["10.0.1.0/24", "10.0.9.0/28"]);
  });

  it("maps cidrPrefixLength of an IP CIDR address and leaves it out for a single address", () => {
    const p = { id: "p", ipAddress: "10.0.1.16", subnetId: "s", isPrimary: false } as core.models.PrivateIp;
    expect(toPrivateIpInfo({ ...p, cidrPrefixLength: 28 }, "GetPrivateIp").cidrPrefixLength).to.equal(28);
    expect(toPrivateIpInfo(p, "GetPrivateIp")).to.not.have.property("cidrPrefixLength");
  });
});
