import { expect } from "chai";
import type { KubeNodeInfo } from "../../../lib/ports/kube";
import { NodeDirectory } from "../../../lib/reconcile/node-directory";

const node = (name: string, providerId: string): KubeNodeInfo => ({ name, uid: `u-${name}`, providerId, labels: {} });

describe("the invocation's directory of Nodes by instance", () => {
  it("answers every first reconcile of an invocation from one list of the Nodes, in either providerID form", async () => {
    let lists = 0;
    let now = 0;
    const nodes = [
      node("a", "oci://ocid1.instance.oc1..one"),
      node("b", "ocid1.instance.oc1..one"),
      node("c", "oci://ocid1.instance.oc1..two"),
    ];
    const directory = new NodeDirectory({ list: async () => (lists++, nodes) }, () => now);
    const [one, two, none] = await Promise.all([
      directory.namingInstance("ocid1.instance.oc1..one"),
      directory.namingInstance("ocid1.instance.oc1..two"),
      directory.namingInstance("ocid1.instance.oc1..three"),
    ]);
    expect(one.map((n) => n.name)).to.deep.equal(["a", "b"]);
    expect(two.map((n) => n.name)).to.deep.equal(["c"]);
    expect(none).to.deep.equal([]);
    expect(lists).to.equal(1);
    now += 5_000;
    await directory.namingInstance("ocid1.instance.oc1..one");
    expect(lists, "a list older than its maximum age is read again").to.equal(2);
  });
});
