import { expect } from "chai";
import { LeaderElector } from "../../events/watcher/leader-election";
import { LeaseLockConflict, type LeaderRecord, type LeaseLock } from "../../events/watcher/adapters/lease-lock";
import { FakeScheduler } from "./fake-scheduler";

/** One Lease object shared by several replicas, with resourceVersion semantics. */
class FakeLeaseStore {
  record: LeaderRecord | undefined;
  version = 0;
  writes = 0;
}

/** One replica's view of the Lease: remembers the version it last read or wrote, as KubeLeaseLock does. */
class FakeLock implements LeaseLock {
  private seen = -1;
  /** When set, every call hangs forever (an API server that stopped answering). */
  hang = false;
  constructor(private readonly store: FakeLeaseStore) {}
  describe() {
    return "ocipam-system/ocipam-watcher-leader";
  }
  private gate(): Promise<void> {
    return this.hang ? new Promise<void>(() => undefined) : Promise.resolve();
  }
  async get() {
    await this.gate();
    if (!this.store.record) return undefined;
    this.seen = this.store.version;
    return { record: { ...this.store.record }, raw: String(this.store.version) };
  }
  async create(record: LeaderRecord) {
    await this.gate();
    if (this.store.record) throw new LeaseLockConflict("exists");
    this.store.record = { ...record };
    this.seen = ++this.store.version;
    this.store.writes++;
  }
  async update(record: LeaderRecord) {
    await this.gate();
    if (this.seen !== this.store.version) throw new LeaseLockConflict("stale");
    this.store.record = { ...record };
    this.seen = ++this.store.version;
    this.store.writes++;
  }
}

const LEASE = 15_000;
const RENEW = 10_000;
const RETRY = 2_000;

function replica(name: string, store: FakeLeaseStore, scheduler: FakeScheduler) {
  const lock = new FakeLock(store);
  const events: string[] = [];
  const elector = new LeaderElector({
    lock,
    identity: name,
    leaseDurationMs: LEASE,
    renewDeadlineMs: RENEW,
    retryPeriodMs: RETRY,
    scheduler,
    random: () => 0.5,
    onStartedLeading: () => events.push(`${scheduler.now()}:started`),
    onStoppedLeading: () => events.push(`${scheduler.now()}:stopped`),
  });
  return { lock, elector, events };
}

