import { expect } from "chai";
import { decodeInvocationBody, type RejectedRecord } from "../../events/contracts";
import { type EventFixture, loadFixtures } from "./fixtures";

function check(fixture: EventFixture): void {
  const result = decodeInvocationBody(fixture.body);
  const rejected = result.rejected.map((r: RejectedRecord, i) => {
    const expected = fixture.expect.rejected[i];
    const picked: Record<string, unknown> = { index: r.index, reason: r.reason, field: r.field };
    if (expected && "offset" in expected) picked.offset = r.offset;
    if (expected && "partition" in expected) picked.partition = r.partition;
    return picked;
  });
  expect(rejected, "rejections").to.deep.equal(fixture.expect.rejected);
  expect(result.records, "record count").to.have.length(fixture.expect.records.length);
  fixture.expect.records.forEach((subset, i) => {
    expect(result.records[i]).to.deep.include(subset);
  });
  // Every rejection explains itself without echoing the payload.
  for (const r of result.rejected) expect(r.message).to.be.a("string").and.not.equal("");
}

describe("event contract fixtures", () => {
  describe("valid", () => {
    const fixtures = loadFixtures("valid");
    it("has valid fixtures to check", () => expect(fixtures.length).to.be.greaterThan(5));
    for (const fixture of fixtures) it(fixture.description, () => check(fixture));
  });

  describe("invalid", () => {
    const fixtures = loadFixtures("invalid");
    it("has invalid fixtures to check", () => expect(fixtures.length).to.be.greaterThan(20));
    for (const fixture of fixtures) {
      it(fixture.description, () => {
        expect(fixture.expect.rejected, `${fixture.file} must expect a rejection`).to.not.be.empty;
        check(fixture);
      });
    }
  });
});
