import { expect } from "chai";
import { ConfigError } from "../../lib/errors";
import { parseNodeAgentFlags, type NodeAgentFlags } from "../../lib/node-agent/config";

describe("node-agent flags", () => {
  it("defaults to OCI's MTU, protocol 165, the IMDS v2 URL, a 60 s resync and loopback probes", () => {
    const s = parseNodeAgentFlags({}, { NODE_NAME: "worker-1" });
    expect(s).to.deep.include({
      nodeName: "worker-1",
      imdsUrl: "http://169.254.169.254/opc/v2/vnics/",
      routing: { mtu: 9000, protocol: 165, egressCidrs: [] },
      resyncMs: 60_000,
      retryMs: 5_000,
      health: { host: "127.0.0.1", port: 9886 },
      ipPath: "ip",
      egressFrom: "cilium-config",
    });
  });

  const egress: Array<[string, string[], string[], "flags" | "cilium-config"]> = [
    ["no flag leaves the decision to Cilium's ConfigMap", [], [], "cilium-config"],
    ["all means every destination", ["all"], [], "flags"],
    [
      "a comma-separated list (one ConfigMap value for a VCN's CIDRs)",
      ["10.0.0.0/16,10.1.0.0/16"],
      ["10.0.0.0/16", "10.1.0.0/16"],
      "flags",
    ],
    ["repeated flags add up", ["10.0.0.0/16", " 172.16.0.0/12 "], ["10.0.0.0/16", "172.16.0.0/12"], "flags"],
  ];
  for (const [what, flags, cidrs, from] of egress) {
    it(`egress: ${what}`, () => {
      const s = parseNodeAgentFlags({ egressCidr: flags }, { NODE_NAME: "n" });
      expect([s.routing.egressCidrs, s.egressFrom]).to.deep.equal([cidrs, from]);
    });
  }

  it("prefers --node-name over NODE_NAME and normalises egress CIDRs", () => {
    const s = parseNodeAgentFlags(
      { nodeName: "worker-2", egressCidr: ["10.0.0.7/16"], healthAddress: "off" },
      { NODE_NAME: "worker-1" },
    );
    expect(s.nodeName).to.equal("worker-2");
    expect(s.routing.egressCidrs).to.deep.equal(["10.0.0.0/16"]);
    expect(s.health).to.equal(undefined);
  });

  const rejected: Array<[string, NodeAgentFlags, Record<string, string>, string]> = [
    ["a missing node name", {}, {}, "node-name"],
    ["a node name that could widen the field selector", { nodeName: "a,metadata.name!=b" }, {}, "node-name"],
    ["an MTU below IPv4's minimum", { mtu: "500" }, { NODE_NAME: "n" }, "mtu"],
    ["a kernel-reserved protocol", { protocol: "2" }, { NODE_NAME: "n" }, "protocol"],
    ["an egress CIDR without a prefix", { egressCidr: ["10.0.0.0"] }, { NODE_NAME: "n" }, "egress-cidr"],
    ["all together with a CIDR", { egressCidr: ["all,10.0.0.0/16"] }, { NODE_NAME: "n" }, "egress-cidr"],
    ["a non-numeric resync period", { resyncSeconds: "1m" }, { NODE_NAME: "n" }, "resync-seconds"],
    ["a health address without a port", { healthAddress: "127.0.0.1" }, { NODE_NAME: "n" }, "health-address"],
  ];
  for (const [what, flags, env, key] of rejected) {
    it(`rejects ${what}, naming the flag`, () => {
      expect(() => parseNodeAgentFlags(flags, env))
        .to.throw(ConfigError)
        .with.property("key", key);
    });
  }
});
