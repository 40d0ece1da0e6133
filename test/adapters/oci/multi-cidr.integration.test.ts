import { expect } from "chai";
import type { WorldSpec } from "../../../lib/testbed/oci-emulator";
import { subnetCapacity } from "../../../lib/reconcile/observe";
import { clientsFor, type Clients } from "../../oci-emulator/helpers";
import { startFixture, type Fixture } from "./emulator-fixture";

/**
 * The network adapter on subnets with several IPv4 CIDR blocks and IP CIDR addresses, against the emulator: the
 * fields reach the port (cidrBlocks, cidrPrefixLength), the inventory counts a block's addresses, and an UPDATING
 * subnet is still listed (a candidate to wait for).
 */
const WORLD: WorldSpec = {
  subnetUpdatingSeconds: 3600,
  compartments: [{ name: "c" }],
  vcns: [{ name: "v", cidrBlock: "10.1.0.0/16" }],
  subnets: [
    { name: "multi", vcn: "v", cidrBlock: "10.1.0.0/24", ipv4CidrBlocks: ["10.1.0.0/24", "10.1.8.0/28"] },
    { name: "plain", vcn: "v", cidrBlock: "10.1.2.0/24" },
  ],
  instances: [{ name: "i", shape: "VM.Standard2.1", subnet: "multi" }],
};

describe("OciNetworkAdapter with multi-CIDR subnets and IP CIDR addresses (over the OCI emulator)", () => {
  let f: Fixture;
  let sdk: Clients;
  beforeEach(async () => {
    f = await startFixture({ emulator: { world: WORLD } });
    sdk = clientsFor(f.emulator);
  });
  afterEach(async () => {
    for (const c of Object.values(sdk)) c.close();
    await f.close();
  });

  const ids = () => ({
    compartment: f.world.compartments[0].id,
    vcn: f.world.vcns[0].id as string,
    multi: f.byName(f.world.subnets, "multi").id,
    vnic: f.world.vnics[0].id,
  });

  it("lists every CIDR block, keeps UPDATING subnets, maps cidrPrefixLength, counts a block's addresses", async () => {
    const { compartment, vcn, multi, vnic } = ids();
    const before = await f.adapters.network.listSubnets(compartment, vcn);
    const m = before.find((s) => s.id === multi)!;
    expect(m.cidrBlocks).to.deep.equal(["10.1.0.0/24", "10.1.8.0/28"]);
    expect(subnetCapacity(m)).to.equal(253 + 13);

    // The first IP CIDR address of the first block: the subnet is UPDATING for an (emulated) hour.
    const details = { vnicId: vnic, ipAddress: "10.1.0.16", cidrPrefixLength: 28 };
    await sdk.vcn.createPrivateIp({ createPrivateIpDetails: details });
    const after = await f.adapters.network.listSubnets(compartment, vcn);
    expect(after.map((s) => [s.id, s.lifecycleState])).to.deep.include([multi, "UPDATING"]);
    expect(after).to.have.length(2);

    const ips = await f.adapters.network.listPrivateIps(vnic);
    expect(ips.map((p) => [p.ipAddress, p.cidrPrefixLength ?? null])).to.deep.equal([
      ["10.1.0.2", null],
      ["10.1.0.16", 28],
    ]);
    expect(await f.adapters.network.countAssignedIps(multi)).to.equal(1 + 16);
  });
});
