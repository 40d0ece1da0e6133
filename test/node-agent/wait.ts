import { pollUntil } from "../support/poll";

/** Polls `check` every 5 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  await pollUntil(check, { what, timeoutMs, intervalMs: 5 });
}
