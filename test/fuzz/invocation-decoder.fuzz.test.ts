import { expect } from "chai";
import { decodeInvocationBody, REJECT_REASONS, type InvocationDecodeResult } from "../../events/contracts";
import { Hostile, MALFORMED_JSON, prng } from "./hostile";
import {
  asMessage,
  badMessage,
  badNudge,
  badOciEvent,
  type BadRecord,
  type Expectation,
  validRecord,
  validStreamRecord,
  type ValidRecord,
} from "./records";

/**
 * Volume fuzzing of the function's one input decoder (events/contracts decodeInvocationBody), in process: thousands of
 * bodies and batches mixing valid records with hostile ones. Every case states the seed and case number it came from.
 */

const SEED = 9001;

function checkRejection(
  rejected: InvocationDecodeResult["rejected"][number],
  expectation: Expectation,
  context: string,
): void {
  expect(REJECT_REASONS, `${context}: a known reason`).to.include(rejected.reason);
  expect(expectation.reasons, `${context}: reason for ${expectation.what} (${rejected.message})`).to.include(
    rejected.reason,
  );
  expect(
    expectation.fields.some(
      (f) => rejected.field === f || rejected.field.startsWith(`${f}/`) || (f === "" && rejected.field !== undefined),
    ),
    `${context}: field ${JSON.stringify(rejected.field)} names what was ` +
      `wrong in ${expectation.what} (expected under ` +
      `${expectation.fields.join(" or ")})`,
  ).to.equal(true);
  expect(rejected.message, `${context}: a message for humans`).to.be.a("string").and.have.length.greaterThan(5);
  if (expectation.planted)
    expect(
      rejected.message.includes(expectation.planted),
      `${context}: the message does not repeat the hostile input`,
    ).to.equal(false);
}

function checkRecord(decoded: InvocationDecodeResult["records"][number], valid: ValidRecord, context: string): void {
  expect(decoded.kind, context).to.equal(valid.kind);
  if (valid.kind === "nudge" && decoded.kind === "nudge") expect(decoded.node, context).to.equal(valid.node);
  if (valid.kind === "cluster" && decoded.kind === "cluster") expect(decoded.cluster, context).to.equal(valid.cluster);
  if (valid.kind === "instance-event" && decoded.kind === "instance-event") {
    expect(decoded.instanceId, context).to.equal(valid.instanceId);
    expect(decoded.compartmentId, context).to.equal(valid.compartmentId);
  }
}

