import { expect } from "chai";
import type * as core from "oci-core";
import type { OciEmulator, WorldSpec } from "../../lib/testbed/oci-emulator";
import { eventually, expectOciError, startWithClients, type Clients } from "./helpers";

/**
 * IP CIDR addresses (`cidrPrefixLength` with `ipAddress`, oci-core CreatePrivateIpDetails / BulkCreatePrivateIpItem /
 * PrivateIp) and subnets with several IPv4 CIDR blocks, driven through the real VirtualNetworkClient.
 * The UPDATING window is off here (`subnetUpdatingSeconds: 0`); subnet-updating.test.ts covers it.
 */
const WORLD: WorldSpec = {
  secondaryIpsPerVnic: 8,
  subnetUpdatingSeconds: 0,
  compartments: [{ name: "c" }],
  vcns: [{ name: "v", cidrBlock: "10.1.0.0/16" }],
  subnets: [
    { name: "wide", vcn: "v", cidrBlock: "10.1.0.0/24" },
    // Two /29 blocks: 5 assignable addresses each (8 − first two − last).
    { name: "multi", vcn: "v", cidrBlock: "10.1.2.0/29", ipv4CidrBlocks: ["10.1.2.0/29", "10.1.3.0/29"] },
  ],
  instances: [
    { name: "a", shape: "VM.Standard2.1", subnet: "wide" },
    { name: "b", shape: "VM.Standard2.1", subnet: "multi" },
  ],
};

