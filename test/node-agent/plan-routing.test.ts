import { expect } from "chai";
import { desiredRouting } from "../../lib/node-agent/desired-routing";
import type { ObservedLink, ObservedNet, ObservedRoute, ObservedRule, RoutingOp } from "../../lib/node-agent/model";
import { planRouting } from "../../lib/node-agent/plan-routing";
import { CONFIG, VNICS, ipam } from "./fixtures";

const SECOND = "ocid1.vnic.oc1..second";
const PRIMARY_MAC = "02:00:17:00:00:01";

const ens3: ObservedLink = { ifname: "ens3", ifindex: 2, mac: PRIMARY_MAC, mtu: 9000, up: true, slave: false };
const ens5: ObservedLink = { ifname: "ens5", ifindex: 3, mac: "02:00:17:00:00:02", mtu: 9000, up: true, slave: false };
const ownRoute = (r: Partial<ObservedRoute>): ObservedRoute => ({
  table: 11,
  dst: "default",
  scope: "global",
  protocol: 165,
  metric: 0,
  type: "unicast",
  ...r,
});
const ownRule = (r: Partial<ObservedRule>): ObservedRule => ({
  priority: 111,
  table: 11,
  protocol: 165,
  otherSelectors: [],
  ...r,
});
/** The kernel state after a successful pass for 10.0.1.20 on the second VNIC. */
const configured: ObservedNet = {
  links: [ens3, ens5],
  routes: [
    ownRoute({ dst: "10.0.1.1/32", dev: "ens5", scope: "link" }),
    ownRoute({ dst: "default", gateway: "10.0.1.1", dev: "ens5" }),
    {
      table: 254,
      dst: "default",
      gateway: "10.0.0.1",
      dev: "ens3",
      scope: "global",
      protocol: 16,
      metric: 100,
      type: "unicast",
    },
  ],
  rules: [
    { priority: 0, table: 255, protocol: 2, otherSelectors: [] },
    ownRule({ priority: 20, to: "10.0.1.20/32", table: 254 }),
    ownRule({ from: "10.0.1.20/32" }),
    { priority: 32766, table: 254, protocol: 2, otherSelectors: [] },
  ],
};
const bare: ObservedNet = {
  links: [ens3, { ...ens5, mtu: 1500, up: false }],
  routes: [configured.routes[2]!],
  rules: [configured.rules[0]!, configured.rules[3]!],
};

const plan = (pool: Record<string, string>, observed: ObservedNet, config = CONFIG) =>
  planRouting(desiredRouting(VNICS, ipam(pool), config), observed, { protocol: 165, primaryMac: PRIMARY_MAC });
const kinds = (ops: RoutingOp[]) =>
  ops.map(
    (o) =>
      `${o.kind}${"ifname" in o ? ` ${o.ifname}` : ""}${"dst" in o ? ` ${o.table} ${o.dst}` : ""}${"priority" in o ? ` ${o.priority} ${o.from ?? ""}${o.to ?? ""} ${o.table}` : ""}`,
  );

interface Case {
  name: string;
  pool: Record<string, string>;
  observed: ObservedNet;
  ops: string[];
  problems?: string[];
}

