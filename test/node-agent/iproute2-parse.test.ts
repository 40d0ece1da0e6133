import { expect } from "chai";
import { InvalidInputError } from "../../lib/errors";
import { Iproute2Dataplane } from "../../lib/node-agent/iproute2";
import { parseLinks, parseRoutes, parseRules, rulesReportProtocol } from "../../lib/node-agent/iproute2-parse";

// Verbatim shapes printed by iproute2 6.1 on Linux 6.18 (`ip -4 -N -d -json rule/route`, `ip -d -json link`).
const RULES = `[{"priority":0,"src":"all","table":"255","protocol":"2"},{"priority":20,"src":"all","dst":"10.9.0.5","table":"254","protocol":"165"},{"priority":111,"src":"10.9.0.5","dst":"10.0.0.0","dstlen":16,"table":"11","protocol":"165"},{"priority":32000,"src":"all","fwmark":"0x200/0xf00","table":"2005","protocol":"0"}]`;
const ROUTES = `[{"type":"1","dst":"default","gateway":"10.0.1.1","dev":"a0","table":"11","protocol":"165","scope":"0","flags":["linkdown"]},{"type":"1","dst":"10.0.1.1","dev":"a0","table":"11","protocol":"165","scope":"253","flags":["linkdown"]},{"type":"1","dst":"10.0.0.0/24","dev":"a0","table":"254","protocol":"2","scope":"253","prefsrc":"10.0.0.5","metric":100,"flags":[]},{"type":"2","dst":"10.0.0.5","dev":"a0","table":"255","protocol":"2","scope":"254","prefsrc":"10.0.0.5","flags":[]}]`;
const LINKS = `[{"ifindex":3,"link":"b0","ifname":"a0","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],"mtu":1500,"address":"02:00:17:00:00:AA"},{"ifindex":4,"ifname":"eth1","flags":["BROADCAST","MULTICAST","SLAVE","UP"],"mtu":9000,"address":"02:00:17:00:00:bb"},{"ifindex":5,"ifname":"ens5","flags":["BROADCAST","MULTICAST"],"mtu":9000,"address":"02:00:17:00:00:cc"}]`;

describe("iproute2 JSON parsing", () => {
  it("reads rules with their selectors, numeric table and protocol, host selectors as /32", () => {
    expect(parseRules(RULES)).to.deep.equal([
      { priority: 0, table: 255, protocol: 2, otherSelectors: [] },
      { priority: 20, to: "10.9.0.5/32", table: 254, protocol: 165, otherSelectors: [] },
      { priority: 111, from: "10.9.0.5/32", to: "10.0.0.0/16", table: 11, protocol: 165, otherSelectors: [] },
      { priority: 32000, table: 2005, protocol: 0, otherSelectors: ["fwmark"] },
    ]);
  });

  it("reads routes of every table with scope and type names and /32 destinations", () => {
    expect(parseRoutes(ROUTES)).to.deep.equal([
      {
        table: 11,
        dst: "default",
        gateway: "10.0.1.1",
        dev: "a0",
        scope: "global",
        protocol: 165,
        metric: 0,
        type: "unicast",
      },
      { table: 11, dst: "10.0.1.1/32", dev: "a0", scope: "link", protocol: 165, metric: 0, type: "unicast" },
      { table: 254, dst: "10.0.0.0/24", dev: "a0", scope: "link", protocol: 2, metric: 100, type: "unicast" },
      { table: 255, dst: "10.0.0.5/32", dev: "a0", scope: "host", protocol: 2, metric: 0, type: "local" },
    ]);
  });

  it("reads links with lower-case MACs, the UP flag and bond membership", () => {
    expect(parseLinks(LINKS)).to.deep.equal([
      { ifname: "a0", ifindex: 3, mac: "02:00:17:00:00:aa", mtu: 1500, up: true, slave: false },
      { ifname: "eth1", ifindex: 4, mac: "02:00:17:00:00:bb", mtu: 9000, up: true, slave: true },
      { ifname: "ens5", ifindex: 5, mac: "02:00:17:00:00:cc", mtu: 9000, up: false, slave: false },
    ]);
  });

  it("understands names when a build prints them despite -N", () => {
    const [rule] = parseRules(`[{"priority":20,"src":"all","dst":"10.9.0.5","table":"main","protocol":"kernel"}]`);
    expect(rule).to.include({ table: 254, protocol: 2 });
    const [route] = parseRoutes(`[{"dst":"10.0.1.1","dev":"a0","table":"11","protocol":"bird","scope":"link"}]`);
    expect(route).to.include({ scope: "link", protocol: -1, type: "unicast" });
  });

  it("tells whether the kernel reports rule protocols (FRA_PROTOCOL)", () => {
    expect(rulesReportProtocol(RULES)).to.equal(true);
    expect(rulesReportProtocol(`[{"priority":0,"src":"all","table":"255"}]`)).to.equal(false);
  });
});

