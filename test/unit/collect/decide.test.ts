import { expect } from "chai";
import { decide } from "../../../lib/collect/decide";
import type { Orphan } from "../../../lib/collect/model";
import type { LeakMark } from "../../../lib/collect/ports";

const T0 = "2026-11-28T12:00:00.000Z";
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const limits = { gracePeriodSeconds: 600, maxDeletions: 50, maxMarks: 2000 };
const ipOrphan = (id: string, vnicId = "vnic-1"): Orphan => ({
  kind: "privateIp",
  id,
  ipAddress: `10.0.1.${id.replace(/\D/g, "") || 1}`,
  vnicId,
  node: "gone",
  reason: { code: "NodeGone", message: "" },
});
const vnicOrphan = (id: string, vnicId: string): Orphan => ({
  kind: "vnic",
  id,
  vnicId,
  instanceId: "i",
  reason: { code: "InstanceNotANode", message: "" },
});
const mark = (o: Orphan, firstSeen: string): LeakMark => ({ kind: o.kind, firstSeen, reason: o.reason.code });

describe("leak collection: mark on one pass, delete on a later one", () => {
  it("only marks an orphan seen for the first time, even with no grace period", () => {
    const d = decide([ipOrphan("ip1")], {}, T0, { ...limits, gracePeriodSeconds: 0 });
    expect(d.newlyMarked.map((o) => o.id)).to.deep.equal(["ip1"]);
    expect(d.toDelete).to.deep.equal([]);
    expect(d.marks).to.deep.equal({
      ip1: { kind: "privateIp", firstSeen: T0, reason: "NodeGone", ipAddress: "10.0.1.1", node: "gone" },
    });
  });

  it("deletes a marked orphan once the grace period has passed since it was first seen, not before", () => {
    const o = ipOrphan("ip1");
    const early = decide([o], { ip1: mark(o, T0) }, at(599), limits);
    expect(early.toDelete).to.deep.equal([]);
    expect(early.skipped.map((s) => s.reason.code)).to.deep.equal(["InGracePeriod"]);
    expect(early.marks.ip1!.firstSeen, "the first-seen time is kept").to.equal(T0);
    const due = decide([o], { ip1: mark(o, T0) }, at(600), limits);
    expect(due.toDelete.map((x) => x.id)).to.deep.equal(["ip1"]);
  });

  it("drops the mark of an object that is no longer orphaned", () => {
    const o = ipOrphan("ip1");
    expect(decide([], { ip1: mark(o, T0) }, at(700), limits).marks).to.deep.equal({});
  });

  it("treats a mark of another kind under the same id as new", () => {
    const o = ipOrphan("x1");
    const d = decide([o], { x1: { kind: "vnic", firstSeen: T0, reason: "InstanceNotANode" } }, at(700), limits);
    expect(d.newlyMarked.map((n) => n.id)).to.deep.equal(["x1"]);
    expect(d.toDelete).to.deep.equal([]);
  });

  it("caps deletions per run, oldest marks first, and leaves the rest marked for the next pass", () => {
    const orphans = ["ip1", "ip2", "ip3", "ip4"].map((id) => ipOrphan(id));
    const previous = {
      ip1: mark(orphans[0]!, at(-30)),
      ip2: mark(orphans[1]!, at(-10)),
      ip3: mark(orphans[2]!, at(-40)),
      ip4: mark(orphans[3]!, at(-20)),
    };
    const d = decide(orphans, previous, T0, { ...limits, gracePeriodSeconds: 0, maxDeletions: 2 });
    expect(d.toDelete.map((o) => o.id)).to.deep.equal(["ip3", "ip1"]);
    expect(d.skipped.filter((s) => s.reason.code === "DeletionCapReached").map((s) => s.id)).to.deep.equal([
      "ip4",
      "ip2",
    ]);
    expect(Object.keys(d.marks).sort()).to.deep.equal(["ip1", "ip2", "ip3", "ip4"]);
  });

  it("detaches a VNIC first and leaves its IPs to the detach, without counting them against the cap", () => {
    const v = vnicOrphan("att-1", "vnic-9");
    const onIt = [ipOrphan("ip1", "vnic-9"), ipOrphan("ip2", "vnic-9")];
    const elsewhere = ipOrphan("ip3", "vnic-1");
    const previous = Object.fromEntries([v, ...onIt, elsewhere].map((o) => [o.id, mark(o, at(-700))]));
    const d = decide([...onIt, elsewhere, v], previous, T0, { ...limits, maxDeletions: 2 });
    expect(d.toDelete.map((o) => o.id)).to.deep.equal(["att-1", "ip3"]);
    expect(
      d.skipped
        .filter((s) => s.reason.code === "GoesWithVnic")
        .map((s) => s.id)
        .sort(),
    ).to.deep.equal(["ip1", "ip2"]);
  });

  it("keeps at most maxMarks marks, the known ones first, and says which were not marked", () => {
    const known = ipOrphan("ip1");
    const d = decide([ipOrphan("ip2"), known, ipOrphan("ip3")], { ip1: mark(known, at(-5)) }, T0, {
      ...limits,
      maxMarks: 2,
    });
    expect(Object.keys(d.marks).sort()).to.deep.equal(["ip1", "ip2"]);
    expect(d.skipped.filter((s) => s.reason.code === "MarkLimit").map((s) => s.id)).to.deep.equal(["ip3"]);
  });
});
