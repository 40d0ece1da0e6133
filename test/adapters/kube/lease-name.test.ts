import { expect } from "chai";
import { isDnsSubdomain, leaseNameForNode } from "../../../lib/adapters/kube/lease-name";
import { isFree } from "../../../lib/adapters/kube/lease-locks";
import { formatMicroTime, formatTime, parseKubeTime } from "../../../lib/adapters/kube/kube-time";

describe("Lease names for nodes", () => {
  it("is ocipam-node-<node> for an ordinary node name", () => {
    expect(leaseNameForNode("worker-1.subnet.vcn.oraclevcn.com")).to.equal(
      "ocipam-node-worker-1.subnet.vcn.oraclevcn.com",
    );
  });

  it("hashes a node name too long for a 253-character subdomain, keeping names distinct", () => {
    const a = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}-1`;
    const b = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}-2`;
    const la = leaseNameForNode(a);
    expect(la.length).to.be.at.most(253);
    expect(isDnsSubdomain(la)).to.equal(true);
    expect(la).to.not.equal(leaseNameForNode(b));
    expect(leaseNameForNode(a)).to.equal(la);
  });

  it("always yields a valid subdomain, whatever the input", () => {
    const alphabet = "aZ9.-_ ";
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 500; i++) {
      const len = 1 + Math.floor(rnd() * 300);
      let s = "";
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      const name = leaseNameForNode(s);
      expect(isDnsSubdomain(name), `${JSON.stringify(s)} -> ${name}`).to.equal(true);
    }
  });
});

describe("Kubernetes timestamps", () => {
  it("formats MicroTime with exactly six fractional digits and Time without fractions", () => {
    const ms = Date.UTC(2026, 10, 28, 1, 2, 3, 45);
    expect(formatMicroTime(ms)).to.equal("2026-11-28T01:02:03.045000Z");
    expect(formatTime(ms)).to.equal("2026-11-28T01:02:03Z");
  });

  it("parses MicroTime, Time, offsets and Dates back to milliseconds", () => {
    const ms = Date.UTC(2026, 10, 28, 1, 2, 3, 45);
    expect(parseKubeTime("2026-11-28T01:02:03.045123Z")).to.equal(ms);
    expect(parseKubeTime("2026-11-28T01:02:03Z")).to.equal(ms - 45);
    expect(parseKubeTime("2026-11-28T02:02:03.045+01:00")).to.equal(ms);
    expect(parseKubeTime(new Date(ms))).to.equal(ms);
    expect(parseKubeTime("yesterday")).to.equal(undefined);
  });
});

describe("Lease freedom", () => {
  const t0 = Date.UTC(2026, 0, 1);
  const held = { holderIdentity: "call-a", leaseDurationSeconds: 30, renewTime: formatMicroTime(t0) as never };

  it("is free with no holder, or for its own holder", () => {
    expect(isFree(undefined, "call-b", t0)).to.equal(true);
    expect(isFree({ ...held, holderIdentity: "" }, "call-b", t0)).to.equal(true);
    expect(isFree(held, "call-a", t0 + 1000)).to.equal(true);
  });

  it("is taken by another holder until renewTime + leaseDurationSeconds has passed", () => {
    expect(isFree(held, "call-b", t0 + 30_000)).to.equal(false);
    expect(isFree(held, "call-b", t0 + 30_001)).to.equal(true);
  });
});
