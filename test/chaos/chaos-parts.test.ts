import { expect } from "chai";
import { deletionChecks, staleChecks, type DeletionSummary } from "./chaos-checks";
import { DeletionLedger, type Disappearance } from "./deletion-ledger";
import type { StaleOverlap } from "./node-churn";
import type { StaleFinding } from "./sampler";
import type { WorldView } from "./world-view";

const tags = (node: string) => ({ "ocipam-cluster": "local", "ocipam-node": node });

interface WorldOptions {
  ip: boolean;
  vnicState?: string;
  instanceState?: string;
  vnic?: boolean;
}

/** A world with one instance, its VNIC and (optionally) the IP 10.0.1.5 of node n1 on it. */
function world(opts: WorldOptions): WorldView {
  const ip = { id: "ip1", ipAddress: "10.0.1.5", vnicId: "v1", isPrimary: false, freeformTags: tags("n1") };
  const vnic = {
    id: "v1",
    instanceId: "i1",
    isPrimary: true,
    lifecycleState: opts.vnicState ?? "AVAILABLE",
    freeformTags: {},
    secondaryIpCount: 0,
  };
  return {
    privateIps: opts.ip ? [ip] : [],
    vnics: opts.vnic === false ? [] : [vnic],
    vnicAttachments: [],
    instances: [{ id: "i1", lifecycleState: opts.instanceState ?? "RUNNING" }],
  };
}

describe("chaos deletion ledger", () => {
  const gone = { ip: false };
  type Row = { name: string; after: WorldOptions; handshakeAtMs?: number; outOfBand?: boolean; how: Disappearance };
  const rows: Row[] = [
    {
      name: "an IP the agent answered ready-for-release for is a release",
      after: gone,
      handshakeAtMs: 2_000,
      how: "release",
    },
    { name: "an IP never in the handshake is the collector's", after: gone, how: "collector" },
    {
      name: "a handshake older than the IP (address reused) is no release",
      after: gone,
      handshakeAtMs: 500,
      how: "collector",
    },
    {
      name: "the operator's own delete is out of band",
      after: gone,
      handshakeAtMs: 2_000,
      outOfBand: true,
      how: "out-of-band",
    },
    {
      name: "an IP whose VNIC is detaching went with the VNIC",
      after: { ...gone, vnicState: "DETACHING" },
      how: "with-vnic",
    },
    { name: "an IP whose VNIC vanished went with the VNIC", after: { ...gone, vnic: false }, how: "with-vnic" },
    {
      name: "an IP of a terminating instance went with it",
      after: { ...gone, instanceState: "TERMINATING" },
      how: "with-instance",
    },
  ];
  for (const row of rows) {
    it(`classifies: ${row.name}`, () => {
      const ledger = new DeletionLedger(() => row.outOfBand === true);
      ledger.observeWorld(world({ ip: true }), 1_000);
      if (row.handshakeAtMs !== undefined) {
        ledger.observeCiliumNode("n1", { "10.0.1.5": "ready-for-release" }, row.handshakeAtMs);
      }
      ledger.observeCiliumNode("n1", { "10.0.1.5": "marked-for-release" }, 2_500);
      expect(ledger.observeWorld(world(row.after), 3_000)).to.deep.equal([{ id: "ip1", how: row.how }]);
      expect(ledger.counts[row.how]).to.equal(1);
      expect(ledger.observeWorld(world(row.after), 4_000)).to.deep.equal([]);
    });
  }
});

const summary = (over: Partial<DeletionSummary>): DeletionSummary => ({
  releasedThroughHandshake: 3,
  collectorIps: 2,
  collectorVnicDetaches: 0,
  outOfBandIps: 1,
  outOfBandVnicDetaches: 0,
  ipsGoneWithDetachedVnic: 0,
  ipsGoneWithTerminatedInstance: 0,
  allocatorDeletePrivateIp: 5,
  collectorPasses: 6,
  collectorPassesUnderChaos: 4,
  collectLeaksNudgesDelivered: 6,
  orphanedInstances: 1,
  orphanedInstancesWithObjects: 1,
  ...over,
});

