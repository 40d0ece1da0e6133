import { clone, type JsonObject } from "./json";
import { statusErrors } from "./status";

/**
 * The emulator's etcd: every object of every kind under one global, strictly increasing revision (what
 * resourceVersion is on a real cluster), plus a bounded history of changes that serves watches from a past
 * resourceVersion and consistent snapshots for paged lists. Pure storage: no validation and no semantics, all
 * of which live in the operations layer. Single-threaded JavaScript makes every method atomic.
 */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  rv: number;
  type: WatchEventType;
  typeKey: string;
  /** namespace/name, or name for cluster-scoped objects. */
  key: string;
  /** The object after the change (for DELETED: its last state, with the deletion's resourceVersion). */
  object: JsonObject;
  /** The object before the change (absent for ADDED). */
  previous?: JsonObject;
}

export type StorageListener = (event: StoredEvent) => void;

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class Storage {
  private revision: number;
  private readonly data = new Map<string, Map<string, JsonObject>>();
  private readonly history: StoredEvent[] = [];
  /** Oldest resourceVersion from which the history is complete: changes after it are all retained. */
  private floor: number;
  private readonly listeners = new Set<StorageListener>();

  /**
   * @param historyLimit how many changes to retain (the watch cache capacity); older ones are compacted and a
   *   watch or continue token from before them answers 410.
   * @param initialRevision the first resourceVersion minus one; a real cluster's revision never starts at 0.
   */
  constructor(
    private historyLimit: number,
    initialRevision = 0,
  ) {
    this.revision = initialRevision;
    this.floor = initialRevision;
  }

  /** The current global resourceVersion. */
  currentRevision(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch or snapshot may start from. */
  compactedRevision(): number {
    return this.floor;
  }

  /** A copy of the object stored under `key` (namespace/name or name), undefined when absent. */
  get(typeKey: string, key: string): JsonObject | undefined {
    const obj = this.data.get(typeKey)?.get(key);
    return obj ? clone(obj) : undefined;
  }

  /** All objects of a kind now, sorted by key (namespace/name), as etcd returns a prefix range. */
  list(typeKey: string): Array<{ key: string; object: JsonObject }> {
    const bucket = this.data.get(typeKey);
    if (!bucket) return [];
    return [...bucket.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, object]) => ({ key, object: clone(object) }));
  }

  /**
   * The objects of a kind as they were at resourceVersion `rv` (an MVCC read, what a continue token or
   * resourceVersionMatch=Exact asks for). Throws 410 Expired when `rv` predates the retained history.
   */
  listAt(typeKey: string, rv: number, expiredMessage: string): Array<{ key: string; object: JsonObject }> {
    if (rv < this.floor) throw statusErrors.expired(expiredMessage);
    const state = new Map(this.list(typeKey).map((e) => [e.key, e.object] as const));
    for (let i = this.history.length - 1; i >= 0 && this.history[i].rv > rv; i--) {
      const ev = this.history[i];
      if (ev.typeKey !== typeKey) continue;
      if (ev.previous) state.set(ev.key, clone(ev.previous));
      else state.delete(ev.key);
    }
    return [...state.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, object]) => ({ key, object }));
  }

  /** Changes strictly after `rv`, oldest first. Throws the watch cache's 410 when `rv` is too old. */
  eventsSince(rv: number): StoredEvent[] {
    if (rv < this.floor) {
      // cacher/watch_cache.go getAllEventsSinceLocked: "too old resource version: %d (%d)".
      throw statusErrors.expired(`too old resource version: ${rv} (${this.floor})`);
    }
    return this.history
      .filter((e) => e.rv > rv)
      .map((e) => ({ ...e, object: clone(e.object), previous: e.previous && clone(e.previous) }));
  }

  /**
   * Commits a create, update or delete: assigns the next resourceVersion to the object (metadata.resourceVersion
   * is set here, like etcd's mod revision), records the change and notifies listeners synchronously.
   * Returns the stored object.
   */
  commit(type: WatchEventType, typeKey: string, key: string, object: JsonObject, previous?: JsonObject): JsonObject {
    this.revision += 1;
    const stored = clone(object);
    const meta = (stored.metadata ?? {}) as JsonObject;
    meta.resourceVersion = String(this.revision);
    stored.metadata = meta;
    let bucket = this.data.get(typeKey);
    if (!bucket) {
      bucket = new Map();
      this.data.set(typeKey, bucket);
    }
    if (type === "DELETED") bucket.delete(key);
    else bucket.set(key, stored);
    const event: StoredEvent = {
      rv: this.revision,
      type,
      typeKey,
      key,
      object: stored,
      previous: previous && clone(previous),
    };
    this.history.push(event);
    this.trim();
    for (const listener of [...this.listeners]) {
      // A failing listener (e.g. a watch whose client vanished) must not fail the write that triggered it.
      try {
        listener({ ...event, object: clone(stored), previous: event.previous && clone(event.previous) });
      } catch {
        // ignored on purpose
      }
    }
    return clone(stored);
  }

  /** Registers a listener for every committed change; returns the function that removes it. */
  subscribe(listener: StorageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Forgets history up to `rv` (default: everything), like an etcd compaction plus a watch cache that has
   * rolled over: watches and continue tokens from before `rv` then answer 410.
   */
  compact(rv = this.revision): void {
    const target = Math.min(rv, this.revision);
    while (this.history.length > 0 && this.history[0].rv <= target) this.history.shift();
    this.floor = Math.max(this.floor, target);
  }

  /** Changes the retained history size (the watch cache capacity). */
  setHistoryLimit(limit: number): void {
    this.historyLimit = limit;
    this.trim();
  }

  private trim(): void {
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.floor = Math.max(this.floor, dropped.rv);
    }
  }
}
