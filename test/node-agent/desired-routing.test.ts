import { expect } from "chai";
import { desiredRouting } from "../../lib/node-agent/desired-routing";
import type {
  DesiredLink,
  DesiredRouting,
  DesiredTable,
  NodeIpamSnapshot,
  RoutingConfig,
} from "../../lib/node-agent/model";
import { CONFIG, VNICS, ipam } from "./fixtures";

const SECOND = "ocid1.vnic.oc1..second";
const THIRD = "ocid1.vnic.oc1..third";
const PRIMARY = "ocid1.vnic.oc1..primary";

const table11: DesiredTable = {
  table: 11,
  vnicId: SECOND,
  mac: "02:00:17:00:00:02",
  routes: [
    { dst: "10.0.1.1/32", scope: "link", mac: "02:00:17:00:00:02" },
    { dst: "default", gateway: "10.0.1.1", scope: "global", mac: "02:00:17:00:00:02" },
  ],
};
const link11: DesiredLink = { mac: "02:00:17:00:00:02", vnicId: SECOND, index: 1, mtu: 9000, up: true };
const rulesFor = (ip: string, table: number, vnicId: string) => [
  { priority: 20, to: `${ip}/32`, table: 254, ip, vnicId },
  { priority: 111, from: `${ip}/32`, table, ip, vnicId },
];

interface Case {
  name: string;
  ipam: NodeIpamSnapshot;
  config?: Partial<RoutingConfig>;
  expect: Partial<DesiredRouting>;
}

const cases: Case[] = [
  {
    name: "routes a secondary-VNIC IP through table 10+index with the ingress and egress rules Cilium uses",
    ipam: ipam({ "10.0.1.20": SECOND }),
    expect: {
      links: [link11],
      tables: [table11],
      rules: rulesFor("10.0.1.20", 11, SECOND),
      primaryIps: [],
      skipped: [],
    },
  },
  {
    name: "needs nothing for IPs on the primary VNIC",
    ipam: ipam({ "10.0.0.30": PRIMARY, "10.0.0.31": PRIMARY }),
    expect: { links: [], tables: [], rules: [], primaryIps: ["10.0.0.30", "10.0.0.31"], skipped: [] },
  },
  {
    name: "gives each secondary VNIC its own table and one link entry however many IPs it carries",
    ipam: ipam({ "10.0.2.7": THIRD, "10.0.1.21": SECOND, "10.0.1.20": SECOND }),
    expect: {
      links: [link11, { mac: "02:00:17:00:00:03", vnicId: THIRD, index: 2, mtu: 9000, up: true }],
      rules: [
        ...rulesFor("10.0.1.20", 11, SECOND),
        ...rulesFor("10.0.1.21", 11, SECOND),
        ...rulesFor("10.0.2.7", 12, THIRD),
      ],
    },
  },
  {
    name: "restricts egress to the configured CIDRs (Cilium ENI's form under masquerading)",
    ipam: ipam({ "10.0.1.20": SECOND }),
    config: { egressCidrs: ["10.0.0.0/16", "192.168.0.0/20"] },
    expect: {
      rules: [
        { priority: 20, to: "10.0.1.20/32", table: 254, ip: "10.0.1.20", vnicId: SECOND },
        { priority: 111, from: "10.0.1.20/32", to: "10.0.0.0/16", table: 11, ip: "10.0.1.20", vnicId: SECOND },
        { priority: 111, from: "10.0.1.20/32", to: "192.168.0.0/20", table: 11, ip: "10.0.1.20", vnicId: SECOND },
      ],
    },
  },
  {
    name: "uses the configured MTU",
    ipam: ipam({ "10.0.1.20": SECOND }),
    config: { mtu: 1500 },
    expect: { links: [{ ...link11, mtu: 1500 }] },
  },
  {
    name: "skips, with a reason, an IP whose VNIC the metadata does not list yet",
    ipam: ipam({ "10.0.3.5": "ocid1.vnic.oc1..attaching", "10.0.1.20": SECOND }),
    expect: {
      rules: rulesFor("10.0.1.20", 11, SECOND),
      skipped: [{ ip: "10.0.3.5", resource: "ocid1.vnic.oc1..attaching", reason: "VnicNotInMetadata" }],
    },
  },
  {
    name: "skips an IP without a resource, a non-IPv4 key and an IP outside its VNIC's subnet",
    ipam: ipam({ "10.0.1.20": undefined, "fd00::5": SECOND, "10.0.2.9": SECOND }),
    expect: {
      links: [],
      tables: [],
      rules: [],
      skipped: [
        { ip: "10.0.1.20", reason: "NoResource" },
        { ip: "10.0.2.9", resource: SECOND, reason: "OutsideVnicSubnet" },
        { ip: "fd00::5", resource: SECOND, reason: "NotIpv4" },
      ],
    },
  },
  {
    name: "keeps routing an in-use IP that has left the pool (Cilium keeps such an IP working)",
    ipam: ipam({}, { "10.0.1.20": SECOND }),
    expect: { links: [link11], tables: [table11], rules: rulesFor("10.0.1.20", 11, SECOND) },
  },
  {
    name: "wants nothing when the CiliumNode does not exist",
    ipam: { exists: false, pool: {}, used: { "10.0.1.20": { resource: SECOND } } },
    expect: { links: [], tables: [], rules: [], primaryIps: [], skipped: [] },
  },
];

describe("desiredRouting", () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = desiredRouting(VNICS, c.ipam, { ...CONFIG, ...c.config });
      for (const [key, value] of Object.entries(c.expect)) {
        expect(got[key as keyof DesiredRouting], key).to.deep.equal(value);
      }
    });
  }

  it("gives an IP configured on the node itself (Cilium's router IP) the egress rule but no ingress rule", () => {
    const got = desiredRouting(VNICS, ipam({ "10.0.1.20": SECOND, "10.0.1.2": SECOND }), CONFIG, new Set(["10.0.1.2"]));
    expect(got.rules).to.deep.equal([
      { priority: 111, from: "10.0.1.2/32", table: 11, ip: "10.0.1.2", vnicId: SECOND },
      ...rulesFor("10.0.1.20", 11, SECOND),
    ]);
  });

  it("numbers tables by position in the IMDS list, not by VLAN tag or nicIndex", () => {
    const reordered = [VNICS[0]!, VNICS[2]!, VNICS[1]!];
    const got = desiredRouting(reordered, ipam({ "10.0.1.20": SECOND }), CONFIG);
    expect(got.tables.map((t) => t.table)).to.deep.equal([12]);
    expect(got.rules.find((r) => r.priority === 111)?.table).to.equal(12);
  });

  it("is deterministic: pool order does not change the output", () => {
    const a = desiredRouting(VNICS, ipam({ "10.0.1.9": SECOND, "10.0.1.20": SECOND, "10.0.2.3": THIRD }), CONFIG);
    const b = desiredRouting(VNICS, ipam({ "10.0.2.3": THIRD, "10.0.1.20": SECOND, "10.0.1.9": SECOND }), CONFIG);
    expect(a).to.deep.equal(b);
    expect(a.rules.map((r) => r.ip)).to.deep.equal([
      "10.0.1.9",
      "10.0.1.9",
      "10.0.1.20",
      "10.0.1.20",
      "10.0.2.3",
      "10.0.2.3",
    ]);
  });
});
