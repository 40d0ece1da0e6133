import { expect } from "chai";
import * as common from "oci-common";
import type { OciEmulator, WorldSpec } from "../../lib/testbed/oci-emulator";
import { eventually, expectOciError, startWithClients, type Clients } from "./helpers";

/**
 * "Taking the first IP CIDR address from a subnet's first CIDR block puts the subnet in UPDATING for a while, during
 * which no IP can be created or deleted in it" (Private IP Addresses, managingIPaddresses.htm). The window is
 * `subnetUpdatingSeconds` of OCI time scaled by `timeScale`: 100 s × 0.01 = 1 s here.
 */
const WORLD: WorldSpec = {
  subnetUpdatingSeconds: 100,
  compartments: [{ name: "c" }],
  vcns: [{ name: "v", cidrBlock: "10.1.0.0/16" }],
  subnets: [{ name: "s", vcn: "v", cidrBlock: "10.1.0.0/24", ipv4CidrBlocks: ["10.1.0.0/24", "10.1.4.0/24"] }],
  instances: [{ name: "i", shape: "VM.Standard2.2", subnet: "s" }],
};

describe("OCI emulator: a subnet is UPDATING after its first IP CIDR address (through oci-core)", () => {
  let emulator: OciEmulator;
  let clients: Clients;
  let close: () => Promise<void>;
  let vnicId: string;
  let subnetId: string;

  beforeEach(async () => {
    ({ emulator, clients, close } = await startWithClients({ world: WORLD, timeScale: 0.01 }));
    const snap = emulator.admin.snapshot();
    vnicId = snap.vnics[0].id;
    subnetId = snap.subnets[0].id;
  });
  afterEach(async () => close());

  const state = async () => (await clients.vcn.getSubnet({ subnetId })).subnet.lifecycleState;
  const create = (details: { ipAddress?: string; cidrPrefixLength?: number } = {}) =>
    clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId, ...details } });

  it(
    "refuses creates, deletes and attachments (409 IncorrectState) while " +
      "UPDATING, answers reads, then is AVAILABLE",
    async () => {
      const single = (await create()).privateIp;
      const block = (await create({ ipAddress: "10.1.0.16", cidrPrefixLength: 28 })).privateIp;
      expect(block.cidrPrefixLength).to.equal(28);
      expect(await state()).to.equal("UPDATING");
      const listed = await clients.vcn.listSubnets({ compartmentId: emulator.admin.snapshot().compartments[0].id });
      expect(listed.items.map((s) => s.lifecycleState)).to.deep.equal(["UPDATING"]);
      expect((await clients.vcn.listPrivateIps({ vnicId })).items).to.have.length(3);
      expect((await clients.vcn.getSubnetIpInventory({ subnetId })).ipInventorySubnetResourceCollection.count).to.equal(
        3,
      );
      await expectOciError(() => create(), 409, "IncorrectState");
      await expectOciError(() => create({ ipAddress: "10.1.0.64", cidrPrefixLength: 28 }), 409, "IncorrectState");
      await expectOciError(() => clients.vcn.deletePrivateIp({ privateIpId: single.id! }), 409, "IncorrectState");
      await expectOciError(
        // One attempt: the SDK retries BulkCreatePrivateIps (and its 409 IncorrectState) by default.
        () =>
          clients.vcn.bulkCreatePrivateIps({
            bulkCreatePrivateIpsDetails: { vnicId, bulkCreatePrivateIpItem: [{}] },
            retryConfiguration: { terminationStrategy: new common.MaxAttemptsTerminationStrategy(1) },
          }),
        409,
        "IncorrectState",
      );
      const instanceId = emulator.admin.snapshot().instances[0].id;
      await expectOciError(
        () =>
          clients.compute.attachVnic({
            attachVnicDetails: { instanceId, createVnicDetails: { subnetId } },
            retryConfiguration: { terminationStrategy: new common.MaxAttemptsTerminationStrategy(1) },
          }),
        409,
        "IncorrectState",
      );
      await eventually(async () => (await state()) === "AVAILABLE", 400);
      await clients.vcn.deletePrivateIp({ privateIpId: single.id! });
      expect((await create({ ipAddress: "10.1.0.64", cidrPrefixLength: 28 })).privateIp.cidrPrefixLength).to.equal(28);
      expect(await state(), "only the first CIDR of the first block starts the window").to.equal("AVAILABLE");
    },
  );

  it("stays AVAILABLE when the first IP CIDR address comes from another block than the first", async () => {
    await create({ ipAddress: "10.1.4.16", cidrPrefixLength: 28 });
    expect(await state()).to.equal("AVAILABLE");
    await create();
  });

  it("stays AVAILABLE for single addresses", async () => {
    for (let i = 0; i < 3; i++) await create();
    expect(await state()).to.equal("AVAILABLE");
  });
});
