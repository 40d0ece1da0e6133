import { expect } from "chai";

/**
 * The one error-capture helper of the test tree: "this must throw; give me the error to assert on". Replaces the
 * try { …; expect.fail } catch (err) { return err } copies, which go wrong when their own expect.fail is
 * caught.
 */

/** The error `fn` throws or rejects with; fails the test (naming `what`) when it returns normally. */
export async function caught<E = Error>(fn: () => unknown, what = "the call"): Promise<E> {
  let outcome: { threw: true; err: unknown } | { threw: false };
  try {
    await fn();
    outcome = { threw: false };
  } catch (err) {
    outcome = { threw: true, err };
  }
  if (!outcome.threw) expect.fail(`expected ${what} to fail, but it succeeded`);
  return outcome.err as E;
}

/** The error a synchronous `fn` throws; fails the test when it returns normally. */
export function caughtSync<E = Error>(fn: () => unknown, what = "the call"): E {
  try {
    fn();
  } catch (err) {
    return err as E;
  }
  return expect.fail(`expected ${what} to fail, but it succeeded`);
}
