/** Time left before a deadline, with the reserve kept for final writes. */
export class TimeBudget {
  constructor(
    private readonly deadline: Date,
    private readonly reserveMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The moment work other than the final writes must stop. */
  get workDeadline(): Date {
    return new Date(this.deadline.getTime() - this.reserveMs);
  }

  /** The hard deadline (for the final writes). */
  get hardDeadline(): Date {
    return this.deadline;
  }

  remainingMs(): number {
    return this.workDeadline.getTime() - this.now();
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
