/**
 * Fault injection for the fakes, per port method: a test says "the next 2 createPrivateIp calls fail with this error"
 * and the fake throws it before touching its world, so a failed call changes nothing, as a refused request does.
 */
export interface FaultRule {
  /** The error to throw; a function builds a fresh one per call (errors carry stack and request ids). */
  error: Error | (() => Error);
  /** How many calls fail (default: every call until cleared). */
  times?: number;
  /** Only calls whose first argument passes this (e.g. one VNIC, one node). */
  when?: (...args: unknown[]) => boolean;
}

export class Faults {
  private readonly rules = new Map<string, FaultRule[]>();
  /** Every call the fakes saw, in order, as `<port>.<method>` (what a test asserts "was never called" on). */
  readonly calls: string[] = [];

  /** Makes calls of `method` (e.g. "createPrivateIp", "writePool") fail as the rule says. */
  inject(method: string, rule: FaultRule): void {
    this.rules.set(method, [...(this.rules.get(method) ?? []), { ...rule }]);
  }

  clear(method?: string): void {
    if (method) this.rules.delete(method);
    else this.rules.clear();
  }

  /** How many calls of `<port>.<method>` were made. */
  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }

  /** Called by every fake method first: records the call and throws the injected fault, if one applies. */
  check(port: string, method: string, args: unknown[]): void {
    this.calls.push(`${port}.${method}`);
    const rules = this.rules.get(method);
    const rule = rules?.find((r) => (r.times === undefined || r.times > 0) && (!r.when || r.when(...args)));
    if (!rule) return;
    if (rule.times !== undefined) rule.times--;
    throw typeof rule.error === "function" ? rule.error() : rule.error;
  }
}
