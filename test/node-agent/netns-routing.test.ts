import { expect } from "chai";
import { silentLogger } from "../../lib/log";
import { NodeAgent } from "../../lib/node-agent/agent";
import { ImdsClient } from "../../lib/node-agent/imds";
import { Iproute2Dataplane } from "../../lib/node-agent/iproute2";
import { IpMonitor } from "../../lib/node-agent/ip-monitor";
import type { NodeIpamSnapshot } from "../../lib/node-agent/model";
import { reconcileOnce, type ReconcileReport } from "../../lib/node-agent/reconcile";
import { FakeNode } from "./fake-node";
import { CONFIG, VNICS, ipam } from "./fixtures";
import { FakeImds } from "./imds-server";
import { MemoryPoolSource } from "./memory-pool-source";
import { until } from "./wait";

const PRIMARY = "ocid1.vnic.oc1..primary";
const SECOND = "ocid1.vnic.oc1..second";
const COUNT = 5;

/**
 * The agent against a real kernel: a fake node in network namespaces (see fake-node.ts), the metadata service
 * stand-in on loopback, the agent's reconcile running in this process with its `ip` commands aimed at the node
 * namespace. Proof is by real packets and interface counters. Needs root and `ip netns`: fails, never skips.
 */
describe("node agent on a fake OCI node (network namespaces, real packets)", function () {
  this.timeout(30_000);
  let fake: FakeNode;
  let imds: FakeImds;

  before(async () => {
    await FakeNode.requireSupport();
  });
  beforeEach(async () => {
    imds = await new FakeImds().start();
    imds.vnics = VNICS.slice(0, 2).map((v) => ({ ...v, macAddr: v.macAddr.toUpperCase() }));
    fake = await FakeNode.create();
  });
  afterEach(async () => {
    await fake?.destroy();
    await imds?.close();
  });

  /** One pass as a freshly started agent would do it (new clients each time, nothing remembered in between). */
  const pass = (snapshot: NodeIpamSnapshot | undefined): Promise<ReconcileReport> =>
    reconcileOnce({
      metadata: new ImdsClient({ url: imds.url }),
      pool: new MemoryPoolSource(snapshot),
      dataplane: new Iproute2Dataplane({ protocol: CONFIG.protocol, netns: fake.node }),
      config: CONFIG,
      log: silentLogger(),
    });
  const kernelState = async () => ({
    rules: await fake.ip(fake.node, "-json", "rule", "show"),
    routes: await fake.ip(fake.node, "-json", "route", "show", "table", "all"),
    links: await fake.ip(fake.node, "-json", "link", "show"),
  });
  /** Pings from `src` and returns replies plus what each router received meanwhile. */
  const pingThrough = async (src: string) => {
    const [p0, s0] = [await fake.rxPackets(fake.vcnp), await fake.rxPackets(fake.vcns)];
    const replies = await fake.ping(src, COUNT);
    return {
      replies,
      primary: (await fake.rxPackets(fake.vcnp)) - p0,
      secondary: (await fake.rxPackets(fake.vcns)) - s0,
    };
  };

  it(
    "checks the fake node first: without the agent, a secondary-VNIC IP " +
      "leaves through the primary and gets no reply",
    async () => {
      const viaPrimary = await pingThrough("10.0.1.20");
      expect(viaPrimary.replies).to.equal(0);
      expect(viaPrimary.primary).to.be.at.least(COUNT);
      expect(viaPrimary.secondary).to.equal(0);
    },
  );

  it(
    "sends a secondary-VNIC pool IP's traffic out of that VNIC's " +
      "interface, and a primary-VNIC IP's out of the primary",
    async () => {
      const report = await pass(ipam({ "10.0.1.20": SECOND, "10.0.0.30": PRIMARY }));
      expect(report.failed).to.deep.equal([]);
      expect(report.outcome).to.equal("applied");

      const [ens5] = JSON.parse(await fake.ip(fake.node, "-json", "link", "show", "dev", "ens5")) as Array<{
        mtu: number;
        flags: string[];
      }>;
      expect(ens5!.mtu).to.equal(9000);
      expect(ens5!.flags).to.include("UP");

      const secondary = await pingThrough("10.0.1.20");
      expect(secondary.replies, "replies to the secondary-VNIC IP").to.equal(COUNT);
      expect(secondary.secondary, "packets through the secondary VNIC").to.be.at.least(COUNT);
      expect(secondary.primary, "packets through the primary VNIC").to.be.below(COUNT);

      const primary = await pingThrough("10.0.0.30");
      expect(primary.replies, "replies to the primary-VNIC IP").to.equal(COUNT);
      expect(primary.primary, "packets through the primary VNIC").to.be.at.least(COUNT);
      expect(primary.secondary, "packets through the secondary VNIC").to.be.below(COUNT);
    },
  );

  it(
    "keeps working with strict reverse-path filtering on the node (the " +
      "egress rule also answers the reverse lookup)",
    async () => {
      await fake.sysctl(fake.node, { "net/ipv4/conf/all/rp_filter": "1" });
      await pass(ipam({ "10.0.1.20": SECOND }));
      expect((await pingThrough("10.0.1.20")).replies).to.equal(COUNT);
    },
  );

  it(
    "installs Cilium's layout: priority 20 to <ip> lookup main, priority " +
      "111 from <ip> lookup 11, table 11 via the virtual router",
    async () => {
      await pass(ipam({ "10.0.1.20": SECOND }));
      const rules = (await fake.ip(fake.node, "rule", "show")).trim().split("\n");
      expect(rules).to.include.members([
        "20:\tfrom all to 10.0.1.20 lookup main proto 165",
        "111:\tfrom 10.0.1.20 lookup 11 proto 165",
      ]);
      const table = (await fake.ip(fake.node, "route", "show", "table", "11"))
        .trim()
        .split("\n")
        .map((l) => l.trim());
      expect(table).to.have.members([
        "default via 10.0.1.1 dev ens5 proto 165",
        "10.0.1.1 dev ens5 proto 165 scope link",
      ]);
    },
  );

  it(
    "gives a pool IP configured on the node itself (like cilium_host's " +
      "router IP) no ingress rule, only the egress rule",
    async () => {
      await fake.ip(fake.node, "address", "add", "10.0.1.2/32", "dev", "lxc0");
      await pass(ipam({ "10.0.1.2": SECOND, "10.0.1.20": SECOND }));
      const rules = await fake.ip(fake.node, "rule", "show");
      expect(rules).to.contain("111:\tfrom 10.0.1.2 lookup 11 proto 165");
      expect(rules).to.not.contain("to 10.0.1.2 ");
      expect(rules).to.contain("20:\tfrom all to 10.0.1.20 lookup main proto 165");
    },
  );

  it(
    "changes nothing on a second run, even from a restarted agent: ip " + "-json rule/route/link are identical",
    async () => {
      await pass(ipam({ "10.0.1.20": SECOND, "10.0.1.21": SECOND }));
      const before = await kernelState();
      const again = await pass(ipam({ "10.0.1.20": SECOND, "10.0.1.21": SECOND }));
      expect(again.outcome).to.equal("unchanged");
      expect(again.ops).to.deep.equal([]);
      expect(await kernelState()).to.deep.equal(before);
    },
  );

  it(
    "removes the rules of an IP that left the pool, and the VNIC's table " +
      "once no IP needs it; the IP then leaves through the primary",
    async () => {
      await pass(ipam({ "10.0.1.20": SECOND, "10.0.1.21": SECOND }));
      await pass(ipam({ "10.0.1.21": SECOND }));
      let rules = await fake.ip(fake.node, "rule", "show");
      expect(rules).to.not.contain("10.0.1.20");
      expect(rules).to.contain("10.0.1.21");
      expect((await pingThrough("10.0.1.21")).replies).to.equal(COUNT);

      await pass(ipam({}));
      rules = await fake.ip(fake.node, "rule", "show");
      expect(rules).to.not.contain("10.0.1.2");
      expect(await fake.ip(fake.node, "-json", "route", "show", "table", "all")).to.not.contain('"table":"11"');
      const after = await pingThrough("10.0.1.21");
      expect(after.replies).to.equal(0);
      expect(after.primary).to.be.at.least(COUNT);
      expect(after.secondary).to.equal(0);
    },
  );

  it(
    "leaves alone what it does not own: other protocols' rules at its " +
      "priorities, the primary interface, the main table",
    async () => {
      await fake.ip(fake.node, "rule", "add", "priority", "20", "to", "10.0.1.20/32", "lookup", "main");
      await fake.ip(
        fake.node,
        "rule",
        "add",
        "priority",
        "111",
        "from",
        "10.0.1.99/32",
        "lookup",
        "11",
        "protocol",
        "static",
      );
      const main = await fake.ip(fake.node, "-json", "route", "show", "table", "main");
      const ens3 = await fake.ip(fake.node, "-json", "link", "show", "dev", "ens3");

      await pass(ipam({ "10.0.1.20": SECOND }));
      await pass(ipam({}));
      const rules = await fake.ip(fake.node, "rule", "show");
      expect(rules).to.contain("20:\tfrom all to 10.0.1.20 lookup main");
      expect(rules).to.contain("111:\tfrom 10.0.1.99 lookup 11 proto static");
      expect(rules).to.not.contain("proto 165");
      expect(await fake.ip(fake.node, "-json", "route", "show", "table", "main")).to.equal(main);
      expect(await fake.ip(fake.node, "-json", "link", "show", "dev", "ens3")).to.equal(ens3);
    },
  );

  it("changes nothing while the CiliumNode has not been read or is absent, or the metadata service fails", async () => {
    await pass(ipam({ "10.0.1.20": SECOND }));
    const before = await kernelState();
    expect((await pass(undefined)).outcome).to.equal("waitingForPool");
    expect((await pass({ exists: false, pool: {}, used: {} })).outcome).to.equal("nodeAbsent");
    imds.status = 500;
    expect((await pass(ipam({}))).outcome).to.equal("metadataUnavailable");
    expect(await kernelState()).to.deep.equal(before);
  });

  it(
    "as a running loop, configures a new VNIC as soon as metadata lists it " +
      "and its interface appears (retry, not resync)",
    async () => {
      imds.vnics = VNICS.slice(0, 1);
      const reports: ReconcileReport[] = [];
      const agent = new NodeAgent({
        metadata: new ImdsClient({ url: imds.url }),
        pool: new MemoryPoolSource(ipam({ "10.0.1.20": SECOND })),
        dataplane: new Iproute2Dataplane({ protocol: CONFIG.protocol, netns: fake.node }),
        config: CONFIG,
        log: silentLogger(),
        resyncMs: 600_000,
        retryMs: 30,
        onReport: (r) => reports.push(r),
      });
      try {
        await agent.start();
        await until(() => reports.length >= 1, "the first pass");
        expect(reports[0]!.skipped.map((s) => s.reason)).to.deep.equal(["VnicNotInMetadata"]);
        expect(reports[0]!.retrySoon).to.equal(true);

        // The VNIC is attached: metadata lists it, but the OS has not shown an interface with its MAC yet.
        imds.vnics = [VNICS[0], { ...VNICS[1], macAddr: "02:00:17:00:00:2f" }];
        await until(
          () => reports.some((r) => r.problems.some((p) => p.kind === "InterfaceNotFound")),
          "the missing interface",
        );
        expect(await fake.ip(fake.node, "rule", "show")).to.not.contain("10.0.1.20");

        await fake.ip(fake.node, "link", "set", "dev", "ens5", "address", "02:00:17:00:00:2f");
        await fake.ip(
          fake.vcns,
          "neigh",
          "replace",
          "10.0.1.20",
          "lladdr",
          "02:00:17:00:00:2f",
          "dev",
          "vr0",
          "nud",
          "permanent",
        );
        await until(() => reports.some((r) => r.outcome === "applied"), "the VNIC's configuration");
        await agent.idle();
        expect(await fake.ip(fake.node, "rule", "show")).to.contain("from 10.0.1.20 lookup 11");
        expect((await pingThrough("10.0.1.20")).replies).to.equal(COUNT);
      } finally {
        await agent.stop();
      }
    },
  );

  it(
    "with the kernel monitor, restores a rule and a route removed by " +
      "someone else within moments, not at the next resync",
    async () => {
      const reports: ReconcileReport[] = [];
      const agent = new NodeAgent({
        metadata: new ImdsClient({ url: imds.url }),
        pool: new MemoryPoolSource(ipam({ "10.0.1.20": SECOND })),
        dataplane: new Iproute2Dataplane({ protocol: CONFIG.protocol, netns: fake.node }),
        monitor: new IpMonitor({ protocol: CONFIG.protocol, netns: fake.node, log: silentLogger(), debounceMs: 20 }),
        config: CONFIG,
        log: silentLogger(),
        resyncMs: 600_000,
        retryMs: 600_000,
        onReport: (r) => reports.push(r),
      });
      try {
        await agent.start();
        await until(() => reports.some((r) => r.outcome === "applied"), "the first configuration");
        await agent.idle();
        // What systemd-networkd does to "foreign" rules and routes when it reconfigures a link.
        await fake.ip(
          fake.node,
          "rule",
          "del",
          "priority",
          "111",
          "from",
          "10.0.1.20/32",
          "lookup",
          "11",
          "protocol",
          "165",
        );
        await fake.ip(fake.node, "route", "del", "default", "table", "11", "proto", "165");
        await until(() => reports.filter((r) => r.outcome === "applied").length >= 2, "the repair", 5_000);
        await agent.idle();
        expect(await fake.ip(fake.node, "rule", "show")).to.contain("111:\tfrom 10.0.1.20 lookup 11 proto 165");
        expect(await fake.ip(fake.node, "route", "show", "table", "11")).to.contain("default via 10.0.1.1 dev ens5");
        expect((await pingThrough("10.0.1.20")).replies).to.equal(COUNT);
      } finally {
        await agent.stop();
      }
    },
  );

  it("as a running loop, follows pool changes and repairs a rule someone deleted", async () => {
    const pool = new MemoryPoolSource(ipam({ "10.0.1.20": SECOND }));
    const reports: ReconcileReport[] = [];
    const agent = new NodeAgent({
      metadata: new ImdsClient({ url: imds.url }),
      pool,
      dataplane: new Iproute2Dataplane({ protocol: CONFIG.protocol, netns: fake.node }),
      config: CONFIG,
      log: silentLogger(),
      resyncMs: 50,
      onReport: (r) => reports.push(r),
    });
    try {
      await agent.start();
      await agent.idle();
      expect(agent.health().ready).to.equal(true);
      expect(await fake.ip(fake.node, "rule", "show")).to.contain("from 10.0.1.20 lookup 11");

      pool.set(ipam({ "10.0.1.21": SECOND }));
      await agent.idle();
      let rules = await fake.ip(fake.node, "rule", "show");
      expect(rules).to.contain("from 10.0.1.21 lookup 11");
      expect(rules).to.not.contain("10.0.1.20");

      await fake.ip(
        fake.node,
        "rule",
        "del",
        "priority",
        "111",
        "from",
        "10.0.1.21/32",
        "lookup",
        "11",
        "protocol",
        "165",
      );
      const seen = reports.length;
      while (reports.length < seen + 2) await new Promise((r) => setTimeout(r, 20));
      await agent.idle();
      rules = await fake.ip(fake.node, "rule", "show");
      expect(rules).to.contain("from 10.0.1.21 lookup 11");
      expect((await pingThrough("10.0.1.21")).replies).to.equal(COUNT);
    } finally {
      await agent.stop();
    }
    expect(pool.stopped).to.equal(true);
  });
});