describe("chaos checks that cannot pass vacuously", () => {
  const rows: Array<{ name: string; over: Partial<DeletionSummary>; ok: boolean; says?: RegExp }> = [
    { name: "release and collection both deleted", over: {}, ok: true },
    {
      name: "release on but nothing released",
      over: { releasedThroughHandshake: 0 },
      ok: false,
      says: /no IP was released/,
    },
    {
      name: "the collector ran once under chaos",
      over: { collectorPassesUnderChaos: 1 },
      ok: false,
      says: /ran 1 time/,
    },
    {
      name: "an orphan with objects, nothing collected",
      over: { collectorIps: 0 },
      ok: false,
      says: /deleted nothing/,
    },
    {
      name: "an orphan whose VNIC the collector detached",
      over: { collectorIps: 0, collectorVnicDetaches: 1 },
      ok: true,
    },
    {
      name: "an orphan without objects needs no collection",
      over: { collectorIps: 0, orphanedInstancesWithObjects: 0 },
      ok: true,
    },
  ];
  for (const row of rows) {
    it(`deletion check: ${row.name} → ${row.ok ? "PASS" : "FAIL"}`, () => {
      const [check] = deletionChecks(summary(row.over), { releaseOn: true });
      expect(check!.ok, check!.detail).to.equal(row.ok);
      if (row.says) expect(check!.detail).to.match(row.says);
    });
  }

  const overlap: StaleOverlap = {
    staleNode: "n1-stale-1",
    node: "n1",
    instanceId: "i1",
    fromSimMs: 20_000,
    toSimMs: 60_000,
    nudgeHandled: true,
  };
  const finding = (over: Partial<StaleFinding>): StaleFinding => ({
    staleNode: "n1-stale-1",
    node: "n1",
    refusedAtSimS: 30,
    strictFromSimS: 33,
    created: [],
    deleted: [],
    vnicsAttached: 0,
    staleNodeGotIps: false,
    ...over,
  });
  const staleRows: Array<{ name: string; f: Partial<StaleFinding>; ok: boolean }> = [
    { name: "refused, then nothing changed", f: {}, ok: true },
    { name: "refused, deleted before another invocation", f: { strictFromSimS: undefined }, ok: true },
    {
      name: "never refused while both Nodes existed",
      f: { refusedAtSimS: undefined, strictFromSimS: undefined },
      ok: false,
    },
    { name: "an IP created on the shared instance", f: { created: ["10.0.1.9"] }, ok: false },
    { name: "an IP deleted on the shared instance", f: { deleted: ["10.0.1.9"] }, ok: false },
    { name: "a VNIC attached to the shared instance", f: { vnicsAttached: 1 }, ok: false },
    { name: "the stale node got a pool", f: { staleNodeGotIps: true }, ok: false },
  ];
  for (const row of staleRows) {
    it(`stale-node check: ${row.name} → ${row.ok ? "PASS" : "FAIL"}`, () => {
      const [check] = staleChecks(new Map([["n1-stale-1", finding(row.f)]]), [overlap]);
      expect(check!.ok, check!.detail).to.equal(row.ok);
    });
  }
  it("says a stale-node check was not exercised rather than claiming what it did not see", () => {
    expect(staleChecks(new Map(), [])[0]!.detail).to.match(/not exercised/);
  });
  it("fails a stale Node whose nudge no invocation handled: the allocator never had the chance to refuse", () => {
    const never = finding({ refusedAtSimS: undefined, strictFromSimS: undefined });
    const [check] = staleChecks(new Map([["n1-stale-1", never]]), [{ ...overlap, nudgeHandled: false }]);
    expect(check!.ok).to.equal(false);
    expect(check!.detail).to.match(/not exercised/);
  });
});
