import { expect } from "chai";
import {
  missingPoolAddresses,
  poolAfterExecution,
  releaseStatusAfterDeletes,
} from "../../../lib/core/execution-outcome";
import type { ReleaseStatus } from "../../../lib/core/model";

describe("what a plan's writes become after OCI answered", () => {
  const rows: Array<{
    name: string;
    planned: ReleaseStatus;
    observed?: ReleaseStatus;
    deleted: boolean;
    present: boolean;
    want: ReleaseStatus;
  }> = [
    {
      name: "a delete that succeeded now is written released",
      planned: "released",
      observed: "ready-for-release",
      deleted: true,
      present: true,
      want: "released",
    },
    {
      name: "a delete that failed stays ready-for-release (retried next round)",
      planned: "released",
      observed: "ready-for-release",
      deleted: false,
      present: true,
      want: "ready-for-release",
    },
    {
      name: "an IP already gone from OCI when observed completes as released",
      planned: "released",
      observed: "ready-for-release",
      deleted: false,
      present: false,
      want: "released",
    },
    {
      name: "an entry already released stays released",
      planned: "released",
      observed: "released",
      deleted: false,
      present: true,
      want: "released",
    },
    {
      name: "a marked entry is written as planned",
      planned: "marked-for-release",
      deleted: false,
      present: true,
      want: "marked-for-release",
    },
  ];
  for (const row of rows) {
    it(`release status: ${row.name}`, () => {
      const ip = "10.0.1.10";
      const next = releaseStatusAfterDeletes(
        { [ip]: row.planned },
        row.observed ? { [ip]: row.observed } : {},
        new Set(row.deleted ? [ip] : []),
        new Set(row.present ? [ip] : []),
      );
      expect(next[ip]).to.equal(row.want);
    });
  }

  it("pool: adds created IPs, drops deleted ones and holds back an address the agent still has as released", () => {
    const { pool, heldBack } = poolAfterExecution(
      { "10.0.1.10": { resource: "v1" }, "10.0.1.11": { resource: "v1" } },
      [
        { ipAddress: "10.0.1.12", vnicId: "v1" },
        { ipAddress: "10.0.1.13", vnicId: "v1" },
      ],
      new Set(["10.0.1.11"]),
      new Set(["10.0.1.13"]),
    );
    expect(pool).to.deep.equal({ "10.0.1.10": { resource: "v1" }, "10.0.1.12": { resource: "v1" } });
    expect(heldBack).to.deep.equal(["10.0.1.13"]);
  });

  it("pool check: names the addresses OCI no longer has on the VNIC the pool names, and only those", () => {
    const pool = {
      "10.0.1.10": { resource: "v1" },
      "10.0.1.11": { resource: "v1" },
      "10.0.2.10": { resource: "v2" },
      "10.0.3.10": { resource: "v3" },
    };
    const present = new Map([
      ["v1", new Set(["10.0.1.10"])],
      ["v2", new Set<string>()],
    ]);
    // v3 could not be listed: nothing is said about it.
    expect(missingPoolAddresses(pool, present)).to.deep.equal(["10.0.1.11", "10.0.2.10"]);
  });
});
