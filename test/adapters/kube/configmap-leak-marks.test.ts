import { expect } from "chai";
import { parseMarks } from "../../../lib/adapters/kube/configmap-leak-marks";

describe("leak marks as stored in the ConfigMap", () => {
  it("reads well-formed marks back", () => {
    const marks = {
      a: {
        kind: "privateIp",
        firstSeen: "2026-11-28T12:00:00.000Z",
        reason: "NodeGone",
        ipAddress: "10.0.1.5",
        node: "n",
        instanceId: "i",
      },
      b: { kind: "vnic", firstSeen: "2026-11-28T12:00:00.000Z", reason: "InstanceNotANode" },
    };
    expect(parseMarks(JSON.stringify(marks))).to.deep.equal(marks);
  });

  it("yields no marks for a missing, unparsable or foreign value, and drops malformed entries", () => {
    expect(parseMarks(undefined)).to.deep.equal({});
    expect(parseMarks("{not json")).to.deep.equal({});
    expect(parseMarks("[1,2]")).to.deep.equal({});
    expect(
      parseMarks(
        JSON.stringify({
          a: { kind: "disk", firstSeen: "2026-11-28T12:00:00Z" },
          b: { kind: "vnic", firstSeen: "yesterday" },
          c: null,
          d: { kind: "vnic", firstSeen: "2026-11-28T12:00:00Z" },
        }),
      ),
    ).to.deep.equal({ d: { kind: "vnic", firstSeen: "2026-11-28T12:00:00Z", reason: "" } });
  });
});
