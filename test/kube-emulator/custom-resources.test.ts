import { expect } from "chai";
import type { KubeEmulator } from "../../lib/testbed/kube-emulator";
import { apiError, ciliumNode, clients, CN, mergePatch, OIN, startEmulator, strategicPatch } from "./helpers";

type Obj = {
  metadata: { name: string; resourceVersion: string; generation?: number; uid?: string; creationTimestamp?: string };
  spec?: any;
  status?: any;
};

describe("kube emulator: custom resources through @kubernetes/client-node", () => {
  let emu: KubeEmulator;
  let api: ReturnType<typeof clients>["custom"];

  before(async () => {
    emu = await startEmulator();
    api = clients(emu).custom;
  });
  after(() => emu.close());

  it(
    "creates a CiliumNode with server-set uid, creationTimestamp, " +
      "generation 1 and an opaque string resourceVersion",
    async () => {
      const created = (await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-create") })) as Obj;
      expect(created.metadata.uid).to.match(/^[0-9a-f-]{36}$/);
      expect(created.metadata.creationTimestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(created.metadata.generation).to.equal(1);
      expect(created.metadata.resourceVersion).to.be.a("string").and.match(/^\d+$/);
      const got = (await api.getClusterCustomObject({ ...CN, name: "crd-create" })) as Obj;
      expect(got).to.deep.equal(created);
    },
  );

  it("answers 404 NotFound with the real Status body for a missing object", async () => {
    const { code, body } = await apiError(() => api.getClusterCustomObject({ ...CN, name: "nope" }));
    expect(code).to.equal(404);
    expect(body).to.deep.equal({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'ciliumnodes.cilium.io "nope" not found',
      reason: "NotFound",
      details: { name: "nope", group: "cilium.io", kind: "ciliumnodes" },
      code: 404,
    });
  });

  it("answers 409 AlreadyExists when the name is taken", async () => {
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-dup") });
    const { code, body } = await apiError(() => api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-dup") }));
    expect(code).to.equal(409);
    expect(body.reason).to.equal("AlreadyExists");
    expect(body.message).to.equal('ciliumnodes.cilium.io "crd-dup" already exists');
    expect(body.details).to.deep.equal({ name: "crd-dup", group: "cilium.io", kind: "ciliumnodes" });
  });

  it("prunes fields the structural schema does not know, and says so in a Warning header", async () => {
    const body = ciliumNode("crd-prune", { oci: { vnic: "x" }, ipam: { pool: {}, bogus: 1 } });
    (body.metadata as Record<string, unknown>).madeUp = true;
    const res = await api.createClusterCustomObjectWithHttpInfo({ ...CN, body });
    const obj = res.data as Obj & { metadata: Record<string, unknown> };
    expect(obj.spec).to.not.have.property("oci");
    expect(obj.spec.ipam).to.deep.equal({ pool: {} });
    expect(obj.metadata).to.not.have.property("madeUp");
    expect(res.headers.warning).to.include('unknown field \\"spec.oci\\"');
    // Pruned on write, so a status written through /status is pruned too.
    const st = (await api.patchClusterCustomObjectStatus(
      {
        ...CN,
        name: "crd-prune",
        body: { status: { ipam: { used: { "10.0.0.9": { owner: "ns/p", resource: "v", extra: 1 } } }, oci: {} } },
      },
      mergePatch,
    )) as Obj;
    expect(st.status).to.deep.equal({ ipam: { used: { "10.0.0.9": { owner: "ns/p", resource: "v" } } } });
  });

  it(
    "answers 422 Invalid with field causes for a bad enum, a wrong type " +
      "and a minimum, worded as kube-apiserver does",
    async () => {
      await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-invalid") });
      const bad = await apiError(() =>
        api.patchClusterCustomObjectStatus(
          { ...CN, name: "crd-invalid", body: { status: { ipam: { "release-ips": { "10.0.0.5": "gone" } } } } },
          mergePatch,
        ),
      );
      expect(bad.code).to.equal(422);
      expect(bad.body.reason).to.equal("Invalid");
      expect(bad.body.message).to.equal(
        'CiliumNode.cilium.io "crd-invalid" is invalid: ' +
          'status.ipam.release-ips.10.0.0.5: Unsupported value: "gone": ' +
          'supported values: "marked-for-release", "ready-for-release", ' +
          '"do-not-release", "released"',
      );
      expect(bad.body.details).to.deep.equal({
        name: "crd-invalid",
        group: "cilium.io",
        kind: "CiliumNode",
        causes: [
          {
            reason: "FieldValueNotSupported",
            message:
              'Unsupported value: "gone": supported values: "marked-for-release", ' +
              '"ready-for-release", "do-not-release", "released"',
            field: "status.ipam.release-ips.10.0.0.5",
          },
        ],
      });

      const two = await apiError(() =>
        api.patchClusterCustomObject(
          {
            ...CN,
            name: "crd-invalid",
            body: { spec: { ipam: { "pre-allocate": "eight", "max-above-watermark": -1 } } },
          },
          mergePatch,
        ),
      );
      expect(two.code).to.equal(422);
      expect(two.body.message).to.equal(
        'CiliumNode.cilium.io "crd-invalid" is invalid: ' +
          "[spec.ipam.max-above-watermark: Invalid value: -1: " +
          "spec.ipam.max-above-watermark in body should be greater than or equal " +
          'to 0, spec.ipam.pre-allocate: Invalid value: "string": ' +
          'spec.ipam.pre-allocate in body must be of type integer: "string"]',
      );
      expect(two.body.details?.causes?.map((c) => [c.reason, c.field])).to.deep.equal([
        ["FieldValueInvalid", "spec.ipam.max-above-watermark"],
        ["FieldValueTypeInvalid", "spec.ipam.pre-allocate"],
      ]);
    },
  );

  it("validates the project's OciIpamNode: state enum and date-time format", async () => {
    await api.createClusterCustomObject({
      ...OIN,
      body: {
        apiVersion: "ocipam.io/v1alpha1",
        kind: "OciIpamNode",
        metadata: { name: "oin-a" },
        spec: { instanceId: "i", nodeName: "oin-a" },
      },
    });
    const ok = (await api.patchClusterCustomObjectStatus(
      {
        ...OIN,
        name: "oin-a",
        body: {
          status: {
            state: "AtCapacity",
            lastReconcileTime: "2026-01-02T03:04:05Z",
            counts: { available: 3, vnicsAttached: 2 },
            release: { firstSeenExcess: { "10.0.0.8": "2026-01-02T03:04:05.123Z" } },
          },
        },
      },
      mergePatch,
    )) as Obj;
    expect(ok.status.state).to.equal("AtCapacity");
    const bad = await apiError(() =>
      api.patchClusterCustomObjectStatus(
        { ...OIN, name: "oin-a", body: { status: { state: "Sleeping", lastReconcileTime: "yesterday" } } },
        mergePatch,
      ),
    );
    expect(bad.code).to.equal(422);
    expect(bad.body.details?.causes?.map((c) => c.field)).to.deep.equal(["status.lastReconcileTime", "status.state"]);
    expect(bad.body.details?.causes?.[0].message).to.equal(
      'Invalid value: "yesterday": lastReconcileTime in body must be of type date-time: "yesterday"',
    );
  });

  it("requires spec on a CiliumNode, as the CRD's required list says", async () => {
    const { code, body } = await apiError(() =>
      api.createClusterCustomObject({
        ...CN,
        body: { apiVersion: "cilium.io/v2", kind: "CiliumNode", metadata: { name: "no-spec" } },
      }),
    );
    expect(code).to.equal(422);
    expect(body.message).to.equal('CiliumNode.cilium.io "no-spec" is invalid: spec: Required value');
  });

  it(
    "applies a merge patch sent with PatchStrategy.MergePatch and bumps " + "generation only when spec changes",
    async () => {
      await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-merge") });
      const patched = (await api.patchClusterCustomObject(
        {
          ...CN,
          name: "crd-merge",
          body: { spec: { ipam: { pool: { "10.0.0.7": { resource: "ocid1.vnic.a" } }, "pre-allocate": 4 } } },
        },
        mergePatch,
      )) as Obj;
      expect(patched.spec.ipam).to.deep.equal({
        pool: { "10.0.0.7": { resource: "ocid1.vnic.a" } },
        "pre-allocate": 4,
      });
      expect(patched.metadata.generation).to.equal(2);
      const labelled = (await api.patchClusterCustomObject(
        { ...CN, name: "crd-merge", body: { metadata: { labels: { a: "b" } } } },
        mergePatch,
      )) as Obj;
      expect(labelled.metadata.generation).to.equal(2);
      expect(Number(labelled.metadata.resourceVersion)).to.be.greaterThan(Number(patched.metadata.resourceVersion));
      // null deletes a key (RFC 7386).
      const removed = (await api.patchClusterCustomObject(
        { ...CN, name: "crd-merge", body: { spec: { ipam: { pool: { "10.0.0.7": null } } } } },
        mergePatch,
      )) as Obj;
      expect(removed.spec.ipam.pool).to.deep.equal({});
    },
  );

  it("does not write an update that changes nothing: same resourceVersion, same generation", async () => {
    const created = (await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-noop") })) as Obj;
    const again = (await api.patchClusterCustomObject(
      { ...CN, name: "crd-noop", body: { spec: { "instance-id": created.spec["instance-id"] } } },
      mergePatch,
    )) as Obj;
    expect(again.metadata.resourceVersion).to.equal(created.metadata.resourceVersion);
  });

  it(
    "answers 409 Conflict with the optimistic-lock message for a merge " + "patch carrying a stale resourceVersion",
    async () => {
      const created = (await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-stale") })) as Obj;
      await api.patchClusterCustomObject(
        { ...CN, name: "crd-stale", body: { spec: { ipam: { "pre-allocate": 2 } } } },
        mergePatch,
      );
      const { code, body } = await apiError(() =>
        api.patchClusterCustomObject(
          {
            ...CN,
            name: "crd-stale",
            body: {
              metadata: { resourceVersion: created.metadata.resourceVersion },
              spec: { ipam: { "pre-allocate": 3 } },
            },
          },
          mergePatch,
        ),
      );
      expect(code).to.equal(409);
      expect(body).to.deep.equal({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message:
          'Operation cannot be fulfilled on ciliumnodes.cilium.io "crd-stale": ' +
          "the object has been modified; please apply your changes to the latest " +
          "version and try again",
        reason: "Conflict",
        details: { name: "crd-stale", group: "cilium.io", kind: "ciliumnodes" },
        code: 409,
      });
    },
  );

  it(
    "answers 409 on a PUT with a stale resourceVersion and 422 on a PUT " +
      "without one (custom resources forbid unconditional updates)",
    async () => {
      const created = (await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-put") })) as Obj;
      const updated = (await api.replaceClusterCustomObject({
        ...CN,
        name: "crd-put",
        body: { ...created, spec: { ...created.spec, "instance-id": "x" } },
      })) as Obj;
      expect(updated.metadata.generation).to.equal(2);
      const stale = await apiError(() => api.replaceClusterCustomObject({ ...CN, name: "crd-put", body: created }));
      expect(stale.code).to.equal(409);
      expect(stale.body.reason).to.equal("Conflict");
      const { metadata, ...rest } = created;
      const noRv = await apiError(() =>
        api.replaceClusterCustomObject({
          ...CN,
          name: "crd-put",
          body: { ...rest, metadata: { name: metadata.name } },
        }),
      );
      expect(noRv.code).to.equal(422);
      expect(noRv.body.message).to.equal(
        'ciliumnodes.cilium.io "crd-put" is invalid: metadata.resourceVersion: ' +
          "Invalid value: 0x0: must be specified for an update",
      );
    },
  );

  it(
    "applies a JSON patch whose test op holds, and answers a failed test " + "with 422 and the generic message",
    async () => {
      const created = (await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-json") })) as Obj;
      const rv = created.metadata.resourceVersion;
      const ok = (await api.patchClusterCustomObject({
        ...CN,
        name: "crd-json",
        body: [
          { op: "test", path: "/metadata/resourceVersion", value: rv },
          { op: "add", path: "/spec/ipam/pool/10.0.0.6", value: { resource: "ocid1.vnic.b" } },
        ],
      })) as Obj;
      expect(ok.spec.ipam.pool).to.deep.equal({ "10.0.0.6": { resource: "ocid1.vnic.b" } });
      const { code, body } = await apiError(() =>
        api.patchClusterCustomObject({
          ...CN,
          name: "crd-json",
          body: [
            { op: "test", path: "/metadata/resourceVersion", value: rv },
            { op: "add", path: "/spec/ipam/pool/10.0.0.7", value: { resource: "ocid1.vnic.b" } },
          ],
        }),
      );
      expect(code).to.equal(422);
      // handlers/patch.go applyJSPatch: errors.NewGenericServerResponse(422, "", GroupResource{}, "", err, 0, false).
      expect(body).to.deep.equal({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "the server rejected our request due to an error in our request",
        reason: "Invalid",
        details: {},
        code: 422,
      });
    },
  );

  it("answers 400 when client-node's default JSON-patch content type carries an object body", async () => {
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-defaultct") });
    const { code, body } = await apiError(() =>
      api.patchClusterCustomObject({ ...CN, name: "crd-defaultct", body: { spec: { "instance-id": "y" } } }),
    );
    expect(code).to.equal(400);
    expect(body.reason).to.equal("BadRequest");
    expect(body.message).to.equal("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  });

  it("answers 415 UnsupportedMediaType for a strategic merge patch on a custom resource", async () => {
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-smp") });
    const { code, body } = await apiError(() =>
      api.patchClusterCustomObject({ ...CN, name: "crd-smp", body: { spec: { "instance-id": "y" } } }, strategicPatch),
    );
    expect(code).to.equal(415);
    expect(body).to.deep.equal({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        "the body of the request was in an unknown format - accepted media " +
        "types include: application/json-patch+json, " +
        "application/merge-patch+json, application/apply-patch+yaml",
      reason: "UnsupportedMediaType",
      code: 415,
    });
  });

  it("ignores spec on /status and status on the main resource, and does not bump generation for status", async () => {
    const created = (await api.createClusterCustomObject({
      ...CN,
      body: { ...ciliumNode("crd-status"), status: { ipam: { used: { "1.1.1.1": { owner: "a/b" } } } } },
    })) as Obj;
    expect(created).to.not.have.property("status"); // create cannot set status
    const st = (await api.patchClusterCustomObjectStatus(
      {
        ...CN,
        name: "crd-status",
        body: {
          spec: { "instance-id": "ignored" },
          status: { ipam: { used: { "10.0.0.5": { owner: "default/pod-a", resource: "ocid1.vnic.a" } } } },
        },
      },
      mergePatch,
    )) as Obj;
    expect(st.status.ipam.used).to.have.property("10.0.0.5");
    expect(st.spec["instance-id"]).to.equal(created.spec["instance-id"]);
    expect(st.metadata.generation).to.equal(1);
    const main = (await api.patchClusterCustomObject(
      { ...CN, name: "crd-status", body: { status: { ipam: { used: {} } }, spec: { "instance-id": "changed" } } },
      mergePatch,
    )) as Obj;
    expect(main.status.ipam.used).to.have.property("10.0.0.5");
    expect(main.spec["instance-id"]).to.equal("changed");
    expect(main.metadata.generation).to.equal(2);
    // PUT /status with the whole object, as the Cilium agent's UpdateStatus does.
    const put = (await api.replaceClusterCustomObjectStatus({
      ...CN,
      name: "crd-status",
      body: { ...main, status: { ipam: { used: {} } } },
    })) as Obj;
    expect(put.status.ipam.used).to.deep.equal({});
  });

  it("lists with label and field selectors, and pages with limit and continue on one consistent snapshot", async () => {
    for (let i = 0; i < 5; i++) {
      await api.createClusterCustomObject({
        ...CN,
        body: ciliumNode(`page-${i}`, {}, { pool: i % 2 === 0 ? "even" : "odd", paging: "yes" }),
      });
    }
    const even = (await api.listClusterCustomObject({ ...CN, labelSelector: "paging=yes,pool=even" })) as {
      items: Obj[];
    };
    expect(even.items.map((o) => o.metadata.name)).to.deep.equal(["page-0", "page-2", "page-4"]);
    const notOdd = (await api.listClusterCustomObject({ ...CN, labelSelector: "paging in (yes),pool!=odd" })) as {
      items: Obj[];
    };
    expect(notOdd.items).to.have.length(3);
    const byName = (await api.listClusterCustomObject({ ...CN, fieldSelector: "metadata.name=page-3" })) as {
      items: Obj[];
    };
    expect(byName.items.map((o) => o.metadata.name)).to.deep.equal(["page-3"]);

    const first = (await api.listClusterCustomObject({ ...CN, labelSelector: "paging=yes", limit: 2 })) as {
      items: Obj[];
      metadata: { continue?: string; resourceVersion: string };
    };
    expect(first.items.map((o) => o.metadata.name)).to.deep.equal(["page-0", "page-1"]);
    expect(first.metadata.continue).to.be.a("string");
    // A change between pages is not seen by the rest of the listing: it reads the first page's snapshot.
    await api.deleteClusterCustomObject({ ...CN, name: "page-3" });
    const second = (await api.listClusterCustomObject({
      ...CN,
      labelSelector: "paging=yes",
      limit: 2,
      _continue: first.metadata.continue,
    })) as typeof first;
    expect(second.items.map((o) => o.metadata.name)).to.deep.equal(["page-2", "page-3"]);
    expect(second.metadata.resourceVersion).to.equal(first.metadata.resourceVersion);
    const third = (await api.listClusterCustomObject({
      ...CN,
      labelSelector: "paging=yes",
      limit: 2,
      _continue: second.metadata.continue,
    })) as typeof first;
    expect(third.items.map((o) => o.metadata.name)).to.deep.equal(["page-4"]);
    expect(third.metadata.continue).to.equal(undefined);
  });

  it("reports remainingItemCount when no selector filters the list", async () => {
    const all = (await api.listClusterCustomObject({ ...CN })) as { items: Obj[] };
    const page = (await api.listClusterCustomObject({ ...CN, limit: 1 })) as {
      metadata: { remainingItemCount?: number };
    };
    expect(page.metadata.remainingItemCount).to.equal(all.items.length - 1);
  });

  it("answers 410 Expired with an inconsistent-continue token when the page's snapshot was compacted", async () => {
    const first = (await api.listClusterCustomObject({ ...CN, limit: 1 })) as { metadata: { continue: string } };
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("zz-after-compact") });
    emu.store.compactHistory();
    const { code, body } = await apiError(() =>
      api.listClusterCustomObject({ ...CN, limit: 1, _continue: first.metadata.continue }),
    );
    expect(code).to.equal(410);
    expect(body.reason).to.equal("Expired");
    expect(body.message).to.match(
      /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token/,
    );
    expect(body.metadata.continue).to.be.a("string");
    const rest = (await api.listClusterCustomObject({ ...CN, limit: 100, _continue: body.metadata.continue })) as {
      items: Obj[];
    };
    expect(rest.items.map((o) => o.metadata.name)).to.include("zz-after-compact");
  });

  it("rejects a field selector on a field the kind does not index", async () => {
    const { code, body } = await apiError(() =>
      api.listClusterCustomObject({ ...CN, fieldSelector: "spec.instance-id=x" }),
    );
    expect(code).to.equal(400);
    expect(body.message).to.equal("field label not supported: spec.instance-id");
  });

  it("deletes an object and answers a Success Status naming it", async () => {
    const created = (await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-del") })) as Obj;
    const res = await api.deleteClusterCustomObject({ ...CN, name: "crd-del" });
    expect(res).to.deep.equal({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: "crd-del", group: "cilium.io", kind: "ciliumnodes", uid: created.metadata.uid },
    });
    const { code } = await apiError(() => api.getClusterCustomObject({ ...CN, name: "crd-del" }));
    expect(code).to.equal(404);
  });

  it("keeps an object with finalizers until the last finalizer is removed", async () => {
    await api.createClusterCustomObject({
      ...CN,
      body: { ...ciliumNode("crd-fin"), metadata: { name: "crd-fin", finalizers: ["example.com/keep"] } },
    });
    const pending = (await api.deleteClusterCustomObject({ ...CN, name: "crd-fin" })) as Obj & {
      metadata: { deletionTimestamp?: string };
    };
    expect(pending.metadata.deletionTimestamp).to.be.a("string");
    expect(pending.metadata.generation).to.equal(2);
    await api.patchClusterCustomObject(
      { ...CN, name: "crd-fin", body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    const { code } = await apiError(() => api.getClusterCustomObject({ ...CN, name: "crd-fin" }));
    expect(code).to.equal(404);
  });

  it("answers an injected conflict once, then accepts the same write", async () => {
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("crd-inject") });
    emu.store.injectConflict("ciliumnodes.cilium.io", "crd-inject");
    const first = await apiError(() =>
      api.patchClusterCustomObject({ ...CN, name: "crd-inject", body: { spec: { "instance-id": "z" } } }, mergePatch),
    );
    expect(first.code).to.equal(409);
    const second = (await api.patchClusterCustomObject(
      { ...CN, name: "crd-inject", body: { spec: { "instance-id": "z" } } },
      mergePatch,
    )) as Obj;
    expect(second.spec["instance-id"]).to.equal("z");
  });

  it("rejects a name that is not a DNS-1123 subdomain", async () => {
    const { code, body } = await apiError(() => api.createClusterCustomObject({ ...CN, body: ciliumNode("Bad_Name") }));
    expect(code).to.equal(422);
    expect(body.details?.causes?.[0].field).to.equal("metadata.name");
  });
});
