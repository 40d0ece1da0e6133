import { expect } from "chai";
import { buildEvent, eventName } from "../../../lib/adapters/kube/events";
import {
  instanceLabelValue,
  ipamRecordStatusJson,
  newIpamRecordObject,
  toIpamRecord,
  toIpamRecordStatus,
} from "../../../lib/adapters/kube/ipam-record-mapping";
import { instanceIdFromProviderId } from "../../../lib/adapters/kube/kube-nodes";
import { pendingPodsSelector } from "../../../lib/adapters/kube/pods";
import type { IpamRecordStatus } from "../../../lib/ports/kube";

describe("Node providerID", () => {
  it("names the instance in the oci:// form and as a bare OCID", () => {
    expect(instanceIdFromProviderId("oci://ocid1.instance.oc1.iad.abc")).to.equal("ocid1.instance.oc1.iad.abc");
    expect(instanceIdFromProviderId("ocid1.instance.oc1.iad.abc")).to.equal("ocid1.instance.oc1.iad.abc");
  });

  it("names no instance for another provider or another resource type", () => {
    expect(instanceIdFromProviderId("aws:///us-east-1a/i-0abc")).to.equal(undefined);
    expect(instanceIdFromProviderId("oci://ocid1.vnic.oc1.iad.abc")).to.equal(undefined);
    expect(instanceIdFromProviderId(undefined)).to.equal(undefined);
  });
});

describe("Pending pods selector", () => {
  it("selects the node's Pending pods by field", () => {
    expect(pendingPodsSelector("worker-1")).to.equal("spec.nodeName=worker-1,status.phase=Pending");
  });
});

describe("Event objects", () => {
  const target = { apiVersion: "cilium.io/v2", kind: "CiliumNode", name: "worker-1", uid: "u-1" };
  const now = Date.UTC(2026, 10, 28, 1, 2, 3, 4);

  it("describes a cluster-scoped object from namespace default with the allocator as reporter", () => {
    const e = buildEvent("default", target, "Warning", "AtCapacity", "no VNIC slot left", now, "call-1");
    expect(e.metadata?.namespace).to.equal("default");
    expect(e.involvedObject).to.deep.equal(target);
    expect(e).to.include({
      type: "Warning",
      reason: "AtCapacity",
      action: "AtCapacity",
      message: "no VNIC slot left",
      reportingComponent: "ocipam.io/allocator",
      reportingInstance: "call-1",
      count: 1,
    });
    expect(e.source).to.deep.equal({ component: "ocipam-allocator" });
    expect(e.firstTimestamp as unknown).to.equal("2026-11-28T01:02:03Z");
    expect(e.lastTimestamp as unknown).to.equal("2026-11-28T01:02:03Z");
    expect(e.eventTime as unknown).to.equal("2026-11-28T01:02:03.004000Z");
  });

  it("keeps reason and message within the API server's limits", () => {
    const e = buildEvent("default", target, "Normal", "R".repeat(200), "m".repeat(2000), now, "x");
    expect(e.reason?.length).to.equal(128);
    expect(e.message?.length).to.equal(1024);
  });

  it("names events <object>.<hex> and stays within 253 characters for the longest node name", () => {
    expect(eventName("worker-1", now)).to.match(/^worker-1\.[0-9a-f]+$/);
    expect(eventName("a".repeat(253), now).length).to.be.at.most(253);
    expect(eventName("worker-1", now)).to.not.equal(eventName("worker-1", now));
  });
});

describe("OciIpamNode mapping", () => {
  const status: IpamRecordStatus = {
    state: "Allocating",
    reason: "AttachingVnic",
    message: "waiting for the VNIC attachment",
    lastReconcileTime: "2026-11-28T01:02:03Z",
    counts: { available: 3, used: 1, needed: 5, excess: 0, maxAllocatable: 62, vnicsAttached: 1, vnicSlots: 2 },
    vnics: [
      {
        vnicId: "ocid1.vnic.a",
        attachmentId: "ocid1.vnicattachment.a",
        macAddress: "02:00:17:00:00:01",
        nicIndex: 0,
        index: 0,
        isPrimary: true,
        subnetId: "ocid1.subnet.s",
        subnetCidr: "10.0.0.0/24",
        virtualRouterIp: "10.0.0.1",
        lifecycleState: "ATTACHED",
        ipCount: 4,
        poolIpCount: 3,
      },
    ],
    allocating: { attachmentId: "ocid1.vnicattachment.b", since: "2026-11-28T01:02:00Z" },
    release: { firstSeenExcess: { "10.0.0.9": "2026-11-28T01:00:00Z" } },
  };

  it("round-trips a status through its JSON form", () => {
    const json = JSON.parse(JSON.stringify(ipamRecordStatusJson(status)));
    expect(toIpamRecordStatus(json)).to.deep.equal(status);
  });

  it("omits empty date-time fields, which the CRD would reject, and reads them back as empty", () => {
    const json = ipamRecordStatusJson({
      ...status,
      lastReconcileTime: "",
      allocating: { attachmentId: "a", since: "" },
    });
    expect(json).to.not.have.property("lastReconcileTime");
    expect(json.allocating).to.deep.equal({ attachmentId: "a" });
    expect(toIpamRecordStatus(json)).to.deep.include({
      lastReconcileTime: "",
      allocating: { attachmentId: "a", since: "" },
    });
  });

  it("reads the contenders of a record's claim from its annotation", () => {
    const record = toIpamRecord({
      metadata: { name: "w1", annotations: { "ocipam.io/contenders": "stale-a,stale-b" } },
      spec: { instanceId: "i" },
    });
    expect(record.contenders).to.deep.equal(["stale-a", "stale-b"]);
  });

  it("labels a new record with a digest of its instance and makes its Node its owner", () => {
    const o = newIpamRecordObject("w1", "ocid1.instance.oc1.iad.x", { name: "w1", uid: "u-1" }) as {
      metadata: { labels: Record<string, string>; ownerReferences: unknown[] };
    };
    expect(o.metadata.labels["ocipam.io/instance"])
      .to.match(/^[0-9a-f]{40}$/)
      .and.equal(instanceLabelValue("ocid1.instance.oc1.iad.x"));
    expect(o.metadata.ownerReferences).to.deep.equal([{ apiVersion: "v1", kind: "Node", name: "w1", uid: "u-1" }]);
  });

  it("reads spec.instanceId, resourceVersion and no status for a fresh record", () => {
    expect(
      toIpamRecord({
        metadata: { name: "worker-1", resourceVersion: "5" },
        spec: { instanceId: "ocid1.instance.x", nodeName: "worker-1" },
      }),
    ).to.deep.equal({
      name: "worker-1",
      instanceId: "ocid1.instance.x",
      contenders: [],
      resourceVersion: "5",
    });
  });
});
