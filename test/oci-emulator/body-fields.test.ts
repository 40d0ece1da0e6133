import { expect } from "chai";
import { readFileSync } from "node:fs";
import type * as core from "oci-core";
import type * as streaming from "oci-streaming";
import { BODY_MODELS, type BodyModel } from "../../lib/testbed/oci-emulator/api/body-models";
import { ALL_ROUTES } from "../../lib/testbed/oci-emulator/api/router";
import type { OciEmulator, WorldSnapshot } from "../../lib/testbed/oci-emulator";
import { byName, failure, startWithClients, type Clients } from "./helpers";

/** The attribute names of an SDK model, read from its .d.ts (`    "name"?: type;` lines of the interface). */
function sdkAttributes(source: string): string[] {
  const text = readFileSync(require.resolve(source), "utf8");
  return [...text.matchAll(/^ {4}"(\w+)"\??:/gm)].map((m) => m[1]);
}

function allModels(model: BodyModel): BodyModel[] {
  return [
    model,
    ...Object.values(model.objects ?? {}).flatMap(allModels),
    ...Object.values(model.lists ?? {}).flatMap(allModels),
  ];
}

describe("OCI emulator: request-body fields it does not model answer 400 InvalidParameter", () => {
  describe("the body models", () => {
    it("cover every route that takes a body (POST and PUT)", () => {
      const missing = ALL_ROUTES.filter((r) => r.method === "POST" || r.method === "PUT").filter(
        (r) => !BODY_MODELS[r.operation],
      );
      expect(missing.map((r) => r.operation)).to.deep.equal([]);
    });

    for (const [operation, model] of Object.entries(BODY_MODELS)) {
      for (const m of allModels(model!)) {
        it(`${operation}: every field of ${m.model} the emulator reads is an attribute of the SDK model`, () => {
          const sdk = sdkAttributes(m.source);
          expect(sdk.length, m.source).to.be.greaterThan(0);
          expect(m.fields.filter((f) => !sdk.includes(f))).to.deep.equal([]);
        });
      }
    }
  });

  describe("through the SDK", () => {
    let emulator: OciEmulator;
    let clients: Clients;
    let close: () => Promise<void>;
    let world: WorldSnapshot;
    let vnicId: string;

    before(async () => {
      ({ emulator, clients, close } = await startWithClients());
      world = emulator.admin.snapshot();
      vnicId = world.vnics.find((v) => v.instanceId === byName(world.instances, "worker-e4-8").id)!.id;
    });
    after(async () => close());

    // SDK attributes the emulator does not model: each is refused by name, never dropped.
    const refusedCreate = sdkAttributes("oci-core/lib/model/create-private-ip-details.d.ts").filter(
      (f) => !BODY_MODELS.CreatePrivateIp!.fields.includes(f),
    );
    it("leaves CreatePrivateIpDetails attributes unmodelled: lifetime, routeTableId, vlanId", () => {
      expect([...refusedCreate].sort()).to.deep.equal(["lifetime", "routeTableId", "vlanId"]);
    });

    const rows: Array<{ what: string; field: string; call: (c: Clients) => Promise<unknown> }> = [
      ...refusedCreate.map((f) => ({
        what: `CreatePrivateIp with ${f}`,
        field: `createPrivateIpDetails.${f}`,
        call: (c: Clients) =>
          c.vcn.createPrivateIp({
            createPrivateIpDetails: { vnicId, [f]: f === "lifetime" ? "EPHEMERAL" : "ocid1.x.oc1..y" },
          }),
      })),
      {
        what: "CreatePrivateIp with a field no SDK model has",
        field: "createPrivateIpDetails.ipCount",
        call: (c) =>
          c.vcn.createPrivateIp({
            createPrivateIpDetails: { vnicId, ipCount: 4 } as core.models.CreatePrivateIpDetails,
          }),
      },
      {
        what: "BulkCreatePrivateIps with an item's lifetime",
        field: "bulkCreatePrivateIpsDetails.bulkCreatePrivateIpItem[1].lifetime",
        call: (c) =>
          c.vcn.bulkCreatePrivateIps({
            bulkCreatePrivateIpsDetails: { vnicId, bulkCreatePrivateIpItem: [{}, { lifetime: core_lifetime() }] },
          }),
      },
      {
        what: "BulkCreatePrivateIps with vlanId",
        field: "bulkCreatePrivateIpsDetails.vlanId",
        call: (c) =>
          c.vcn.bulkCreatePrivateIps({
            bulkCreatePrivateIpsDetails: { vnicId, vlanId: "ocid1.vlan.oc1..x", bulkCreatePrivateIpItem: [{}] },
          }),
      },
      {
        what: "AttachVnic with createVnicDetails.assignIpv6Ip",
        field: "attachVnicDetails.createVnicDetails.assignIpv6Ip",
        call: (c) =>
          c.compute.attachVnic({
            attachVnicDetails: {
              instanceId: byName(world.instances, "worker-e4-8").id,
              createVnicDetails: { subnetId: byName(world.subnets, "workers-ad2").id, assignIpv6Ip: true },
            },
          }),
      },
      {
        what: "PutMessages with a field no entry model has",
        field: "putMessagesDetails.messages[0].headers",
        call: (c) =>
          c.stream.putMessages({
            streamId: world.streams[0].id as string,
            putMessagesDetails: {
              messages: [{ value: "eA==", headers: {} } as streaming.models.PutMessagesDetailsEntry],
            },
          }),
      },
      {
        what: "CreateCursor with a field no SDK model has",
        field: "createCursorDetails.group",
        call: (c) =>
          c.stream.createCursor({
            streamId: world.streams[0].id as string,
            createCursorDetails: {
              partition: "0",
              type: "TRIM_HORIZON",
              group: "g",
            } as unknown as streaming.models.CreateCursorDetails,
          }),
      },
    ];
    for (const row of rows) {
      it(`${row.what}: 400 InvalidParameter naming ${row.field}, and nothing is created`, async () => {
        const before = emulator.admin.snapshot();
        const err = await failure(() => row.call(clients));
        expect({ status: err.statusCode, code: err.serviceCode }).to.deep.equal({
          status: 400,
          code: "InvalidParameter",
        });
        expect(err.message).to.contain(row.field);
        const after = emulator.admin.snapshot();
        expect(after.privateIps).to.have.length(before.privateIps.length);
        expect(after.vnicAttachments).to.have.length(before.vnicAttachments.length);
        expect(after.workRequests).to.have.length(before.workRequests.length);
        expect(after.streams.map((x) => x.messagesPerPartition)).to.deep.equal(
          before.streams.map((x) => x.messagesPerPartition),
        );
      });
    }

    it("accepts a null for a field it does not model (null means not given)", async () => {
      const r = await clients.vcn.createPrivateIp({
        createPrivateIpDetails: { vnicId, lifetime: null } as unknown as core.models.CreatePrivateIpDetails,
      });
      expect(r.privateIp.vnicId).to.equal(vnicId);
    });
  });
});

function core_lifetime(): core.models.BulkCreatePrivateIpItem.Lifetime {
  return "EPHEMERAL" as core.models.BulkCreatePrivateIpItem.Lifetime;
}