describe("fuzzing the invocation decoder (in process)", function () {
  this.timeout(60_000);
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  afterEach(() => {
    // A hostile "__proto__" must never reach Object.prototype.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it(
    "rejects each hostile event sent alone as the body with one rejection " +
      "naming the bad field, and decodes nothing from it",
    () => {
      const h = new Hostile(prng(SEED));
      let rejectedCount = 0;
      for (let i = 0; i < 800; i++) {
        const bad: BadRecord = h.chance(0.6) ? badNudge(h) : badOciEvent(h);
        const context = `seed ${SEED} case ${i}`;
        const result = decodeInvocationBody(bad.value);
        if (bad.mayAccept && result.rejected.length === 0) {
          expect(result.records, context).to.have.length(1);
          continue;
        }
        expect(result.records, `${context}: ${bad.what}`).to.deep.equal([]);
        expect(result.rejected, `${context}: ${bad.what}`).to.have.length(1);
        expect(result.rejected[0]!.index).to.equal(0);
        checkRejection(result.rejected[0]!, bad, context);
        rejectedCount++;
      }
      expect(rejectedCount).to.be.greaterThan(600);
    },
  );

  it(
    "in a Connector Hub batch, rejects exactly the hostile messages and " + "still decodes every valid one, in order",
    () => {
      const h = new Hostile(prng(SEED + 1));
      let valids = 0;
      let bads = 0;
      for (let i = 0; i < 400; i++) {
        const context = `seed ${SEED + 1} batch ${i}`;
        const entries: Array<{ valid: ValidRecord } | { bad: BadRecord }> = [];
        const batch: unknown[] = [];
        for (let j = h.int(1, 12); j > 0; j--) {
          const offset = batch.length + 100 * i;
          if (h.chance(0.45)) {
            const valid = validStreamRecord(h);
            entries.push({ valid });
            batch.push(asMessage(valid, offset));
          } else {
            const bad = badMessage(h, offset);
            entries.push({ bad });
            batch.push(bad.value);
          }
        }
        // fdk hands over parsed JSON, a string (a body it could not parse) or a Buffer: all three must decode alike.
        const form = h.int(0, 2);
        const body = form === 0 ? batch : form === 1 ? JSON.stringify(batch) : Buffer.from(JSON.stringify(batch));
        const result = decodeInvocationBody(body);
        const validIdx = entries.flatMap((e, idx) => ("valid" in e ? [idx] : []));
        const badIdx = entries.flatMap((e, idx) => ("bad" in e && !e.bad.mayAccept ? [idx] : []));
        expect(
          result.records.map((r) => r.index),
          `${context}: the valid records, in order`,
        ).to.include.members(validIdx);
        expect(
          result.rejected.map((r) => r.index),
          `${context}: the hostile records`,
        ).to.include.members(badIdx);
        expect(result.records.length + result.rejected.length, context).to.equal(entries.length);
        for (const r of result.records) {
          const e = entries[r.index]!;
          if ("valid" in e) {
            checkRecord(r, e.valid, `${context} record ${r.index}`);
            valids++;
          } else expect(e.bad.mayAccept, `${context} record ${r.index}: ${e.bad.what} was accepted`).to.equal(true);
        }
        for (const r of result.rejected) {
          const e = entries[r.index]!;
          expect(
            "bad" in e,
            `${context} record ${r.index}: a valid record was rejected (${r.reason} ${r.field}: ${r.message})`,
          ).to.equal(true);
          if ("bad" in e) {
            checkRejection(r, e.bad, `${context} record ${r.index}`);
            bads++;
          }
          // The stream position of a rejected record is kept when it had the right type, so it can be found again.
          const original = batch[r.index] as { offset?: unknown } | undefined;
          if (
            original &&
            typeof original === "object" &&
            typeof original.offset === "number" &&
            Number.isSafeInteger(original.offset) &&
            original.offset >= 0
          )
            expect(r.offset).to.equal(original.offset);
        }
      }
      expect(valids).to.be.greaterThan(500);
      expect(bads).to.be.greaterThan(800);
    },
  );

  it(
    "answers one InvalidJson, InvalidUtf8 or SchemaViolation rejection for " +
      "a body that is not a usable JSON document",
    () => {
      const h = new Hostile(prng(SEED + 2));
      const bodies: unknown[] = [
        ...MALFORMED_JSON,
        ...MALFORMED_JSON.map((t) => Buffer.from(t)),
        Buffer.from([0xff, 0xfe, 0xfd]),
        Buffer.from([0xed, 0xa0, 0x80]),
        null,
        42,
        true,
        '"just a string"',
        "[]".repeat(3),
      ];
      for (let i = 0; i < 300; i++)
        bodies.push(
          h.chance(0.5)
            ? h.randomCodeUnits(200)
            : Buffer.from(Array.from({ length: h.int(1, 64) }, () => h.int(0, 255))),
        );
      bodies.forEach((body, i) => {
        const result = decodeInvocationBody(body);
        const context = `seed ${SEED + 2} body ${i}`;
        if (result.rejected.length === 0) {
          // A random text can be JSON (e.g. a number or an empty array): then it decodes to no records or is rejected
          // as
          // a whole.
          expect(result.records, context).to.deep.equal([]);
          return;
        }
        expect(result.rejected.length, context).to.be.at.least(1);
        for (const r of result.rejected)
          expect(
            [
              "InvalidJson",
              "InvalidUtf8",
              "SchemaViolation",
              "UnsupportedEventType",
              "Oversize",
              "InvalidBase64",
              "KeyMismatch",
            ],
            context,
          ).to.include(r.reason);
        expect(result.records, context).to.deep.equal([]);
      });
    },
  );

  it("stops decoding at the record cap and rejects the rest as Oversize, whatever they contain", () => {
    const h = new Hostile(prng(SEED + 3));
    const batch = Array.from({ length: 1200 }, (_, i) => (h.chance(0.5) ? asMessage(validRecord(h), i) : h.value()));
    const result = decodeInvocationBody(batch, { maxRecords: 1000 });
    expect(result.records.length + result.rejected.length).to.equal(1200);
    const over = result.rejected.filter((r) => r.index >= 1000);
    expect(over).to.have.length(200);
    expect(over.every((r) => r.reason === "Oversize")).to.equal(true);
  });
});
