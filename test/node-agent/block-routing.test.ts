import { expect } from "chai";
import { desiredRouting } from "../../lib/node-agent/desired-routing";
import { CONFIG, VNICS, ipam } from "./fixtures";

const SECOND = "ocid1.vnic.oc1..second";
const THIRD = "ocid1.vnic.oc1..third";
const PRIMARY = "ocid1.vnic.oc1..primary";
const block = (from: number, n: number) => Array.from({ length: n }, (_, i) => `10.0.1.${from + i}`);

describe("node agent routing for IP CIDR blocks: one rule per block, not per address", () => {
  const rows: Array<{
    what: string;
    pool: Record<string, string>;
    hostIps?: string[];
    prefix?: number;
    rules: string[];
  }> = [
    {
      what: "gives the offered addresses of a /28 block on a secondary VNIC one ingress and one egress rule",
      pool: Object.fromEntries(block(16, 8).map((a) => [a, SECOND])),
      rules: ["20 to 10.0.1.16/28 main", "111 from 10.0.1.16/28 11"],
    },
    {
      what: "gives two blocks two rule pairs",
      pool: Object.fromEntries([...block(16, 3), ...block(48, 2)].map((a) => [a, SECOND])),
      rules: [
        "20 to 10.0.1.16/28 main",
        "111 from 10.0.1.16/28 11",
        "20 to 10.0.1.48/28 main",
        "111 from 10.0.1.48/28 11",
      ],
    },
    {
      what: "keeps per-address rules without block mode",
      pool: { "10.0.1.16": SECOND, "10.0.1.17": SECOND },
      prefix: 32,
      rules: [
        "20 to 10.0.1.16/32 main",
        "111 from 10.0.1.16/32 11",
        "20 to 10.0.1.17/32 main",
        "111 from 10.0.1.17/32 11",
      ],
    },
    {
      what: "falls back to per-address rules when another VNIC has an address inside the same block",
      // 10.0.1.17 is outside THIRD's subnet, so it is not routed, but it still keeps 10.0.1.16/28 from being one rule.
      pool: { "10.0.1.16": SECOND, "10.0.1.17": THIRD },
      rules: ["20 to 10.0.1.16/32 main", "111 from 10.0.1.16/32 11"],
    },
    {
      what: "falls back to per-address rules when the VNIC's own primary address is inside the block",
      pool: { "10.0.1.11": SECOND },
      rules: ["20 to 10.0.1.11/32 main", "111 from 10.0.1.11/32 11"],
    },
    {
      what: "keeps a host address (cilium_host) out of the ingress rules but inside the block's egress rule",
      pool: Object.fromEntries(block(16, 3).map((a) => [a, SECOND])),
      hostIps: ["10.0.1.16"],
      rules: ["20 to 10.0.1.17/32 main", "20 to 10.0.1.18/32 main", "111 from 10.0.1.16/28 11"],
    },
    {
      what: "needs no rule for a block on the primary VNIC",
      pool: { "10.0.0.16": PRIMARY, "10.0.0.17": PRIMARY },
      rules: [],
    },
  ];
  for (const r of rows) {
    it(r.what, () => {
      const d = desiredRouting(
        VNICS,
        ipam(r.pool),
        { ...CONFIG, blockPrefixLength: r.prefix ?? 28 },
        new Set(r.hostIps ?? []),
      );
      const text = d.rules.map(
        (x) => `${x.priority} ${x.from ? `from ${x.from}` : `to ${x.to}`} ${x.table === 254 ? "main" : x.table}`,
      );
      expect(text).to.deep.equal(r.rules);
    });
  }
});