const cases: Case[] = [
  {
    name: "configures a bare node: link MTU and up, table routes, then rules",
    pool: { "10.0.1.20": SECOND },
    observed: bare,
    ops: [
      "setLinkMtu ens5",
      "setLinkUp ens5",
      "replaceRoute 11 10.0.1.1/32",
      "replaceRoute 11 default",
      "addRule 20 10.0.1.20/32 254",
      "addRule 111 10.0.1.20/32 11",
    ],
  },
  {
    name: "changes nothing when the kernel already matches (second run)",
    pool: { "10.0.1.20": SECOND },
    observed: configured,
    ops: [],
  },
  {
    name: "removes the rules of an IP that left the pool, then the routes of the table nobody uses any more",
    pool: {},
    observed: configured,
    ops: [
      "deleteRule 20 10.0.1.20/32 254",
      "deleteRule 111 10.0.1.20/32 11",
      "deleteRoute 11 10.0.1.1/32",
      "deleteRoute 11 default",
    ],
  },
  {
    name: "keeps the table while another IP of the VNIC remains",
    pool: { "10.0.1.21": SECOND },
    observed: configured,
    ops: [
      "addRule 20 10.0.1.21/32 254",
      "addRule 111 10.0.1.21/32 11",
      "deleteRule 20 10.0.1.20/32 254",
      "deleteRule 111 10.0.1.20/32 11",
    ],
  },
  {
    name: "never touches rules of other protocols, even at Cilium's priorities and for a pool IP",
    pool: {},
    observed: {
      ...bare,
      rules: [
        ...bare.rules,
        ownRule({ priority: 20, to: "10.0.1.20/32", table: 254, protocol: 0 }),
        ownRule({ from: "10.0.1.20/32", protocol: 2 }),
      ],
    },
    ops: [],
  },
  {
    name: "never touches rules with its protocol at other priorities",
    pool: {},
    observed: { ...bare, rules: [...bare.rules, ownRule({ priority: 100, from: "10.0.1.20/32" })] },
    ops: [],
  },
  {
    name: "replaces its own route when it differs (the gateway moved)",
    pool: { "10.0.1.20": SECOND },
    observed: {
      ...configured,
      routes: [
        configured.routes[0]!,
        ownRoute({ dst: "default", gateway: "10.0.1.254", dev: "ens5" }),
        configured.routes[2]!,
      ],
    },
    ops: ["replaceRoute 11 default"],
  },
  {
    name: "accepts a matching route installed by someone else and leaves it in place",
    pool: { "10.0.1.20": SECOND },
    observed: {
      ...configured,
      routes: [
        configured.routes[0]!,
        ownRoute({ dst: "default", gateway: "10.0.1.1", dev: "ens5", protocol: 4 }),
        configured.routes[2]!,
      ],
    },
    ops: [],
  },
  {
    name: "freezes a VNIC whose table holds a different route of someone else, and reports it",
    pool: { "10.0.1.20": SECOND },
    observed: {
      ...bare,
      routes: [...bare.routes, ownRoute({ dst: "default", gateway: "10.0.1.99", dev: "ens5", protocol: 4 })],
    },
    ops: [],
    problems: ["ForeignRouteConflict"],
  },
  {
    name: "waits for the interface when no link has the VNIC's MAC yet, removing nothing of that VNIC",
    pool: { "10.0.1.20": SECOND },
    observed: { ...configured, links: [ens3] },
    ops: [],
    problems: ["InterfaceNotFound"],
  },
  {
    name: "refuses when several interfaces carry the MAC, but ignores bond members",
    pool: { "10.0.1.20": SECOND },
    observed: {
      ...bare,
      links: [
        ens3,
        { ...ens5, mtu: 1500 },
        { ...ens5, ifname: "ens5v", ifindex: 9 },
        { ...ens5, ifname: "bondslave", slave: true, mtu: 1500 },
      ],
    },
    ops: [],
    problems: ["SeveralInterfacesWithMac"],
  },
];

describe("planRouting", () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = plan(c.pool, c.observed);
      expect(kinds(got.ops)).to.deep.equal(c.ops);
      expect(got.problems.map((p) => p.kind)).to.deep.equal(c.problems ?? []);
    });
  }

  it("never configures the primary VNIC's interface, even if metadata gave a secondary VNIC its MAC", () => {
    const vnics = [VNICS[0]!, { ...VNICS[1]!, macAddr: PRIMARY_MAC }];
    const got = planRouting(desiredRouting(vnics, ipam({ "10.0.1.20": SECOND }), CONFIG), bare, {
      protocol: 165,
      primaryMac: PRIMARY_MAC,
    });
    expect(got.ops).to.deep.equal([]);
    expect(got.problems.map((p) => p.kind)).to.deep.equal(["PrimaryInterfaceReused"]);
  });

  it("routes every egress CIDR when egress is restricted, and replaces the unrestricted rule", () => {
    const got = plan({ "10.0.1.20": SECOND }, configured, { ...CONFIG, egressCidrs: ["10.0.0.0/16"] });
    expect(kinds(got.ops)).to.deep.equal(["addRule 111 10.0.1.20/3210.0.0.0/16 11", "deleteRule 111 10.0.1.20/32 11"]);
  });

  it("deletes its own routes left in tables of VNICs that are gone", () => {
    const stale = ownRoute({ table: 15, dst: "default", gateway: "10.0.5.1", dev: "ens9" });
    const got = plan({ "10.0.1.20": SECOND }, { ...configured, routes: [...configured.routes, stale] });
    expect(kinds(got.ops)).to.deep.equal(["deleteRoute 15 default"]);
  });
});
