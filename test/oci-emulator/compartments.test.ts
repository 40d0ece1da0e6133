import { expect } from "chai";
import type { OciEmulator } from "../../lib/testbed/oci-emulator";
import type { WorldSpec } from "../../lib/testbed/oci-emulator";
import {
  attachAndWait,
  clientsFor,
  eventually,
  expectOciError,
  startWithClients,
  suiteKey,
  type Clients,
} from "./helpers";

/**
 * Where the emulator checks each permission of the operations that touch several resources, through the real SDK:
 * the instance in `apps`, the subnet (and so every VNIC and private IP in it) in `net`, the NSG in `sec`. Each row
 * moves one permission to a compartment where OCI does not check it, and the call must be denied.
 */
const WORLD: WorldSpec = {
  compartments: [{ name: "apps" }, { name: "net" }, { name: "sec" }],
  vcns: [{ name: "vcn", cidrBlock: "10.0.0.0/16", compartment: "net" }],
  subnets: [
    { name: "nodes", vcn: "vcn", cidrBlock: "10.0.1.0/24", availabilityDomain: null },
    { name: "pods", vcn: "vcn", cidrBlock: "10.0.16.0/20", availabilityDomain: null },
  ],
  nsgs: [{ name: "nsg-pods", vcn: "vcn", compartment: "sec" }],
  instances: [{ name: "w1", shape: "VM.Standard.E4.Flex", ocpus: 4, subnet: "nodes", compartment: "apps" }],
};

type Where = "apps" | "net" | "sec";

