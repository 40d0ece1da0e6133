import { expect } from "chai";
import { readFileSync } from "node:fs";
import { InvalidInputError } from "../../lib/errors";
import { BUNDLED_EXAMPLE } from "../../lib/cli/commands/plan";
import { planNode } from "../../lib/core/planner";
import { explainPlan } from "../../lib/plan/explain";
import { InvalidDocumentError, parseObservedState } from "../../lib/plan/read-observed";
import { caughtSync } from "../support/capture";

const example = () => JSON.parse(readFileSync(BUNDLED_EXAMPLE, "utf8")) as Record<string, any>;
const parseError = (doc: unknown): InvalidInputError => {
  const text = typeof doc === "string" ? doc : JSON.stringify(doc);
  const err = caughtSync<InvalidInputError>(() => parseObservedState(text, "in.json"), "parsing the input");
  expect(err).to.be.instanceOf(InvalidInputError);
  return err;
};

describe("ocipam plan input", () => {
  it("plans the bundled example: fills the primary VNIC, then attaches one on the tag-matched subnet", () => {
    const plan = planNode(parseObservedState(readFileSync(BUNDLED_EXAMPLE, "utf8")));
    expect(plan.actions.map((a) => a.kind)).to.deep.equal(["assignIps", "attachVnic", "writePool"]);
    const text = explainPlan(plan);
    expect(text).to.contain("[SubnetFromConfiguredTags]");
    expect(text).to.contain("attach a VNIC on subnet ocid1.subnet.oc1.phx.pods-ad1");
  });

  it("fills defaults for optional fields", () => {
    const doc = example();
    delete doc.pendingPods;
    const state = parseObservedState(JSON.stringify(doc));
    expect(state.config.ipsPerVnic).to.equal(31);
    expect(state.config.excessIpReleaseDelaySeconds).to.equal(180);
    expect(state.pendingPods).to.equal(0);
    expect(state.nsgs).to.deep.equal([]);
  });

  const rejections: Array<[string, (doc: Record<string, any>) => unknown, string, RegExp]> = [
    ["text that is not JSON", () => "{not json", "in.json", /not valid JSON/],
    [
      "a missing required section",
      (d) => {
        delete d.instance;
        return d;
      },
      "in.json#/instance",
      /is required/,
    ],
    [
      "a negative VNIC index",
      (d) => {
        d.vnics[0].index = -1;
        return d;
      },
      "in.json#/vnics/0/index",
      /must be >= 0/,
    ],
    [
      "a malformed IP in the pool",
      (d) => {
        d.ciliumNode.pool["10.0.1.999"] = {};
        return d;
      },
      "in.json#/ciliumNode/pool/10.0.1.999",
      /key must match format "ipv4"/,
    ],
    [
      "an unknown release status",
      (d) => {
        d.ciliumNode.releaseIps = { "10.0.1.10": "gone" };
        return d;
      },
      "in.json#/ciliumNode/releaseIps/10.0.1.10",
      /allowed values/,
    ],
    [
      "an unknown field (a typo)",
      (d) => {
        d.config.ipPerVnic = 4;
        return d;
      },
      "in.json#/config/ipPerVnic",
      /not a known field/,
    ],
    [
      "an instance OCID of another resource type",
      (d) => {
        d.instance.id = "ocid1.vnic.oc1..x";
        return d;
      },
      "in.json#/instance/id",
      /pattern/,
    ],
  ];
  for (const [what, mutate, field, message] of rejections) {
    it(`rejects ${what}, naming the field`, () => {
      const err = parseError(mutate(example()));
      expect(err.field).to.equal(field);
      expect(err.message).to.match(message);
    });
  }

  type Mutation = (doc: Record<string, any>) => unknown;
  const together: Array<[string, Mutation, Array<{ pointer: string; message: RegExp }>]> = [
    [
      "three unrelated mistakes",
      (d) => {
        d.vnics[0].index = -1;
        d.config.ipPerVnic = 4;
        delete d.instance.shape;
        return d;
      },
      [
        { pointer: "/config/ipPerVnic", message: /not a known field/ },
        { pointer: "/instance/shape", message: /is required/ },
        { pointer: "/vnics/0/index", message: /must be >= 0/ },
      ],
    ],
    [
      "a bad map key and a bad value under it",
      (d) => {
        d.ciliumNode.pool = { "10.0.1.999": {}, "10.0.1.5": { owner: 3 } };
        return d;
      },
      [
        { pointer: "/ciliumNode/pool/10.0.1.999", message: /key must match format "ipv4"/ },
        { pointer: "/ciliumNode/pool/10.0.1.5/owner", message: /must be string/ },
      ],
    ],
    [
      "a key with a slash, escaped as RFC 6901 says",
      (d) => {
        d.config["a/b~c"] = 1;
        return d;
      },
      [{ pointer: "/config/a~1b~0c", message: /not a known field/ }],
    ],
  ];
  for (const [what, mutate, expected] of together) {
    it(`reports every problem at once: ${what}`, () => {
      const err = parseError(mutate(example()));
      expect(err).to.be.instanceOf(InvalidDocumentError);
      const problems = (err as InvalidDocumentError).problems;
      expect(problems.map((p) => p.pointer).sort()).to.deep.equal(expected.map((p) => p.pointer).sort());
      for (const p of expected) expect(problems.find((q) => q.pointer === p.pointer)!.message).to.match(p.message);
      for (const p of expected) expect(err.message).to.contain(`in.json#${p.pointer}: `);
      if (expected.length > 1) expect(err.message).to.contain(`(1 of ${expected.length} problems)`);
    });
  }

  it("lists at most 20 problems in the message of a file wrong everywhere, and keeps them all in `problems`", () => {
    const doc = example();
    doc.vnics = Array.from({ length: 30 }, () => ({ ...doc.vnics[0], index: -1 }));
    const err = parseError(doc) as InvalidDocumentError;
    expect(err.problems).to.have.length(30);
    expect(err.message.split("\n")).to.have.length(21);
    expect(err.message)
      .to.contain("(1 of 30 problems)")
      .and.to.match(/… and 10 more$/);
  });

  it("reads the IP CIDR block fields an observation of a block-mode node carries", () => {
    const doc = example();
    Object.assign(doc.config, { ipBlockPrefixLength: 28, maxPodsPerNode: 110 });
    const block = { id: "ocid1.privateip.oc1.phx.b1", ipAddress: "10.0.1.64", isPrimary: false, cidrPrefixLength: 28 };
    doc.vnics[0].privateIps.push(block);
    const cidrBlocks = ["10.0.1.0/24", "10.0.9.0/24"];
    Object.assign(doc.subnets[0], { cidrBlocks, lifecycleState: "UPDATING", allocations: ["10.0.1.64/28"] });
    const state = parseObservedState(JSON.stringify(doc));
    expect(state.config).to.include({ ipBlockPrefixLength: 28, maxPodsPerNode: 110 });
    expect(state.vnics[0]!.privateIps.at(-1)).to.include({ cidrPrefixLength: 28 });
    expect(state.subnets[0]).to.deep.include({ lifecycleState: "UPDATING", allocations: ["10.0.1.64/28"] });
    doc.subnets[0].lifecycleState = "BROKEN";
    doc.config.ipBlockPrefixLength = 20;
    const message = parseError(doc).message;
    expect(message).to.contain("in.json#/config/ipBlockPrefixLength: must be >= 24");
    expect(message).to.contain("in.json#/subnets/0/lifecycleState: must be equal to one of the allowed values");
  });
});
