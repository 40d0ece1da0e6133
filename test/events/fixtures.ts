import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RejectReason } from "../../events/contracts";

/** One fixture file under test/fixtures/events/{valid,invalid}: a body and what decoding it must give. */
export interface EventFixture {
  file: string;
  /** A behaviour sentence, used as the test name. */
  description: string;
  /** Where the payload (or its layout) comes from, for copied real examples. */
  source?: string;
  body: unknown;
  expect: {
    /** Each entry is a subset of the decoded record at the same position. */
    records: Record<string, unknown>[];
    /** Each entry lists index, reason, field and, when given, offset/partition of the rejection. */
    rejected: { index: number; reason: RejectReason; field: string; offset?: number; partition?: string }[];
  };
}

export const FIXTURE_DIR = join(__dirname, "..", "fixtures", "events");

export function loadFixtures(kind: "valid" | "invalid"): EventFixture[] {
  const dir = join(FIXTURE_DIR, kind);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), "utf8")) as Omit<EventFixture, "file">) }));
}