describe("OCI emulator: IP CIDR addresses and multi-CIDR subnets (through oci-core)", () => {
  let emulator: OciEmulator;
  let clients: Clients;
  let close: () => Promise<void>;
  let vnicA: string;
  let vnicB: string;
  let wideId: string;
  let multiId: string;

  beforeEach(async () => {
    ({ emulator, clients, close } = await startWithClients({ world: WORLD }));
    const snap = emulator.admin.snapshot();
    const vnicOf = (name: string) =>
      snap.vnics.find((v) => v.instanceId === snap.instances.find((i) => i.displayName === name)!.id)!.id;
    vnicA = vnicOf("a");
    vnicB = vnicOf("b");
    wideId = snap.subnets.find((s) => s.displayName === "wide")!.id;
    multiId = snap.subnets.find((s) => s.displayName === "multi")!.id;
  });
  afterEach(async () => close());

  const create = (details: Partial<core.models.CreatePrivateIpDetails>, vnicId = vnicA) =>
    clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId, ...details } });

  describe("the block a request names", () => {
    const rows: Array<{ what: string; ipAddress?: string; prefix: number; status?: number; code?: string }> = [
      { what: "an aligned /28 inside the subnet", ipAddress: "10.1.0.16", prefix: 28 },
      { what: "an aligned /31", ipAddress: "10.1.0.100", prefix: 31 },
      { what: "a /26 (64 addresses) clear of every reserved address", ipAddress: "10.1.0.128", prefix: 26 },
      { what: "a misaligned first address", ipAddress: "10.1.0.20", prefix: 28, status: 400, code: "InvalidParameter" },
      {
        what: "a block over the network address and the router",
        ipAddress: "10.1.0.0",
        prefix: 28,
        status: 400,
        code: "InvalidParameter",
      },
      {
        what: "a block over the broadcast address",
        ipAddress: "10.1.0.240",
        prefix: 28,
        status: 400,
        code: "InvalidParameter",
      },
      { what: "a block outside the subnet", ipAddress: "10.1.1.16", prefix: 28, status: 400, code: "InvalidParameter" },
      {
        what: "a block larger than the subnet",
        ipAddress: "10.1.0.0",
        prefix: 23,
        status: 400,
        code: "InvalidParameter",
      },
      { what: "a prefix shorter than /18", ipAddress: "10.1.0.0", prefix: 17, status: 400, code: "InvalidParameter" },
      { what: "prefix 32", ipAddress: "10.1.0.16", prefix: 32, status: 400, code: "InvalidParameter" },
      { what: "no ipAddress", prefix: 28, status: 400, code: "MissingParameter" },
    ];
    for (const row of rows) {
      const outcome = row.status ? `answers ${row.status} ${row.code}` : "is created as one private IP object";
      it(`${row.what} (${row.ipAddress ?? "-"}/${row.prefix}) ${outcome}`, async () => {
        const details = { ...(row.ipAddress ? { ipAddress: row.ipAddress } : {}), cidrPrefixLength: row.prefix };
        if (row.status) {
          await expectOciError(() => create(details), row.status, row.code!);
          expect(emulator.admin.snapshot().privateIps.filter((p) => !p.isPrimary)).to.have.length(0);
          return;
        }
        const made = (await create(details)).privateIp;
        expect(made).to.include({ ipAddress: row.ipAddress, cidrPrefixLength: row.prefix, isPrimary: false });
        expect((await clients.vcn.getPrivateIp({ privateIpId: made.id! })).privateIp.cidrPrefixLength).to.equal(
          row.prefix,
        );
        const listed = (await clients.vcn.listPrivateIps({ vnicId: vnicA })).items.find((p) => p.id === made.id);
        expect(listed?.cidrPrefixLength).to.equal(row.prefix);
        const free = emulator.admin.snapshot().subnets.find((s) => s.id === wideId)!.freeAddresses;
        expect(free).to.equal(253 - 1 - 2 ** (32 - row.prefix));
      });
    }
  });

  describe("collisions with existing allocations answer 409 Conflict", () => {
    const rows: Array<{ what: string; details: Partial<core.models.CreatePrivateIpDetails> }> = [
      { what: "a block over an existing single address", details: { ipAddress: "10.1.0.16", cidrPrefixLength: 28 } },
      { what: "a block inside an existing block", details: { ipAddress: "10.1.0.104", cidrPrefixLength: 29 } },
      { what: "a block around an existing block", details: { ipAddress: "10.1.0.64", cidrPrefixLength: 26 } },
      { what: "a single address inside an existing block", details: { ipAddress: "10.1.0.97" } },
      { what: "a block over the primary address", details: { ipAddress: "10.1.0.2", cidrPrefixLength: 31 } },
    ];
    for (const row of rows) {
      it(`${row.what}`, async () => {
        await create({ ipAddress: "10.1.0.20" });
        await create({ ipAddress: "10.1.0.96", cidrPrefixLength: 27 });
        await expectOciError(() => create(row.details), 409, "Conflict");
      });
    }
  });

  it("skips the addresses of a block when it picks an address itself", async () => {
    await create({ ipAddress: "10.1.0.4", cidrPrefixLength: 30 });
    const picked = [];
    for (let i = 0; i < 2; i++) picked.push((await create({})).privateIp.ipAddress);
    expect(picked).to.deep.equal(["10.1.0.3", "10.1.0.8"]);
  });

  it("frees the whole block when the block's private IP is deleted", async () => {
    const block = (await create({ ipAddress: "10.1.0.64", cidrPrefixLength: 26 })).privateIp;
    await expectOciError(() => create({ ipAddress: "10.1.0.100" }), 409, "Conflict");
    await clients.vcn.deletePrivateIp({ privateIpId: block.id! });
    expect((await create({ ipAddress: "10.1.0.100" })).privateIp.ipAddress).to.equal("10.1.0.100");
    expect((await create({ ipAddress: "10.1.0.64", cidrPrefixLength: 27 })).privateIp.cidrPrefixLength).to.equal(27);
  });

  it("counts a block as ONE private-IP object against the per-VNIC limit (400 LimitExceeded)", async () => {
    await create({ ipAddress: "10.1.0.128", cidrPrefixLength: 26 });
    for (let i = 0; i < 7; i++) await create({});
    await expectOciError(() => create({ ipAddress: "10.1.0.64", cidrPrefixLength: 28 }), 400, "LimitExceeded");
    await expectOciError(() => create({}), 400, "LimitExceeded");
    expect(emulator.admin.snapshot().vnics.find((v) => v.id === vnicA)!.secondaryIpCount).to.equal(8);
  });

  it("creates blocks in BulkCreatePrivateIps and lists them as the work request's resources", async () => {
    const r = await clients.vcn.bulkCreatePrivateIps({
      bulkCreatePrivateIpsDetails: {
        vnicId: vnicA,
        bulkCreatePrivateIpItem: [{ ipAddress: "10.1.0.16", cidrPrefixLength: 28 }, { displayName: "one" }],
      },
    });
    const wr = await eventually(async () => {
      const w = (await clients.workRequests.getWorkRequest({ workRequestId: r.opcWorkRequestId })).workRequest;
      return w.status === "SUCCEEDED" || w.status === "FAILED" ? w : undefined;
    });
    expect(wr.status).to.equal("SUCCEEDED");
    const ips = await Promise.all(wr.resources.map((res) => clients.vcn.getPrivateIp({ privateIpId: res.identifier })));
    expect(ips.map((p) => [p.privateIp.ipAddress, p.privateIp.cidrPrefixLength ?? null])).to.deep.equal([
      ["10.1.0.16", 28],
      ["10.1.0.3", null],
    ]);
  });

  it("fails the whole bulk work request when one block collides, creating nothing", async () => {
    await create({ ipAddress: "10.1.0.20" });
    const r = await clients.vcn.bulkCreatePrivateIps({
      bulkCreatePrivateIpsDetails: {
        vnicId: vnicA,
        bulkCreatePrivateIpItem: [
          { ipAddress: "10.1.0.64", cidrPrefixLength: 28 },
          { ipAddress: "10.1.0.16", cidrPrefixLength: 28 },
        ],
      },
    });
    const wr = await eventually(async () => {
      const w = (await clients.workRequests.getWorkRequest({ workRequestId: r.opcWorkRequestId })).workRequest;
      return w.status === "FAILED" || w.status === "SUCCEEDED" ? w : undefined;
    });
    expect(wr.status).to.equal("FAILED");
    const errors = await clients.workRequests.listWorkRequestErrors({ workRequestId: r.opcWorkRequestId });
    expect(errors.items.map((e) => e.code)).to.deep.equal(["Conflict"]);
    expect((await clients.vcn.listPrivateIps({ vnicId: vnicA })).items.map((p) => p.ipAddress)).to.deep.equal([
      "10.1.0.2",
      "10.1.0.20",
    ]);
  });

  it("reports a block as one inventory entry in CIDR notation with its parent block", async () => {
    await create({ ipAddress: "10.1.0.16", cidrPrefixLength: 28 });
    await create({ ipAddress: "10.1.0.40" });
    const inv = (await clients.vcn.getSubnetIpInventory({ subnetId: wideId })).ipInventorySubnetResourceCollection;
    expect(inv.count).to.equal(3);
    expect(inv.ipInventorySubnetResourceSummary!.map((e) => [e.ipAddress, e.parentCidr, e.isPrimary])).to.deep.equal([
      ["10.1.0.2", "10.1.0.0/24", true],
      ["10.1.0.16/28", "10.1.0.0/24", false],
      ["10.1.0.40", "10.1.0.0/24", false],
    ]);
  });

  it("returns every IPv4 CIDR block, counts capacity over all of them and draws from each in turn", async () => {
    const s = (await clients.vcn.getSubnet({ subnetId: multiId })).subnet;
    expect(s.cidrBlock).to.equal("10.1.2.0/29");
    expect(s.ipv4CidrBlocks).to.deep.equal(["10.1.2.0/29", "10.1.3.0/29"]);
    const free = () => emulator.admin.snapshot().subnets.find((x) => x.id === multiId)!.freeAddresses;
    expect(free(), "5 + 5 assignable, the primary holds one").to.equal(9);
    const picked: string[] = [];
    for (let i = 0; i < 8; i++) picked.push((await create({}, vnicB)).privateIp.ipAddress!);
    expect(picked).to.deep.equal([
      "10.1.2.3",
      "10.1.2.4",
      "10.1.2.5",
      "10.1.2.6",
      "10.1.3.2",
      "10.1.3.3",
      "10.1.3.4",
      "10.1.3.5",
    ]);
    expect(free()).to.equal(1);
    const inv = (await clients.vcn.getSubnetIpInventory({ subnetId: multiId })).ipInventorySubnetResourceCollection;
    expect(inv.count).to.equal(9);
    expect(inv.ipInventorySubnetResourceSummary!.filter((e) => e.parentCidr === "10.1.3.0/29")).to.have.length(4);
  });

  it("draws from the block ipv4SubnetCidrAtCreation names and refuses a block the subnet does not have", async () => {
    const r = await create({ ipv4SubnetCidrAtCreation: "10.1.3.0/29" }, vnicB);
    expect(r.privateIp.ipAddress).to.equal("10.1.3.2");
    await expectOciError(() => create({ ipv4SubnetCidrAtCreation: "10.1.4.0/29" }, vnicB), 400, "InvalidParameter");
    await expectOciError(
      () => create({ ipAddress: "10.1.2.3", ipv4SubnetCidrAtCreation: "10.1.3.0/29" }, vnicB),
      400,
      "InvalidParameter",
    );
  });

  it("reserves the first two and the last address of every block, not only of the first", async () => {
    for (const ipAddress of ["10.1.3.0", "10.1.3.1", "10.1.3.7", "10.1.2.7"]) {
      await expectOciError(() => create({ ipAddress }, vnicB), 400, "InvalidParameter");
    }
    expect((await create({ ipAddress: "10.1.3.6" }, vnicB)).privateIp.ipAddress).to.equal("10.1.3.6");
    await expectOciError(() => create({ ipAddress: "10.1.3.4", cidrPrefixLength: 30 }, vnicB), 400, "InvalidParameter");
  });
});
