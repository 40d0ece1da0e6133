import { expect } from "chai";
import { silentLogger } from "../../lib/log";
import { ImdsClient } from "../../lib/node-agent/imds";
import { Iproute2Dataplane } from "../../lib/node-agent/iproute2";
import type { NodeIpamSnapshot } from "../../lib/node-agent/model";
import { reconcileOnce, type ReconcileReport } from "../../lib/node-agent/reconcile";
import { FakeNode } from "./fake-node";
import { CONFIG, VNICS, ipam } from "./fixtures";
import { FakeImds } from "./imds-server";
import { MemoryPoolSource } from "./memory-pool-source";

const SECOND = "ocid1.vnic.oc1..second";
const COUNT = 5;
const BLOCK_CONFIG = { ...CONFIG, blockPrefixLength: 28 };

/**
 * An IP CIDR block on a secondary VNIC against a real kernel (network namespaces, see fake-node.ts): the two pod
 * addresses 10.0.1.20 and 10.0.1.21 sit in the block 10.0.1.16/28, and ONE egress rule routes both. Needs root.
 */
describe("node agent on a fake OCI node with a /28 IP CIDR block (network namespaces, real packets)", function () {
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

  const pass = (snapshot: NodeIpamSnapshot): Promise<ReconcileReport> =>
    reconcileOnce({
      metadata: new ImdsClient({ url: imds.url }),
      pool: new MemoryPoolSource(snapshot),
      dataplane: new Iproute2Dataplane({ protocol: CONFIG.protocol, netns: fake.node }),
      config: BLOCK_CONFIG,
      log: silentLogger(),
    });
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
    "installs one egress and one ingress rule for the block, and both of " +
      "its addresses leave through the secondary VNIC",
    async () => {
      const report = await pass(ipam({ "10.0.1.20": SECOND, "10.0.1.21": SECOND }));
      expect(report.failed).to.deep.equal([]);
      const rules = (await fake.ip(fake.node, "rule", "show"))
        .trim()
        .split("\n")
        .filter((l) => l.includes("proto 165"));
      expect(rules).to.deep.equal([
        "20:\tfrom all to 10.0.1.16/28 lookup main proto 165",
        "111:\tfrom 10.0.1.16/28 lookup 11 proto 165",
      ]);
      for (const src of ["10.0.1.20", "10.0.1.21"]) {
        const through = await pingThrough(src);
        expect(through.replies, `replies to ${src}`).to.equal(COUNT);
        expect(through.secondary, `${src} through the secondary VNIC`).to.be.at.least(COUNT);
      }
      const again = await pass(ipam({ "10.0.1.20": SECOND, "10.0.1.21": SECOND }));
      expect(again.outcome, "a second pass changes nothing").to.equal("unchanged");
    },
  );

  it("removes the block's rules once none of its addresses is in the pool", async () => {
    await pass(ipam({ "10.0.1.20": SECOND }));
    await pass(ipam({}));
    expect(await fake.ip(fake.node, "rule", "show")).to.not.contain("10.0.1.16/28");
    const after = await pingThrough("10.0.1.20");
    expect(after.replies).to.equal(0);
    expect(after.secondary).to.equal(0);
  });
});
