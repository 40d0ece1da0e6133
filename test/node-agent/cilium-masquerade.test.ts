import { expect } from "chai";
import { ConfigError } from "../../lib/errors";
import { startKubeEmulator, type KubeEmulator } from "../../lib/testbed/kube-emulator";
import { readCiliumEgress } from "../../lib/node-agent/adapters/cilium-config-source";
import { egressFromCiliumConfig } from "../../lib/node-agent/cilium-masquerade";
import { CiliumConfigUnavailableError } from "../../lib/node-agent/errors";

const MASQ = "enable-ipv4-masquerade";
const NATIVE = "ipv4-native-routing-cidr";

describe("node-agent egress from Cilium's masquerading settings (cilium-config)", () => {
  const decided: Array<[string, Record<string, string>, string[]]> = [
    ["masquerading off: every destination leaves by the pod's VNIC", { [MASQ]: "false", [NATIVE]: "10.0.0.0/16" }, []],
    [
      "masquerading on: only the native routing CIDR keeps the pod address",
      { [MASQ]: "true", [NATIVE]: "10.0.0.0/16" },
      ["10.0.0.0/16"],
    ],
    ["masquerading is Cilium's default when the key is absent", { [NATIVE]: "10.0.0.0/8" }, ["10.0.0.0/8"]],
    [
      "a covering CIDR of a VCN with several CIDRs is normalised",
      { [MASQ]: "true", [NATIVE]: "10.0.7.9/15" },
      ["10.0.0.0/15"],
    ],
  ];
  for (const [what, data, cidrs] of decided) {
    it(what, () => expect(egressFromCiliumConfig(data).egressCidrs).to.deep.equal(cidrs));
  }

  const refused: Array<[string, Record<string, string>, RegExp]> = [
    ["masquerading without a native routing CIDR", { [MASQ]: "true" }, /ipv4-native-routing-cidr is not set/],
    ["a native routing CIDR that is not IPv4", { [NATIVE]: "fd00::/64" }, /not an IPv4 CIDR/],
    [
      "Cilium's ip-masq-agent, whose list is not read",
      { "enable-ip-masq-agent": "true", [NATIVE]: "10.0.0.0/16" },
      /nonMasqueradeCIDRs/,
    ],
  ];
  for (const [what, data, message] of refused) {
    it(`refuses to guess with ${what}`, () => {
      expect(() => egressFromCiliumConfig(data)).to.throw(ConfigError, message);
    });
  }
});

describe("node-agent reads cilium-config with its shipped RBAC (kube emulator)", function () {
  this.timeout(20_000);
  let emu: KubeEmulator;
  before(async () => {
    emu = await startKubeEmulator();
  });
  after(() => emu.close());

  it("gets kube-system/cilium-config as ocipam-node-agent, and no other ConfigMap there", async () => {
    const cm = (name: string) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "kube-system" },
      data: { [MASQ]: "true", [NATIVE]: "10.0.0.0/16" },
    });
    emu.store.create("configmaps", cm("cilium-config"));
    emu.store.create("configmaps", cm("other"));
    const kc = emu.kubeConfigFor("ocipam-system/ocipam-node-agent");
    expect((await readCiliumEgress(kc)).egressCidrs).to.deep.equal(["10.0.0.0/16"]);
    const other = { namespace: "kube-system", name: "other" };
    const refused = await readCiliumEgress(kc, other).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused).to.be.instanceOf(CiliumConfigUnavailableError);
    expect(refused!.message).to.contain("HTTP 403");
  });
});