describe("leader election on a Lease", () => {
  it("lets the first replica create the Lease and lead while the second only watches", async () => {
    const scheduler = new FakeScheduler(0);
    const store = new FakeLeaseStore();
    const a = replica("a", store, scheduler);
    const b = replica("b", store, scheduler);
    a.elector.start();
    await scheduler.advance(1);
    b.elector.start();
    await scheduler.advance(60_000);
    expect(a.elector.isLeader()).to.equal(true);
    expect(b.elector.isLeader()).to.equal(false);
    expect(b.elector.leader()).to.equal("a");
    expect(store.record?.holderIdentity).to.equal("a");
    expect(store.record?.leaseDurationSeconds).to.equal(15);
    expect(a.events).to.deep.equal(["0:started"]);
    expect(b.events).to.deep.equal([]);
  });

  it("renews every retry period and keeps acquireTime and transitions while renewing", async () => {
    const scheduler = new FakeScheduler(0);
    const store = new FakeLeaseStore();
    const a = replica("a", store, scheduler);
    a.elector.start();
    await scheduler.advance(10 * RETRY);
    expect(store.writes).to.equal(11);
    expect(store.record).to.include({
      holderIdentity: "a",
      acquireTime: 0,
      renewTime: 10 * RETRY,
      leaseTransitions: 0,
    });
  });

  it(
    "lets a follower take over only once the record stayed unchanged for a " + "whole lease duration on its own clock",
    async () => {
      const scheduler = new FakeScheduler(0);
      const store = new FakeLeaseStore();
      const a = replica("a", store, scheduler);
      const b = replica("b", store, scheduler);
      a.elector.start();
      await scheduler.advance(1);
      b.elector.start();
      await scheduler.advance(5_000);
      // a's process freezes: no more renewals, no release.
      a.lock.hang = true;
      const frozenAt = scheduler.now();
      await scheduler.advance(LEASE - RETRY);
      expect(b.elector.isLeader()).to.equal(false, "too early: the lease may still be valid");
      await scheduler.advance(2 * RETRY + RETRY);
      expect(b.elector.isLeader()).to.equal(true);
      expect(store.record).to.include({ holderIdentity: "b", leaseTransitions: 1 });
      const started = Number(b.events[0]!.split(":")[0]);
      expect(started - frozenAt).to.be.at.least(LEASE - RETRY);
    },
  );

  it("makes a leader whose API calls hang stop leading when the renew deadline passes", async () => {
    const scheduler = new FakeScheduler(0);
    const store = new FakeLeaseStore();
    const a = replica("a", store, scheduler);
    a.elector.start();
    await scheduler.advance(RETRY);
    expect(a.elector.isLeader()).to.equal(true);
    const lastRenew = store.record!.renewTime;
    a.lock.hang = true;
    await scheduler.advance(RENEW - (scheduler.now() - lastRenew) - 1);
    expect(a.elector.isLeader()).to.equal(true);
    await scheduler.advance(1);
    expect(a.elector.isLeader()).to.equal(false);
    expect(a.events).to.deep.equal(["0:started", `${lastRenew + RENEW}:stopped`]);
  });

  it("steps down at once when it finds the Lease held by someone else", async () => {
    const scheduler = new FakeScheduler(0);
    const store = new FakeLeaseStore();
    const a = replica("a", store, scheduler);
    a.elector.start();
    await scheduler.advance(RETRY);
    // Somebody else wrote the Lease (e.g. an operator forced a handover).
    store.record = {
      holderIdentity: "intruder",
      leaseDurationSeconds: 15,
      acquireTime: scheduler.now(),
      renewTime: scheduler.now(),
      leaseTransitions: 1,
    };
    store.version++;
    await scheduler.advance(RETRY);
    expect(a.elector.isLeader()).to.equal(false);
    expect(a.elector.leader()).to.equal("intruder");
    expect(a.events).to.have.length(2);
  });

  it("releases the Lease on stop so the follower takes over at its next attempt", async () => {
    const scheduler = new FakeScheduler(0);
    const store = new FakeLeaseStore();
    const a = replica("a", store, scheduler);
    const b = replica("b", store, scheduler);
    a.elector.start();
    await scheduler.advance(1);
    b.elector.start();
    await scheduler.advance(10_000);
    const stopAt = scheduler.now();
    await a.elector.stop();
    expect(a.elector.isLeader()).to.equal(false);
    expect(store.record).to.include({ holderIdentity: "", leaseDurationSeconds: 1 });
    await scheduler.advance(1.2 * RETRY + 1);
    expect(b.elector.isLeader()).to.equal(true);
    expect(Number(b.events[0]!.split(":")[0]) - stopAt).to.be.below(LEASE);
  });

  it("lets exactly one of two candidates win an expired Lease", async () => {
    const scheduler = new FakeScheduler(0);
    const store = new FakeLeaseStore();
    store.record = {
      holderIdentity: "gone",
      leaseDurationSeconds: 1,
      acquireTime: 0,
      renewTime: 0,
      leaseTransitions: 3,
    };
    store.version = 7;
    const a = replica("a", store, scheduler);
    const b = replica("b", store, scheduler);
    a.elector.start();
    b.elector.start();
    await scheduler.advance(30_000);
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).to.have.length(1);
    expect(store.record?.leaseTransitions).to.equal(4);
  });

  it("refuses timings where renewing could outlive the lease", () => {
    const scheduler = new FakeScheduler(0);
    const lock = new FakeLock(new FakeLeaseStore());
    expect(
      () =>
        new LeaderElector({
          lock,
          identity: "a",
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
          retryPeriodMs: 2_000,
          scheduler,
        }),
    ).to.throw(RangeError);
    expect(
      () =>
        new LeaderElector({
          lock,
          identity: "a",
          leaseDurationMs: 15_000,
          renewDeadlineMs: 2_000,
          retryPeriodMs: 2_000,
          scheduler,
        }),
    ).to.throw(RangeError);
    expect(
      () =>
        new LeaderElector({
          lock,
          identity: "",
          leaseDurationMs: 15_000,
          renewDeadlineMs: 10_000,
          retryPeriodMs: 2_000,
          scheduler,
        }),
    ).to.throw(RangeError);
  });
});
