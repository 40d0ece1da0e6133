import { expect } from "chai";
import {
  calculateExcessIps,
  calculateNeededIps,
  effectiveMaxAllocate,
  effectivePreAllocate,
  nodeMaximumIps,
  nodeMinimumIps,
  surgeAllocation,
} from "../../../lib/core/formulas";

describe("Cilium watermark formulas", () => {
  describe("calculateNeededIps", () => {
    // Rows of cilium/cilium pkg/ipam/node_test.go `neededDef`: {available, used, pre, min, max, result}.
    const ciliumRows: Array<[number, number, number, number, number, number]> = [
      [0, 0, 0, 16, 0, 16],
      [0, 0, 8, 16, 0, 16],
      [0, 0, 16, 8, 0, 16],
      [0, 0, 16, 0, 0, 16],
      [8, 0, 0, 16, 0, 8],
      [8, 4, 8, 0, 0, 4],
      [8, 4, 8, 8, 0, 4],
      [8, 4, 8, 8, 6, 0],
      [8, 4, 8, 0, 8, 0],
      [4, 4, 8, 0, 8, 4],
    ];
    for (const [available, used, pre, min, max, result] of ciliumRows) {
      it(
        `matches Cilium's row available=${available} used=${used} pre=${pre} ` + `min=${min} max=${max} → ${result}`,
        () => {
          expect(calculateNeededIps(available, used, pre, min, max)).to.equal(result);
        },
      );
    }
    const branches: Array<[string, [number, number, number, number, number], number]> = [
      ["keeps pre-allocate IPs free above what is used", [10, 8, 8, 0, 0], 6],
      ["raises the need to reach min-allocate when that asks for more", [2, 0, 4, 10, 0], 8],
      ["ignores min-allocate when pre-allocate already asks for more", [2, 2, 8, 4, 0], 8],
      ["caps the need so the pool never passes max-allocate", [20, 18, 8, 0, 24], 4],
      ["never returns a negative need when the pool is already above max-allocate", [30, 0, 8, 0, 24], 0],
      ["returns zero when more than pre-allocate IPs are free", [20, 2, 8, 0, 0], 0],
    ];
    for (const [name, args, result] of branches) it(name, () => expect(calculateNeededIps(...args)).to.equal(result));
  });

  describe("calculateExcessIps", () => {
    // Rows of cilium/cilium pkg/ipam/node_test.go `excessDef` (commit 1286c38): {available, used, pre, min, maxAbove,
    // result}.
    const ciliumRows: Array<[number, number, number, number, number, number]> = [
      [0, 0, 0, 16, 0, 0],
      [15, 0, 8, 16, 8, 0],
      [17, 0, 8, 16, 0, 9],
      [20, 0, 8, 16, 4, 0],
      [21, 0, 8, 0, 4, 9],
      [20, 0, 8, 20, 8, 0],
      [16, 1, 8, 16, 8, 0],
      [20, 4, 8, 17, 8, 0],
      [20, 4, 8, 0, 0, 8],
      [20, 4, 8, 0, 8, 0],
    ];
    for (const [available, used, pre, min, maxAbove, result] of ciliumRows) {
      it(
        `matches Cilium's row available=${available} used=${used} pre=${pre} ` +
          `min=${min} maxAbove=${maxAbove} → ${result}`,
        () => {
          expect(calculateExcessIps(available, used, pre, min, maxAbove)).to.equal(result);
        },
      );
    }
    it("follows the classic formula where Cilium main now answers 1 (available 17, min 16): 9 excess", () => {
      // Cilium main returns available - (min + maxAbove) = 1 when used + pre <= min + maxAbove; the design keeps the
      // classic formula, so this row documents the one place the two differ.
      expect(calculateExcessIps(17, 0, 8, 16, 0)).to.equal(9);
    });
    const branches: Array<[string, [number, number, number, number, number], number]> = [
      [
        "reports nothing while both used and available stay within min-allocate + max-above-watermark",
        [12, 12, 8, 10, 2],
        0,
      ],
      [
        "counts what is beyond used + pre-allocate + max-above-watermark once usage passed the initial allocation",
        [40, 20, 8, 0, 2],
        10,
      ],
      ["never returns a negative excess", [10, 9, 8, 0, 0], 0],
    ];
    for (const [name, args, result] of branches) it(name, () => expect(calculateExcessIps(...args)).to.equal(result));
  });

  describe("limits and defaults", () => {
    it("uses Cilium's default pre-allocate of 8 when the spec has 0 or nothing", () => {
      expect(effectivePreAllocate(undefined)).to.equal(8);
      expect(effectivePreAllocate(0)).to.equal(8);
      expect(effectivePreAllocate(3)).to.equal(3);
    });
    it("computes the node maximum from usable VNIC slots times IPs per VNIC", () => {
      expect(nodeMaximumIps(2, 0, 31)).to.equal(62);
      expect(nodeMaximumIps(8, 1, 31)).to.equal(217);
      expect(nodeMaximumIps(256, 0, 31)).to.equal(7936);
    });
    it("reports a node maximum of zero when first-interface-index leaves no usable slot", () => {
      expect(nodeMaximumIps(1, 1, 31)).to.equal(0);
      expect(nodeMaximumIps(2, 5, 31)).to.equal(0);
    });
    it("writes min(8, capacity) as the pre-allocate of a node that has none", () => {
      expect(nodeMinimumIps(2, 0, 31)).to.equal(8);
      expect(nodeMinimumIps(2, 1, 4)).to.equal(4);
      expect(nodeMinimumIps(1, 1, 31)).to.equal(0);
    });
    it("uses max-allocate from the spec when set, else the node maximum", () => {
      expect(effectiveMaxAllocate(undefined, 62)).to.equal(62);
      expect(effectiveMaxAllocate(0, 62)).to.equal(62);
      expect(effectiveMaxAllocate(20, 62)).to.equal(20);
    });
    it("surges by the pending pods beyond what is already needed", () => {
      expect(surgeAllocation(12, 8)).to.equal(4);
      expect(surgeAllocation(3, 8)).to.equal(0);
    });
  });
});
