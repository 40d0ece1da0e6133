import { expect } from "chai";
import type { OciEmulator, WorldSnapshot } from "../../lib/testbed/oci-emulator";
import { clientsFor, expectOciError, failure, startWithClients, type Clients } from "./helpers";

/**
 * UpdatePrivateIp and UpdateVnic through the real VirtualNetworkClient, with IAM enforced: what the allocator uses to
 * re-tag IPs and VNICs it adopts from a prewarm. Permissions per "Permissions Required for Each API Operation"
 * (docs.oracle.com/iaas/Content/Identity/Reference/corepolicyreference.htm): UpdatePrivateIp needs PRIVATE_IP_UPDATE,
 * VNIC_ASSIGN and VNIC_UNASSIGN; UpdateVnic needs VNIC_UPDATE (and the NSG pair when its NSGs change).
 */
describe("OCI emulator: UpdatePrivateIp and UpdateVnic (real SDK, IAM enforced)", () => {
  let emulator: OciEmulator;
  let close: () => Promise<void>;
  let world: WorldSnapshot;
  let clients: Clients;
  let compartment: string;

  const reads = (c: string) => [
    "Allow dynamic-group ocipam-allocator to {PRIVATE_IP_READ, VNIC_READ, PRIVATE_IP_CREATE, PRIVATE_IP_ASSIGN, " +
      `VNIC_ASSIGN, SUBNET_ATTACH} in compartment id ${c}`,
  ];
  const ipUpdate = (c: string) =>
    `Allow dynamic-group ocipam-allocator to {PRIVATE_IP_UPDATE, VNIC_UNASSIGN} in compartment id ${c}`;
  const vnicUpdate = (c: string) => `Allow dynamic-group ocipam-allocator to {VNIC_UPDATE} in compartment id ${c}`;

  beforeEach(async () => {
    ({ emulator, close } = await startWithClients({ enforceIam: true, policies: [] }));
    world = emulator.admin.snapshot();
    compartment = world.compartments[0].id as string;
    emulator.admin.setPolicies(reads(compartment));
    clients = clientsFor(emulator);
  });
  afterEach(async () => close());

  const primaryVnicId = () => world.vnics.find((v) => v.isPrimary)!.id as string;
  const secondaryIp = async (freeformTags: Record<string, string>) =>
    (
      await clients.vcn.createPrivateIp({
        createPrivateIpDetails: { vnicId: primaryVnicId(), freeformTags, displayName: "prewarm" },
      })
    ).privateIp;

  it("replaces the whole freeform tag map of a secondary IP and keeps its other fields", async () => {
    emulator.admin.setPolicies([...reads(compartment), ipUpdate(compartment)]);
    const ip = await secondaryIp({ "ocipam.io/prewarm": "i1", stale: "x" });
    const before = await clients.vcn.getPrivateIp({ privateIpId: ip.id! });
    const tags = { "ocipam.io/cluster": "local", "ocipam.io/node": "worker-1" };
    const r = await clients.vcn.updatePrivateIp({
      privateIpId: ip.id!,
      updatePrivateIpDetails: { freeformTags: tags },
    });
    expect(r.privateIp.freeformTags).to.deep.equal(tags);
    expect(r.privateIp).to.include({
      id: ip.id,
      ipAddress: ip.ipAddress,
      displayName: "prewarm",
      vnicId: primaryVnicId(),
    });
    expect(r.etag).to.be.a("string").and.not.equal(before.etag);
    const read = await clients.vcn.getPrivateIp({ privateIpId: ip.id! });
    expect(read.privateIp.freeformTags).to.deep.equal(tags);
  });

  it("denies UpdatePrivateIp without PRIVATE_IP_UPDATE and leaves the tags as they were", async () => {
    const ip = await secondaryIp({ "ocipam.io/prewarm": "i1" });
    await expectOciError(
      () => clients.vcn.updatePrivateIp({ privateIpId: ip.id!, updatePrivateIpDetails: { freeformTags: { a: "b" } } }),
      404,
      "NotAuthorizedOrNotFound",
    );
    // VNIC_UNASSIGN alone is not enough either: every listed permission is needed.
    emulator.admin.setPolicies([
      ...reads(compartment),
      `Allow dynamic-group ocipam-allocator to {VNIC_UNASSIGN} in compartment id ${compartment}`,
    ]);
    await expectOciError(
      () => clients.vcn.updatePrivateIp({ privateIpId: ip.id!, updatePrivateIpDetails: { freeformTags: { a: "b" } } }),
      404,
      "NotAuthorizedOrNotFound",
    );
    expect(emulator.admin.snapshot().privateIps.find((p) => p.id === ip.id)?.freeformTags).to.deep.equal({
      "ocipam.io/prewarm": "i1",
    });
  });

  it("answers 400 InvalidParameter naming a field UpdatePrivateIpDetails does not have", async () => {
    emulator.admin.setPolicies([...reads(compartment), ipUpdate(compartment)]);
    const ip = await secondaryIp({});
    const details = { freeformTags: { a: "b" }, nsgIds: ["x"] } as unknown as { freeformTags: Record<string, string> };
    const err = await failure(() =>
      clients.vcn.updatePrivateIp({ privateIpId: ip.id!, updatePrivateIpDetails: details }),
    );
    expect(err).to.include({ statusCode: 400, serviceCode: "InvalidParameter" });
    expect(err.message).to.contain("nsgIds");
    expect(emulator.admin.snapshot().privateIps.find((p) => p.id === ip.id)?.freeformTags).to.deep.equal({});
  });

  it("refuses UpdatePrivateIp on a primary IP and answers 404 for an IP that does not exist", async () => {
    emulator.admin.setPolicies([...reads(compartment), ipUpdate(compartment)]);
    const primary = world.privateIps.find((p) => p.isPrimary)!.id as string;
    await expectOciError(
      () => clients.vcn.updatePrivateIp({ privateIpId: primary, updatePrivateIpDetails: { freeformTags: {} } }),
      400,
      "InvalidParameter",
    );
    await expectOciError(
      () =>
        clients.vcn.updatePrivateIp({
          privateIpId: "ocid1.privateip.oc1.iad.nothere",
          updatePrivateIpDetails: { freeformTags: {} },
        }),
      404,
      "NotAuthorizedOrNotFound",
    );
  });

  it("answers 412 NoEtagMatch to an UpdatePrivateIp whose if-match is stale", async () => {
    emulator.admin.setPolicies([...reads(compartment), ipUpdate(compartment)]);
    const ip = await secondaryIp({});
    const { etag } = await clients.vcn.getPrivateIp({ privateIpId: ip.id! });
    await clients.vcn.updatePrivateIp({
      privateIpId: ip.id!,
      updatePrivateIpDetails: { freeformTags: { a: "1" } },
      ifMatch: etag,
    });
    await expectOciError(
      () =>
        clients.vcn.updatePrivateIp({
          privateIpId: ip.id!,
          updatePrivateIpDetails: { freeformTags: { a: "2" } },
          ifMatch: etag,
        }),
      412,
      "NoEtagMatch",
    );
  });

  it("replaces a VNIC's freeform tags with UpdateVnic, allowed only with VNIC_UPDATE", async () => {
    const vnicId = primaryVnicId();
    const nsgsBefore = world.vnics.find((v) => v.id === vnicId)!.nsgIds;
    const tags = { "ocipam.io/cluster": "local", "ocipam.io/node": "worker-1" };
    await expectOciError(
      () => clients.vcn.updateVnic({ vnicId, updateVnicDetails: { freeformTags: tags } }),
      404,
      "NotAuthorizedOrNotFound",
    );
    emulator.admin.setPolicies([...reads(compartment), vnicUpdate(compartment)]);
    const r = await clients.vcn.updateVnic({ vnicId, updateVnicDetails: { freeformTags: tags } });
    expect(r.vnic.freeformTags).to.deep.equal(tags);
    expect(r.vnic.nsgIds).to.deep.equal(nsgsBefore);
    expect((await clients.vcn.getVnic({ vnicId })).vnic.freeformTags).to.deep.equal(tags);
  });

  it("requires the NSG permissions only for an UpdateVnic that changes the VNIC's NSGs", async () => {
    emulator.admin.setPolicies([...reads(compartment), vnicUpdate(compartment)]);
    const vnic = world.vnics.find((v) => v.isPrimary)!;
    const same = vnic.nsgIds as string[];
    await clients.vcn.updateVnic({
      vnicId: vnic.id as string,
      updateVnicDetails: { nsgIds: same, freeformTags: { a: "1" } },
    });
    const other = world.nsgs.map((n) => n.id as string).filter((id) => !same.includes(id));
    await expectOciError(
      () => clients.vcn.updateVnic({ vnicId: vnic.id as string, updateVnicDetails: { nsgIds: other } }),
      404,
      "NotAuthorizedOrNotFound",
    );
    emulator.admin.setPolicies([
      ...reads(compartment),
      vnicUpdate(compartment),
      "Allow dynamic-group ocipam-allocator to " +
        "{NETWORK_SECURITY_GROUP_UPDATE_MEMBERS, VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP} " +
        `in compartment id ${compartment}`,
    ]);
    const r = await clients.vcn.updateVnic({ vnicId: vnic.id as string, updateVnicDetails: { nsgIds: other } });
    expect(r.vnic.nsgIds).to.deep.equal(other);
  });

  it("answers 400 InvalidParameter naming a field UpdateVnicDetails does not have", async () => {
    emulator.admin.setPolicies([...reads(compartment), vnicUpdate(compartment)]);
    const details = { freeformTags: { a: "b" }, lifetime: "RESERVED" } as unknown as {
      freeformTags: Record<string, string>;
    };
    const err = await failure(() => clients.vcn.updateVnic({ vnicId: primaryVnicId(), updateVnicDetails: details }));
    expect(err).to.include({ statusCode: 400, serviceCode: "InvalidParameter" });
    expect(err.message).to.contain("lifetime");
  });
});
