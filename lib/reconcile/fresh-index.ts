/**
 * An index built from one list call and reused while it is at most `maxAgeMs` old; callers that ask at the same time
 * share one list in flight. What one invocation's reconciles share (lib/reconcile/used-addresses.ts,
 * node-directory.ts): a list per invocation instead of one per question.
 */
export class FreshIndex<T> {
  private snapshot: { at: number; index: T } | undefined;
  private pending: Promise<T> | undefined;

  constructor(
    private readonly build: () => Promise<T>,
    private readonly now: () => number,
    private readonly maxAgeMs: number,
  ) {}

  /** The index, listed again when the last one is older than the maximum age. */
  async get(): Promise<T> {
    if (this.snapshot && this.now() - this.snapshot.at <= this.maxAgeMs) return this.snapshot.index;
    this.pending ??= this.build()
      .then((index) => {
        this.snapshot = { at: this.now(), index };
        return index;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