describe("OCI emulator: each permission checked in the compartment of the resource it is about (real SDK)", () => {
  let emulator: OciEmulator;
  let close: () => Promise<void>;
  let allocator: Clients;
  let admin: Clients;
  let ids: Record<Where, string>;
  const names = () => emulator.admin.snapshot();

  beforeEach(async () => {
    ({ emulator, close } = await startWithClients({
      world: WORLD,
      enforceIam: true,
      timeScale: 0.001,
      principal: { name: "allocator", groups: [], dynamicGroups: ["ocipam-allocator"], privateKeyPem: suiteKey() },
    }));
    allocator = clientsFor(emulator);
    admin = clientsFor(
      emulator,
      emulator.admin.addPrincipal({ name: "admin", groups: ["Administrators"], privateKeyPem: suiteKey() }),
    );
    const c = (n: string) => names().compartments.find((x) => x.name === n)!.id as string;
    ids = { apps: c("apps"), net: c("net"), sec: c("sec") };
    grant([]);
  });
  afterEach(async () => {
    for (const c of Object.values(admin)) c.close();
    await close();
  });

  const grant = (perms: Array<[string, Where]>) =>
    emulator.admin.setPolicies([
      "Allow group Administrators to manage all-resources in tenancy",
      ...perms.map(([p, where]) => `Allow dynamic-group ocipam-allocator to {${p}} in compartment id ${ids[where]}`),
    ]);
  const other = (w: Where): Where => (w === "apps" ? "net" : "apps");
  const instanceId = () => names().instances[0].id as string;
  const subnetId = (n: string) => names().subnets.find((s) => s.displayName === n)!.id as string;
  const nsgId = () => names().nsgs[0].id as string;

  const ATTACH: Array<[string, Where]> = [
    ["INSTANCE_ATTACH_SECONDARY_VNIC", "apps"],
    ["VNIC_CREATE", "net"],
    ["VNIC_ATTACH", "net"],
    ["SUBNET_ATTACH", "net"],
    ["VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP", "net"],
    ["NETWORK_SECURITY_GROUP_UPDATE_MEMBERS", "sec"],
  ];
  const attach = () =>
    allocator.compute.attachVnic({
      attachVnicDetails: {
        instanceId: instanceId(),
        createVnicDetails: { subnetId: subnetId("pods"), nsgIds: [nsgId()] },
      },
    });

  it("allows AttachVnic with NSGs when each permission is granted where its resource lives", async () => {
    grant(ATTACH);
    const r = await attach();
    expect(r.vnicAttachment.compartmentId).to.equal(ids.apps);
    const attached = await eventually(async () => {
      const a = (await admin.compute.getVnicAttachment({ vnicAttachmentId: r.vnicAttachment.id })).vnicAttachment;
      return a.vnicId ? a : undefined;
    });
    expect((await admin.vcn.getVnic({ vnicId: attached.vnicId! })).vnic.compartmentId).to.equal(ids.net);
  });

  for (const [permission, where] of ATTACH) {
    it(`denies AttachVnic when ${permission} is granted in the wrong compartment instead of ${where}`, async () => {
      grant(ATTACH.map(([p, w]) => [p, p === permission ? other(w) : w]));
      await expectOciError(attach, 404, "NotAuthorizedOrNotFound");
      expect(names().vnicAttachments).to.have.length(1);
    });
  }

  const DETACH: Array<[string, Where]> = [
    ["INSTANCE_DETACH_SECONDARY_VNIC", "apps"],
    ["VNIC_DETACH", "net"],
    ["VNIC_DELETE", "net"],
    ["SUBNET_DETACH", "net"],
  ];
  for (const [permission, where] of DETACH) {
    it(`denies DetachVnic with ${permission} outside ${where}, allows it with ${permission} in ${where}`, async () => {
      const { attachmentId } = await attachAndWait(admin, instanceId(), subnetId("pods"));
      grant(DETACH.map(([p, w]) => [p, p === permission ? other(w) : w]));
      await expectOciError(
        () => allocator.compute.detachVnic({ vnicAttachmentId: attachmentId }),
        404,
        "NotAuthorizedOrNotFound",
      );
      grant(DETACH);
      await allocator.compute.detachVnic({ vnicAttachmentId: attachmentId });
    });
  }

  it("keeps a secondary IP in its subnet's compartment and checks UpdatePrivateIp there", async () => {
    const primaryVnic = names().vnics.find((v) => v.isPrimary)!.id as string;
    const ip = (await admin.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId: primaryVnic } })).privateIp;
    expect(ip.compartmentId).to.equal(ids.net);
    grant([
      ["PRIVATE_IP_UPDATE", "apps"],
      ["VNIC_ASSIGN", "apps"],
      ["VNIC_UNASSIGN", "apps"],
    ]);
    await expectOciError(
      () =>
        allocator.vcn.updatePrivateIp({ privateIpId: ip.id!, updatePrivateIpDetails: { freeformTags: { a: "1" } } }),
      404,
      "NotAuthorizedOrNotFound",
    );
    grant([
      ["PRIVATE_IP_UPDATE", "net"],
      ["VNIC_ASSIGN", "net"],
      ["VNIC_UNASSIGN", "net"],
    ]);
    await allocator.vcn.updatePrivateIp({ privateIpId: ip.id!, updatePrivateIpDetails: { freeformTags: { a: "1" } } });
  });

  it("lets a principal read a bulk-create work request only with PRIVATE_IP_CREATE in its compartment", async () => {
    const primaryVnic = names().vnics.find((v) => v.isPrimary)!.id as string;
    const r = await admin.vcn.bulkCreatePrivateIps({
      bulkCreatePrivateIpsDetails: { vnicId: primaryVnic, bulkCreatePrivateIpItem: [{}] },
    });
    const workRequestId = r.opcWorkRequestId!;
    grant([
      ["WORKREQUEST_INSPECT", "net"],
      ["PRIVATE_IP_CREATE", "apps"],
    ]);
    await expectOciError(
      () => allocator.workRequests.getWorkRequest({ workRequestId }),
      404,
      "NotAuthorizedOrNotFound",
    );
    grant([["PRIVATE_IP_CREATE", "net"]]);
    expect((await allocator.workRequests.getWorkRequest({ workRequestId })).workRequest.id).to.equal(workRequestId);
    await allocator.workRequests.listWorkRequestErrors({ workRequestId });
  });
});
