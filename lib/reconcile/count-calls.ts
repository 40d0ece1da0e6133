/**
 * Wraps a port so that every method call is counted under `<prefix>.<method>` (e.g. `oci.createPrivateIp`), for the
 * per-node "API calls" of the function's result and summary log line. The port itself is untouched.
 */
export function countCalls<T extends object>(port: T, prefix: string, counts: Record<string, number>): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        const key = `${prefix}.${property}`;
        counts[key] = (counts[key] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
