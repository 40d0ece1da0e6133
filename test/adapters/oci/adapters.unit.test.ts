import { expect } from "chai";
import * as common from "oci-common";
import type * as core from "oci-core";
import { OciCaller } from "../../../lib/adapters/oci/caller";
import { OciComputeAdapter, type ComputeApi } from "../../../lib/adapters/oci/compute-adapter";
import { OciCallCounters } from "../../../lib/adapters/oci/counters";
import { OciUnexpectedError } from "../../../lib/adapters/oci/errors";
import { OciNetworkAdapter, type NetworkApi, type WorkRequestApi } from "../../../lib/adapters/oci/network-adapter";
import { RequestBudget } from "../../../lib/adapters/oci/request-budget";
import { RetryPolicy } from "../../../lib/adapters/oci/retry";
import { LogSink } from "./emulator-fixture";
import { caught } from "../../support/capture";

/**
 * Adapter logic that the emulator cannot provoke: SDK answers with Date objects, nulls and missing fields, unknown
 * enum values, and the exact request objects handed to the SDK across retries. The SDK clients are replaced by
 * recording fakes with the same method signatures.
 */

function caller(logs: LogSink) {
  const counters = new OciCallCounters();
  return new OciCaller({
    policy: new RetryPolicy({ baseDelayMs: 0, maxDelayMs: 0 }),
    budget: new RequestBudget({ ratePerSecond: 1000, burst: 1000 }),
    counters,
    log: logs.log,
    withSignal: (_signal, fn) => fn(),
  });
}

const unavailable = () => new common.OciError(503, "ServiceUnavailable", "try later", "req-1", "Core", "x", "", "", "");