describe("iproute2 command arguments", () => {
  const ip = new Iproute2Dataplane({ protocol: 165, netns: "x" });

  it("marks every route and rule it adds or deletes with its protocol", () => {
    expect(
      ip.argsFor({
        kind: "replaceRoute",
        table: 11,
        dst: "default",
        gateway: "10.0.1.1",
        dev: "ens5",
        scope: "global",
        reason: "",
      }),
    ).to.deep.equal([
      "-4",
      "route",
      "replace",
      "default",
      "via",
      "10.0.1.1",
      "dev",
      "ens5",
      "scope",
      "global",
      "table",
      "11",
      "proto",
      "165",
    ]);
    expect(ip.argsFor({ kind: "deleteRoute", table: 11, dst: "10.0.1.1/32", metric: 0, reason: "" })).to.deep.equal([
      "-4",
      "route",
      "del",
      "10.0.1.1/32",
      "table",
      "11",
      "proto",
      "165",
    ]);
    expect(ip.argsFor({ kind: "addRule", priority: 20, to: "10.0.1.20/32", table: 254, reason: "" })).to.deep.equal([
      "-4",
      "rule",
      "add",
      "priority",
      "20",
      "to",
      "10.0.1.20/32",
      "lookup",
      "254",
      "protocol",
      "165",
    ]);
    expect(
      ip.argsFor({ kind: "deleteRule", priority: 111, from: "10.0.1.20/32", table: 11, reason: "" }),
    ).to.deep.equal([
      "-4",
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
    ]);
    expect(ip.argsFor({ kind: "setLinkMtu", ifname: "ens5", mtu: 9000, reason: "" })).to.deep.equal([
      "link",
      "set",
      "dev",
      "ens5",
      "mtu",
      "9000",
    ]);
  });

  const hostile: Array<[string, Parameters<Iproute2Dataplane["argsFor"]>[0], string]> = [
    ["an interface name that looks like an option", { kind: "setLinkUp", ifname: "-all", reason: "" }, "ifname"],
    ["an interface name with a space", { kind: "setLinkUp", ifname: "ens5 down", reason: "" }, "ifname"],
    [
      "a gateway that is not an address",
      { kind: "replaceRoute", table: 11, dst: "default", gateway: "flush", dev: "ens5", scope: "global", reason: "" },
      "gateway",
    ],
    [
      "a selector that is not a CIDR",
      { kind: "addRule", priority: 20, to: "10.0.1.20/32 lookup 1", table: 254, reason: "" },
      "to",
    ],
    ["a zero table", { kind: "addRule", priority: 20, to: "10.0.1.20/32", table: 0, reason: "" }, "table"],
  ];
  for (const [what, op, field] of hostile) {
    it(`refuses ${what} before running anything`, () => {
      expect(() => ip.argsFor(op))
        .to.throw(InvalidInputError)
        .with.property("field", field);
    });
  }
});
