import { expect } from "chai";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { quietly, rejection, startFixture, type Fixture } from "./emulator-fixture";

describe("OCI adapters under injected faults and throttling (emulator admin API)", () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  const primaryVnicId = (fx: Fixture) => fx.world.vnics.find((v) => v.isPrimary === true)!.id;

  it("retries 500s and answers with the attempt that succeeded, counting and logging the retries", async () => {
    f = await startFixture();
    f.emulator.admin.injectFault({ operation: "GetVnic", status: 500, count: 2 });
    const vnic = await quietly(() => f!.adapters.network.getVnic(primaryVnicId(f!)));
    expect(vnic.isPrimary).to.equal(true);
    expect(f.emulator.admin.countersByStatus().GetVnic).to.deep.equal({ 200: 1, 500: 2 });
    expect(f.adapters.counters.snapshot().operations.GetVnic).to.include({
      calls: 1,
      attempts: 3,
      retries: 2,
      failures: 0,
    });
    const retries = f.logs.lines.filter((l) => l.msg === "oci call retrying");
    expect(retries.map((l) => [l.operation, l.attempt, l.statusCode])).to.deep.equal([
      ["GetVnic", 1, 500],
      ["GetVnic", 2, 500],
    ]);
  });

  it("retries a reset connection", async () => {
    f = await startFixture();
    f.emulator.admin.injectFault({ operation: "ListPrivateIps", resetConnection: true, count: 1 });
    const ips = await quietly(() => f!.adapters.network.listPrivateIps(primaryVnicId(f!)));
    expect(ips).to.have.length(1);
    expect(f.adapters.counters.snapshot().operations.ListPrivateIps).to.include({ attempts: 2, retries: 1 });
  });

  it("retries a failed page of a list on its own, with the same page token", async () => {
    f = await startFixture({ pageSize: 1 });
    const vnicId = primaryVnicId(f);
    for (const n of [1, 2])
      await f.adapters.network.createPrivateIp({
        vnicId,
        displayName: `p${n}`,
        freeformTags: {},
        retryToken: `ocipam-page-${n}`,
      });
    f.emulator.admin.resetCounters();
    // The second page request fails once (fault armed just before it is sent): only it is sent again.
    let seen = 0;
    const original = f.clients.network.listPrivateIps.bind(f.clients.network);
    const pages: Array<string | undefined> = [];
    f.clients.network.listPrivateIps = (req) => {
      pages.push(req.page);
      seen += 1;
      if (seen === 2) f!.emulator.admin.injectFault({ operation: "ListPrivateIps", status: 503, count: 1 });
      return original(req);
    };
    const ips = await quietly(() => f!.adapters.network.listPrivateIps(vnicId));
    expect(ips).to.have.length(3);
    expect(f.emulator.admin.countersByStatus().ListPrivateIps).to.deep.equal({ 200: 3, 503: 1 });
    // Pages: first, second (503), second again, third.
    expect(pages[0]).to.equal(undefined);
    expect(pages[2]).to.equal(pages[1]).and.to.be.a("string");
    expect(pages).to.have.length(4);
  });

  it("stops retrying at the caller's deadline and throws the last error", async () => {
    f = await startFixture({ policy: { baseDelayMs: 20, maxDelayMs: 80, maxAttempts: 100, minAttemptMs: 50 } });
    f.emulator.admin.injectFault({ operation: "GetInstance", status: 503 });
    const deadline = new Date(Date.now() + 400);
    const err = (await rejection(() =>
      f!.adapters.compute.getInstance(f!.world.instances[0].id, { deadline }),
    )) as OciApiError;
    expect(Date.now()).to.be.at.most(deadline.getTime());
    expect(err).to.be.instanceOf(OciApiError);
    expect(err.statusCode).to.equal(503);
    expect(err.context.retriesStopped).to.equal("deadline");
    const sent = f.emulator.admin.countersByStatus().GetInstance[503];
    expect(sent).to.be.at.least(2);
    expect(err.context.attempts).to.equal(sent);
  });

  it("does not retry a 400 InvalidParameter", async () => {
    f = await startFixture();
    f.emulator.admin.injectFault({ operation: "CreatePrivateIp", status: 400, code: "InvalidParameter", count: 1 });
    const err = (await rejection(() =>
      f!.adapters.network.createPrivateIp({
        vnicId: primaryVnicId(f!),
        displayName: "x",
        freeformTags: {},
        retryToken: "ocipam-400",
      }),
    )) as OciApiError;
    expect(err.serviceCode).to.equal("InvalidParameter");
    expect(f.emulator.admin.counters().CreatePrivateIp).to.equal(1);
  });

  it("gets every concurrent call through a throttled service, backing the whole process off on 429", async () => {
    f = await startFixture({
      emulator: { timeScale: 1 },
      policy: { maxAttempts: 20, baseDelayMs: 20, maxDelayMs: 200 },
      budget: { ratePerSecond: 200, burst: 20, throttlePauseMs: 100, recoveryPerSecond: 5 },
    });
    // The service allows bursts of 4 reads and 40 per second.
    f.emulator.admin.setThrottle("network-read", { capacity: 4, refillPerSecond: 40 });
    const vnicId = primaryVnicId(f);
    const results = await quietly(() =>
      Promise.all(Array.from({ length: 20 }, () => f!.adapters.network.getVnic(vnicId))),
    );
    expect(results).to.have.length(20);
    const byStatus = f.emulator.admin.countersByStatus().GetVnic;
    expect(byStatus[200]).to.equal(20);
    expect(byStatus[429]).to.be.at.least(1);
    const stats = f.adapters.stats();
    expect(stats.calls.operations.GetVnic.throttled).to.equal(byStatus[429]);
    expect(stats.budget.rateCuts).to.be.at.least(1);
    expect(stats.budget.currentRatePerSecond).to.be.below(200);
    expect(f.logs.lines.some((l) => l.msg === "oci throttled (429): shared request budget backs off")).to.equal(true);
  });
});