describe("OCI adapters: SDK model mapping and request shapes", () => {
  it("sends the same AttachVnic request object on every attempt, with the token, tags and no public IP", async () => {
    const logs = new LogSink();
    const seen: core.requests.AttachVnicRequest[] = [];
    let failures = 2;
    const api = {
      attachVnic: async (r: core.requests.AttachVnicRequest) => {
        seen.push(r);
        if (failures-- > 0) throw unavailable();
        return {
          vnicAttachment: {
            id: "att1",
            instanceId: "i1",
            compartmentId: "c1",
            availabilityDomain: "AD-1",
            lifecycleState: "ATTACHING",
            vnicId: null,
            timeCreated: new Date("2026-11-28T00:00:00Z"),
          },
          opcRequestId: "req-ok",
        };
      },
    } as unknown as ComputeApi;
    const adapter = new OciComputeAdapter(api, caller(logs), logs.log);
    const m = await adapter.attachVnic({
      instanceId: "i1",
      subnetId: "s1",
      nsgIds: ["n1"],
      displayName: "pods",
      freeformTags: { a: "b" },
      retryToken: "tok-1",
    });
    expect(seen).to.have.length(3);
    expect(seen[1]).to.equal(seen[0]);
    expect(seen[2]).to.equal(seen[0]);
    expect(seen[0]).to.deep.equal({
      attachVnicDetails: {
        instanceId: "i1",
        displayName: "pods",
        createVnicDetails: {
          subnetId: "s1",
          nsgIds: ["n1"],
          displayName: "pods",
          freeformTags: { a: "b" },
          assignPublicIp: false,
        },
      },
      opcRetryToken: "tok-1",
    });
    expect(m).to.deep.equal({
      value: {
        id: "att1",
        instanceId: "i1",
        compartmentId: "c1",
        availabilityDomain: "AD-1",
        lifecycleState: "ATTACHING",
        vnicId: undefined,
        subnetId: undefined,
        nicIndex: undefined,
        displayName: undefined,
        timeCreated: "2026-11-28T00:00:00.000Z",
      },
      opcRequestId: "req-ok",
    });
  });

  it("sends the same CreatePrivateIp request object on every attempt, carrying the caller's retry token", async () => {
    const logs = new LogSink();
    const seen: core.requests.CreatePrivateIpRequest[] = [];
    let failures = 1;
    const api = {
      createPrivateIp: async (r: core.requests.CreatePrivateIpRequest) => {
        seen.push(r);
        if (failures-- > 0) throw unavailable();
        return {
          privateIp: { id: "ip1", ipAddress: "10.0.0.5", vnicId: "v1", subnetId: "s1" },
          opcRequestId: "req-2",
          etag: "e",
        };
      },
    } as unknown as NetworkApi;
    const adapter = new OciNetworkAdapter(api, {} as WorkRequestApi, caller(logs));
    const m = await adapter.createPrivateIp({
      vnicId: "v1",
      displayName: "pod-ip",
      freeformTags: { k: "v" },
      retryToken: "tok-2",
    });
    expect(seen).to.have.length(2);
    expect(seen[1]).to.equal(seen[0]);
    expect(seen[0]).to.deep.equal({
      createPrivateIpDetails: { vnicId: "v1", displayName: "pod-ip", freeformTags: { k: "v" } },
      opcRetryToken: "tok-2",
    });
    // isPrimary and freeformTags absent in the answer: false and {}.
    expect(m.value).to.deep.equal({
      id: "ip1",
      ipAddress: "10.0.0.5",
      vnicId: "v1",
      subnetId: "s1",
      isPrimary: false,
      freeformTags: {},
    });
  });

  it("reports an instance without shapeConfig.maxVnicAttachments as one VNIC and warns", async () => {
    const logs = new LogSink();
    const api = {
      getInstance: async () => ({
        instance: {
          id: "i1",
          compartmentId: "c1",
          availabilityDomain: "AD-1",
          shape: "VM.X",
          lifecycleState: "RUNNING",
          timeCreated: "2026-01-01T00:00:00Z",
        },
        opcRequestId: "r",
      }),
    } as unknown as ComputeApi;
    const i = await new OciComputeAdapter(api, caller(logs), logs.log).getInstance("i1");
    expect(i).to.include({ maxVnicAttachments: 1, displayName: "", timeCreated: "2026-01-01T00:00:00Z" });
    expect(i.freeformTags).to.deep.equal({});
    expect(logs.lines.some((l) => l.level === "warn" && l.instance === "i1")).to.equal(true);
  });

  it("rejects an attachment in a lifecycle state the port does not know", async () => {
    const logs = new LogSink();
    const api = {
      getVnicAttachment: async () => ({
        vnicAttachment: {
          id: "a",
          instanceId: "i",
          compartmentId: "c",
          availabilityDomain: "AD",
          lifecycleState: "UNKNOWN_VALUE",
        },
        opcRequestId: "r",
      }),
    } as unknown as ComputeApi;
    const err = await caught(() => new OciComputeAdapter(api, caller(logs), logs.log).getVnicAttachment("a"));
    expect(err).to.be.instanceOf(OciUnexpectedError);
    expect((err as OciUnexpectedError).retryable).to.equal(false);
  });

  it(
    "keeps AVAILABLE and UPDATING subnets and AVAILABLE NSGs, reads a " +
      "subnet CIDR from ipv4CidrBlocks when cidrBlock is absent",
    async () => {
      const logs = new LogSink();
      const api = {
        listSubnets: async () => ({
          items: [
            {
              id: "s1",
              vcnId: "v",
              compartmentId: "c",
              lifecycleState: "AVAILABLE",
              ipv4CidrBlocks: ["10.1.0.0/24"],
              availabilityDomain: null,
            },
            { id: "s2", vcnId: "v", compartmentId: "c", lifecycleState: "TERMINATING", cidrBlock: "10.2.0.0/24" },
            {
              id: "s3",
              vcnId: "v",
              compartmentId: "c",
              lifecycleState: "UPDATING",
              cidrBlock: "10.3.0.0/24",
              ipv4CidrBlocks: ["10.3.0.0/24", "10.4.0.0/28"],
            },
          ],
        }),
        listNetworkSecurityGroups: async () => ({
          items: [
            { id: "n1", vcnId: "v", lifecycleState: "AVAILABLE", freeformTags: { r: "pods" } },
            { id: "n2", vcnId: "v", lifecycleState: "TERMINATED" },
          ],
        }),
      } as unknown as NetworkApi;
      const adapter = new OciNetworkAdapter(api, {} as WorkRequestApi, caller(logs));
      const subnets = await adapter.listSubnets("c", "v");
      expect(subnets.map((s) => [s.id, s.cidrBlock, s.cidrBlocks, s.lifecycleState])).to.deep.equal([
        ["s1", "10.1.0.0/24", ["10.1.0.0/24"], "AVAILABLE"],
        ["s3", "10.3.0.0/24", ["10.3.0.0/24", "10.4.0.0/28"], "UPDATING"],
      ]);
      expect(subnets[0].availabilityDomain).to.equal(null);
      expect(await adapter.listNetworkSecurityGroups("c", "v")).to.deep.equal([
        { id: "n1", vcnId: "v", freeformTags: { r: "pods" } },
      ]);
    },
  );

  it("counts the inventory entries when the count field is absent, and fails clearly when both are", async () => {
    const logs = new LogSink();
    let answer: unknown = { ipInventorySubnetResourceSummary: [{}, {}, {}] };
    const api = {
      getSubnetIpInventory: async () => ({ ipInventorySubnetResourceCollection: answer, opcRequestId: "r" }),
    } as unknown as NetworkApi;
    const adapter = new OciNetworkAdapter(api, {} as WorkRequestApi, caller(logs));
    expect(await adapter.countAssignedIps("s")).to.equal(3);
    answer = {};
    expect(await caught(() => adapter.countAssignedIps("s"))).to.be.instanceOf(OciUnexpectedError);
  });

  it("stops following pages when the answer has no opc-next-page and passes each page token on", async () => {
    const logs = new LogSink();
    const pages: Array<string | undefined> = [];
    const api = {
      listPrivateIps: async (r: core.requests.ListPrivateIpsRequest) => {
        pages.push(r.page);
        const n = pages.length;
        return {
          items: [{ id: `ip${n}`, ipAddress: `10.0.0.${n}`, subnetId: "s", isPrimary: n === 1 }],
          opcNextPage: n < 3 ? `p${n + 1}` : undefined,
        };
      },
    } as unknown as NetworkApi;
    const ips = await new OciNetworkAdapter(api, {} as WorkRequestApi, caller(logs)).listPrivateIps("v");
    expect(pages).to.deep.equal([undefined, "p2", "p3"]);
    expect(ips.map((p) => [p.id, p.isPrimary])).to.deep.equal([
      ["ip1", true],
      ["ip2", false],
      ["ip3", false],
    ]);
  });
});
