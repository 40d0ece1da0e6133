import { expect } from "chai";
import type { AllocationIp, ReleaseStatus } from "../../../lib/core/model";
import {
  poolMergePatch,
  releaseStatusMergePatch,
  toCiliumNodeView,
} from "../../../lib/adapters/kube/cilium-node-mapping";

/** RFC 7386 applied locally, to check what a patch does to the object it targets. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = applyMergePatch(result[k], v);
  }
  return result;
}

const ciliumNode = {
  apiVersion: "cilium.io/v2",
  kind: "CiliumNode",
  metadata: { name: "worker-1", uid: "u-1", resourceVersion: "42", generation: 3, labels: { a: "b" } },
  spec: {
    "instance-id": "ocid1.instance.oc1.iad.x",
    addresses: [{ type: "InternalIP", ip: "10.0.0.2" }],
    ipam: {
      pool: { "10.0.0.10": { resource: "ocid1.vnic.a" }, "10.0.0.11": { resource: "ocid1.vnic.a", owner: "pinned" } },
      "pre-allocate": 8,
      "min-allocate": 4,
      "max-allocate": 64,
      "max-above-watermark": 2,
    },
  },
  status: {
    ipam: {
      used: { "10.0.0.10": { owner: "default/pod-a", resource: "ocid1.vnic.a" } },
      "release-ips": { "10.0.0.11": "marked-for-release", "10.0.0.12": "bogus" },
      "operator-status": { error: "" },
    },
  },
};

describe("CiliumNode mapping", () => {
  it("reads Cilium's JSON names into the view", () => {
    const view = toCiliumNodeView(ciliumNode);
    expect(view).to.deep.equal({
      name: "worker-1",
      uid: "u-1",
      resourceVersion: "42",
      generation: 3,
      instanceId: "ocid1.instance.oc1.iad.x",
      ipam: {
        name: "worker-1",
        pool: { "10.0.0.10": { resource: "ocid1.vnic.a" }, "10.0.0.11": { resource: "ocid1.vnic.a", owner: "pinned" } },
        used: { "10.0.0.10": { owner: "default/pod-a", resource: "ocid1.vnic.a" } },
        releaseIps: { "10.0.0.11": "marked-for-release" },
        preAllocate: 8,
        minAllocate: 4,
        maxAllocate: 64,
        maxAboveWatermark: 2,
      },
    });
  });

  it("gives empty maps and no watermarks for a fresh CiliumNode without spec.ipam or status", () => {
    const view = toCiliumNodeView({ metadata: { name: "n", uid: "u", resourceVersion: "1" }, spec: {} });
    expect(view.ipam).to.deep.equal({ name: "n", pool: {}, used: {}, releaseIps: {} });
    expect(view).to.not.have.property("instanceId");
  });

  it("rejects an object without resourceVersion (writes could not be guarded)", () => {
    expect(() => toCiliumNodeView({ metadata: { name: "n" } })).to.throw(TypeError);
  });

  describe("pool merge patch", () => {
    const previous: Record<string, AllocationIp> = {
      "10.0.0.10": { resource: "v1" },
      "10.0.0.11": { resource: "v1", owner: "stale" },
      "10.0.0.12": { resource: "v2" },
    };
    const next: Record<string, AllocationIp> = {
      "10.0.0.10": { resource: "v1" },
      "10.0.0.11": { resource: "v1" },
      "10.0.0.13": { resource: "v2" },
    };

    it("carries the resourceVersion it was planned against", () => {
      expect(poolMergePatch("77", next, previous)).to.have.nested.property("metadata.resourceVersion", "77");
    });

    it("makes the pool exactly equal to next, removing keys and stale owners", () => {
      const object = { spec: { ipam: { pool: previous, "min-allocate": 4 }, addresses: ["kept"] } };
      const patched = applyMergePatch(object, poolMergePatch("1", next, previous)) as typeof object;
      expect(patched.spec.ipam.pool).to.deep.equal(next);
      expect(patched.spec.ipam["min-allocate"]).to.equal(4);
      expect(patched.spec.addresses).to.deep.equal(["kept"]);
    });

    it("sends only changed entries, nulls for removed ones", () => {
      const patch = poolMergePatch("1", next, previous) as { spec: { ipam: { pool: Record<string, unknown> } } };
      expect(patch.spec.ipam.pool).to.deep.equal({
        "10.0.0.11": { owner: null, resource: "v1" },
        "10.0.0.12": null,
        "10.0.0.13": { owner: null, resource: "v2" },
      });
    });

    it("sets pre-allocate only when asked", () => {
      expect(poolMergePatch("1", next, previous, 8)).to.have.nested.property("spec.ipam.pre-allocate", 8);
      expect(poolMergePatch("1", next, previous)).to.not.have.nested.property("spec.ipam.pre-allocate");
    });

    it("is a bare resourceVersion guard when nothing changes", () => {
      expect(poolMergePatch("5", next, next)).to.deep.equal({ metadata: { resourceVersion: "5" } });
    });
  });

  describe("release-ips merge patch", () => {
    it("makes release-ips exactly equal to next and leaves the agent's used map alone", () => {
      const previous: Record<string, ReleaseStatus> = {
        "10.0.0.11": "ready-for-release",
        "10.0.0.12": "do-not-release",
      };
      const next: Record<string, ReleaseStatus> = { "10.0.0.11": "released", "10.0.0.13": "marked-for-release" };
      const object = { status: { ipam: { used: { "10.0.0.10": { owner: "a/b" } }, "release-ips": previous } } };
      const patch = releaseStatusMergePatch("9", next, previous);
      expect(patch).to.have.nested.property("metadata.resourceVersion", "9");
      const patched = applyMergePatch(object, patch) as typeof object;
      expect(patched.status.ipam["release-ips"]).to.deep.equal(next);
      expect(patched.status.ipam.used).to.deep.equal({ "10.0.0.10": { owner: "a/b" } });
    });
  });
});
