import { expect } from "chai";
import { ImdsError } from "../../lib/node-agent/errors";
import { ImdsClient } from "../../lib/node-agent/imds";
import { FakeImds } from "./imds-server";
import { caught } from "../support/capture";

// The example answer from OCI's managingVNICs.htm ("VNIC Information in the Instance Metadata").
const DOC_EXAMPLE = [
  {
    vnicId: "ocid1.vnic.oc1.phx.exampleuniqueID",
    privateIp: "10.0.3.6",
    vlanTag: 11,
    macAddr: "00:00:00:00:00:01",
    virtualRouterIp: "10.0.3.1",
    subnetCidrBlock: "10.0.3.0/24",
    nicIndex: 0,
  },
  {
    vnicId: "ocid1.vnic.oc1.phx.exampleuniqueID2",
    privateIp: "10.0.4.3",
    vlanTag: 12,
    macAddr: "00:00:00:00:00:02",
    virtualRouterIp: "10.0.4.1",
    subnetCidrBlock: "10.0.4.0/24",
    nicIndex: 0,
  },
];

describe("IMDS client", () => {
  let imds: FakeImds;
  beforeEach(async () => {
    imds = await new FakeImds().start();
  });
  afterEach(async () => {
    await imds.close();
  });

  const failure = async (client: ImdsClient): Promise<ImdsError> => {
    const err = await caught<ImdsError>(() => client.listVnics(), "listVnics");
    expect(err).to.be.instanceOf(ImdsError);
    return err;
  };

  it("reads OCI's documented example with the Authorization: Bearer Oracle header, keeping order", async () => {
    imds.vnics = DOC_EXAMPLE;
    const vnics = await new ImdsClient({ url: imds.url }).listVnics();
    expect(imds.seen[0]?.authorization).to.equal("Bearer Oracle");
    expect(vnics.map((v) => [v.vnicId, v.macAddr, v.virtualRouterIp, v.vlanTag, v.nicIndex])).to.deep.equal([
      ["ocid1.vnic.oc1.phx.exampleuniqueID", "00:00:00:00:00:01", "10.0.3.1", 11, 0],
      ["ocid1.vnic.oc1.phx.exampleuniqueID2", "00:00:00:00:00:02", "10.0.4.1", 12, 0],
    ]);
  });

  it("lower-cases MAC addresses (IMDS prints them in upper case)", async () => {
    imds.vnics = [{ ...DOC_EXAMPLE[0], macAddr: "02:00:17:05:CF:51" }];
    const [vnic] = await new ImdsClient({ url: imds.url }).listVnics();
    expect(vnic?.macAddr).to.equal("02:00:17:05:cf:51");
  });

  it("accepts entries without vlanTag and nicIndex (older v1-style answers)", async () => {
    imds.vnics = [
      {
        vnicId: "v",
        privateIp: "10.0.3.6",
        macAddr: "00:00:17:01:E0:3B",
        virtualRouterIp: "10.0.3.1",
        subnetCidrBlock: "10.0.3.0/24",
      },
    ];
    const [vnic] = await new ImdsClient({ url: imds.url }).listVnics();
    expect(vnic).to.not.have.property("vlanTag");
    expect(vnic).to.not.have.property("nicIndex");
  });

  it("reports ImdsUnavailable with the status on an HTTP error (IMDS may 404 briefly while it updates)", async () => {
    imds.status = 404;
    const err = await failure(new ImdsClient({ url: imds.url }));
    expect(err.reason).to.equal("ImdsUnavailable");
    expect(err.context.statusCode).to.equal(404);
  });

  it("reports ImdsUnavailable when the service does not answer in time", async () => {
    imds.delayMs = 500;
    const err = await failure(new ImdsClient({ url: imds.url, timeoutMs: 50 }));
    expect(err.reason).to.equal("ImdsUnavailable");
  });

  const invalid: Array<[string, () => void, RegExp]> = [
    ["a body that is not JSON", () => (imds.rawBody = "<html>"), /not JSON/],
    ["an empty list", () => (imds.vnics = []), /non-empty JSON array/],
    [
      "an entry without a MAC",
      () => (imds.vnics = [{ ...DOC_EXAMPLE[0], macAddr: undefined }]),
      /entry 0 field macAddr is missing/,
    ],
    [
      "a malformed virtual router IP",
      () => (imds.vnics = [DOC_EXAMPLE[0], { ...DOC_EXAMPLE[1], virtualRouterIp: "10.0.4.1; reboot" }]),
      /entry 1 field virtualRouterIp/,
    ],
    [
      "a subnet that is not a CIDR",
      () => (imds.vnics = [{ ...DOC_EXAMPLE[0], subnetCidrBlock: "10.0.3.0" }]),
      /subnetCidrBlock/,
    ],
  ];
  for (const [what, arrange, message] of invalid) {
    it(`rejects ${what} as ImdsInvalidResponse`, async () => {
      arrange();
      const err = await failure(new ImdsClient({ url: imds.url }));
      expect(err.reason).to.equal("ImdsInvalidResponse");
      expect(err.message).to.match(message);
    });
  }
});
