import { expect } from "chai";
import { get, request } from "node:http";
import * as common from "oci-common";
import * as core from "oci-core";
import type { OciEmulator, WorldSnapshot } from "../../lib/testbed/oci-emulator";
import { byName, eventually, expectOciError, failure, startWithClients, type Clients } from "./helpers";

function adminGet(emulator: OciEmulator, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(`${emulator.endpoint}/_emulator${path}`, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
    }).on("error", reject);
  });
}

describe("OCI emulator: throttling, faults, counters, latency", () => {
  let emulator: OciEmulator;
  let clients: Clients;
  let close: () => Promise<void>;
  let world: WorldSnapshot;

  beforeEach(async () => {
    ({ emulator, clients, close } = await startWithClients({ timeScale: 0.001 }));
    world = emulator.admin.snapshot();
  });
  afterEach(async () => close());

  const instanceId = () => world.instances[0].id;

  it("answers 429 TooManyRequests once an operation family's token bucket is empty", async () => {
    emulator.admin.setThrottle("compute-read", { capacity: 2, refillPerSecond: 0 });
    await clients.compute.getInstance({ instanceId: instanceId() });
    await clients.compute.getVnicAttachment({ vnicAttachmentId: world.vnicAttachments[0].id });
    await expectOciError(() => clients.compute.getInstance({ instanceId: instanceId() }), 429, "TooManyRequests");
    // Other families are not affected.
    await clients.vcn.getVnic({ vnicId: world.vnics[0].id });
  });

  it("refills the bucket over (scaled) time, so the SDK's default retry condition eventually succeeds", async () => {
    // One token per 50 OCI seconds = 50 real ms at timeScale 0.001: the immediate second call is throttled.
    emulator.admin.setThrottle("GetInstance", { capacity: 1, refillPerSecond: 0.02 });
    await clients.compute.getInstance({ instanceId: instanceId() });
    const retryConfiguration: common.RetryConfiguration = {
      terminationStrategy: new common.MaxAttemptsTerminationStrategy(30),
      delayStrategy: new common.FixedTimeDelayStrategy(0.01),
      retryCondition: common.OciSdkDefaultRetryConfiguration.retryCondition,
    };
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      const r = await clients.compute.getInstance({ instanceId: instanceId(), retryConfiguration });
      expect(r.instance.id).to.equal(instanceId());
    } finally {
      console.warn = warn;
    }
    const statuses = emulator.admin.countersByStatus().GetInstance;
    expect(statuses["200"]).to.equal(2);
    expect(statuses["429"]).to.be.greaterThan(0);
  });

  it("injects a status and code for a number of calls, then lets calls through", async () => {
    emulator.admin.injectFault({ operation: "GetVnic", status: 503, code: "ServiceUnavailable", count: 2 });
    await expectOciError(() => clients.vcn.getVnic({ vnicId: world.vnics[0].id }), 503, "ServiceUnavailable");
    await expectOciError(() => clients.vcn.getVnic({ vnicId: world.vnics[0].id }), 503, "ServiceUnavailable");
    await clients.vcn.getVnic({ vnicId: world.vnics[0].id });
    expect(emulator.admin.countersByStatus().GetVnic).to.deep.equal({ "503": 2, "200": 1 });
  });

  it("injects 409 IncorrectState, which the SDK's default retry condition retries", async () => {
    emulator.admin.injectFault({ operation: "CreatePrivateIp", status: 409, code: "IncorrectState", count: 1 });
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      await clients.vcn.createPrivateIp({
        createPrivateIpDetails: { vnicId: world.vnics[0].id },
        retryConfiguration: {
          terminationStrategy: new common.MaxAttemptsTerminationStrategy(3),
          delayStrategy: new common.FixedTimeDelayStrategy(0.01),
          retryCondition: common.OciSdkDefaultRetryConfiguration.retryCondition,
        },
      });
    } finally {
      console.warn = warn;
    }
    expect(emulator.admin.counters().CreatePrivateIp).to.equal(2);
  });

  it("fires a fault at the configured rate (0 never, 1 always)", async () => {
    const never = emulator.admin.injectFault({ operation: "GetSubnet", status: 500, rate: 0 });
    await clients.vcn.getSubnet({ subnetId: world.subnets[0].id });
    emulator.admin.removeFault(never);
    emulator.admin.injectFault({ operation: "GetSubnet", status: 500, rate: 1 });
    await expectOciError(() => clients.vcn.getSubnet({ subnetId: world.subnets[0].id }), 500, "InternalServerError");
  });

  it("resets the connection: the SDK fails without a status code and nothing is created", async () => {
    emulator.admin.injectFault({ operation: "CreatePrivateIp", resetConnection: true, count: 1 });
    const err = await failure(() =>
      clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId: world.vnics[0].id } }),
    );
    expect(err.statusCode).to.equal(undefined);
    expect(emulator.admin.snapshot().privateIps).to.have.length(world.privateIps.length);
    expect(emulator.admin.countersByStatus().CreatePrivateIp).to.deep.equal({ "0": 1 });
  });

  it("delays a response when asked (slow response) and then answers normally", async () => {
    emulator.admin.injectFault({ operation: "GetVcn", delayMs: 30, count: 1 });
    const r = await clients.vcn.getVcn({ vcnId: world.vcns[0].id as string });
    expect(r.vcn.id).to.equal(world.vcns[0].id);
  });

  it(
    "counts calls per operation, readable over the admin API and GET " + "/_emulator/counters, and resets them",
    async () => {
      await clients.compute.getInstance({ instanceId: instanceId() });
      await clients.compute.getInstance({ instanceId: instanceId() });
      await expectOciError(
        () => clients.vcn.getPrivateIp({ privateIpId: "ocid1.privateip.oc1.iad.nope" }),
        404,
        "NotAuthorizedOrNotFound",
      );
      expect(emulator.admin.counters()).to.deep.equal({ GetInstance: 2, GetPrivateIp: 1 });
      expect(await adminGet(emulator, "/counters")).to.deep.equal({ GetInstance: 2, GetPrivateIp: 1 });
      emulator.admin.resetCounters();
      expect(await adminGet(emulator, "/counters")).to.deep.equal({});
      const snapshot = (await adminGet(emulator, "/world")) as WorldSnapshot;
      expect(snapshot.instances).to.have.length(4);
    },
  );

  it("scales lifecycle delays with timeScale: an 8 s attach is still ATTACHING right after the call", async () => {
    const slow = await startWithClients({ latency: "realistic", timeScale: 0.01 });
    try {
      const snap = slow.emulator.admin.snapshot();
      const { vnicAttachment } = await slow.clients.compute.attachVnic({
        attachVnicDetails: {
          instanceId: byName(snap.instances, "worker-e4-8").id,
          createVnicDetails: { subnetId: byName(snap.subnets, "pods-regional").id },
        },
      });
      const now = await slow.clients.compute.getVnicAttachment({ vnicAttachmentId: vnicAttachment.id });
      expect(now.vnicAttachment.lifecycleState).to.equal(core.models.VnicAttachment.LifecycleState.Attaching);
      await eventually(async () => {
        const r = await slow.clients.compute.getVnicAttachment({ vnicAttachmentId: vnicAttachment.id });
        return r.vnicAttachment.lifecycleState === core.models.VnicAttachment.LifecycleState.Attached;
      });
    } finally {
      await slow.close();
    }
  });

  it("answers 404 NotFound for a path no operation serves and 405 for a wrong method", async () => {
    const res404 = await new Promise<number>((resolve, reject) =>
      get(`${emulator.endpoint}/20160918/nothingHere`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on("error", reject),
    );
    expect(res404).to.equal(404);
    const res405 = await new Promise<number>((resolve, reject) => {
      const req = request(`${emulator.endpoint}/20160918/instances/${instanceId()}`, { method: "PUT" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(res405).to.equal(405);
  });
});
