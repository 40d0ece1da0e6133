import { expect } from "chai";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { rejection, startFixture, type Fixture } from "./emulator-fixture";

/** OciNetworkAdapter.updatePrivateIpTags / updateVnicTags over the emulator (real VirtualNetworkClient). */
describe("OciNetworkAdapter re-tagging over the OCI emulator", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(async () => f.close());

  const primaryVnicId = () => f.world.vnics.find((v) => v.isPrimary === true)!.id as string;
  const nodeTags = { "ocipam.io/cluster": "local", "ocipam.io/node": "worker-1" };

  it("replaces an IP's freeform tags and returns the updated IP with its opc-request-id", async () => {
    const created = await f.adapters.network.createPrivateIp({
      vnicId: primaryVnicId(),
      displayName: "prewarm",
      freeformTags: { "ocipam.io/prewarm": "i1" },
      retryToken: "retag-1",
    });
    const m = await f.adapters.network.updatePrivateIpTags(created.value.id, nodeTags);
    expect(m.opcRequestId).to.be.a("string");
    expect(m.value).to.include({ id: created.value.id, ipAddress: created.value.ipAddress, isPrimary: false });
    expect(m.value.freeformTags).to.deep.equal(nodeTags);
    expect(f.emulator.admin.snapshot().privateIps.find((p) => p.id === created.value.id)?.freeformTags).to.deep.equal(
      nodeTags,
    );
    expect(f.adapters.stats().calls.operations.UpdatePrivateIp?.calls).to.equal(1);
  });

  it("replaces a VNIC's freeform tags and leaves its NSGs", async () => {
    const before = f.world.vnics.find((v) => v.id === primaryVnicId())!;
    const m = await f.adapters.network.updateVnicTags(primaryVnicId(), nodeTags);
    expect(m.value.freeformTags).to.deep.equal(nodeTags);
    expect(m.value.nsgIds).to.deep.equal(before.nsgIds);
    expect((await f.adapters.network.getVnic(primaryVnicId())).freeformTags).to.deep.equal(nodeTags);
  });

  it("throws a notFound OciApiError at once for a gone IP when the caller treats 404 as gone", async () => {
    const err = await rejection(() =>
      f.adapters.network.updatePrivateIpTags("ocid1.privateip.oc1.iad.gone", nodeTags, { notFoundIsGone: true }),
    );
    expect(err).to.be.instanceOf(OciApiError);
    expect((err as OciApiError).notFound).to.equal(true);
    expect(f.emulator.admin.counters().UpdatePrivateIp).to.equal(1);
  });
});
