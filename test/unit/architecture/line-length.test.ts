import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Every tracked source line is at most 120 characters (characters, not bytes), as Biome formats them. The lines below
 * are what no formatter can wrap without rewriting them — long regexes, JSON fixtures of `ip -json` output, nested
 * template literals, a documentation URL — each named by its file and how it starts, so that any new long line fails.
 * Shortening them is a cleanup that may come; adding to the list needs a reason as good.
 */
const MAX = 120;
const REPO = join(__dirname, "..", "..", "..");
const ALLOWED: ReadonlyArray<[string, string]> = [
  ["functions/build/precompiled-validators.ts", 'throw new Error("addFormats(" + JSON.stringify(f'],
  ["lib/cli/commands/local.ts", 'require("../../testbed/local/simulation/scenario'],
  ["lib/plan/explain.ts", "`${action.thenBlocks ? `create ${action.thenBloc"],
  ["lib/testbed/iam/policy.ts", "/^\\s*allow\\s+(.+?)\\s+to\\s+(\\{[^}]*\\}|[a-z]+\\s+[a"],
  ["lib/testbed/iam/verbs.ts", "*   https://docs.oracle.com/en-us/iaas/Content/I"],
  ["lib/testbed/kube-emulator/self-signed.ts", "const s = `${p(d.getUTCFullYear() % 100)}${p(d.g"],
  ["lib/testbed/local/safety.ts", '`calls${deletionsExpected ? " (release or leak c'],
  ["lib/testbed/oci-emulator/world/network.ts", '*   must be in the same subnet" (core/lib/model/'],
  ["test/adapters/kube/oke-token.test.ts", '/^Signature version="1",headers="date \\(request-'],
  ["test/adapters/oci/clients.test.ts", 'return `${b64({ alg: "RS256", typ: "JWT" })}.${b'],
  ["test/bench/bench-report.ts", ")} \u2014 the leak collector's pass, nudged by the wa"],
  ["test/bench/bench-report.ts", "`modules.${c.ociSdk.installSeconds ? ` oci-sdk w"],
  ["test/bench/run-bench.ts", "*   tsx test/bench/run-bench.ts [--quick] [--sca"],
  ["test/fixtures/functions/echo-function.ts", "return { input, callId: ctx.callID, deadline: ct"],
  ["test/kube-emulator/custom-resources.test.ts", "/^The provided continue parameter is too old to "],
  ["test/kube-emulator/units.test.ts", '"application/json;as=Table;v=v1;g=meta.k8s.io,ap'],
  ["test/kube-emulator/units.test.ts", '"application/vnd.kubernetes.protobuf;as=PartialO'],
  ["test/node-agent/iproute2-parse.test.ts", 'const RULES = `[{"priority":0,"src":"all","table'],
  ["test/node-agent/iproute2-parse.test.ts", 'const ROUTES = `[{"type":"1","dst":"default","ga'],
  ["test/node-agent/iproute2-parse.test.ts", 'const LINKS = `[{"ifindex":3,"link":"b0","ifname'],
  ["test/node-agent/plan-routing.test.ts", '`${o.kind}${"ifname" in o ? ` ${o.ifname}` : ""}'],
  ["test/unit/architecture/import-graph.ts", "/(?:^|\\n)\\s*(import|export)\\s+(type\\s+)?(?:[^;'\""],
  ["test/unit/collect/classify.test.ts", '`${row.verdict === "healthy" ? "leaves healthy" '],
  ["test/unit/collect/classify.test.ts", '`${row.verdict.startsWith("orphan") ? "finds orp'],
  ["test/unit/reconcile/node-directory.test.ts", 'it("answers every first reconcile of an invocati'],
];

describe("line length of the sources", () => {
  it("keeps every tracked .ts and .cjs line within 120 characters, but for the listed unwrappable ones", () => {
    const files = execFileSync("git", ["ls-files", "*.ts", "*.cjs"], { cwd: REPO, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    expect(files.length).to.be.greaterThan(300);
    const long: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(REPO, file), "utf8").split("\n");
      lines.forEach((line, i) => {
        if ([...line].length <= MAX) return;
        const start = line.trim();
        if (ALLOWED.some(([f, s]) => f === file && start.startsWith(s))) return;
        long.push(`${file}:${i + 1}: ${[...line].length} characters`);
      });
    }
    expect(long).to.deep.equal([]);
  });
});
