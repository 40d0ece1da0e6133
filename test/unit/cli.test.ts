import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { CommanderError } from "commander";
import { reconcileSucceeded } from "../../lib/cli/commands/reconcile";
import { EXIT, exitCodeFor } from "../../lib/cli/exit-codes";
import { buildProgram } from "../../lib/cli/main";
import { redactSecrets } from "../../lib/cli/redact";
import { exportLines, shellQuote } from "../../lib/cli/shell-quote";
import { parseConfigText } from "../../lib/config/config-file";
import { ConfigError, InvalidInputError, OcipamError } from "../../lib/errors";
import type { NodeResult } from "../../lib/reconcile/result";

describe("ocipam command line", () => {
  it("reports the package version", () => {
    const program = buildProgram();
    expect(program.version()).to.match(/^\d+\.\d+\.\d+/);
  });

  it("offers --quiet on the program, so every subcommand accepts it", () => {
    expect(buildProgram().options.map((o) => o.long)).to.include("--quiet");
  });

  const exitCodes: Array<[string, unknown, number]> = [
    ["--help", new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"), EXIT.ok],
    ["--version", new CommanderError(0, "commander.version", "0.1.0"), EXIT.ok],
    ["an unknown command", new CommanderError(1, "commander.unknownCommand", "error: unknown command 'x'"), EXIT.usage],
    ["an unknown option", new CommanderError(1, "commander.unknownOption", "error: unknown option '--x'"), EXIT.usage],
    ["no subcommand (help shown as an error)", new CommanderError(1, "commander.help", "(outputHelp)"), EXIT.usage],
    ["an invalid input file", new InvalidInputError("in.json#/vnics/0/index", "must be >= 0"), EXIT.usage],
    ["a bad configuration key", new ConfigError("OCIPAM_VCN_ID", "is required"), EXIT.usage],
    ["an API error at run time", new OcipamError("KubeUnavailable", "connect ECONNREFUSED"), EXIT.failed],
    ["anything else", new Error("boom"), EXIT.failed],
  ];
  for (const [what, err, code] of exitCodes) {
    it(`exits ${code} for ${what}`, () => expect(exitCodeFor(err)).to.equal(code));
  }

  const result = (outcome: NodeResult["outcome"], state?: NodeResult["state"]): NodeResult => ({
    node: "n",
    outcome,
    ...(state ? { state } : {}),
    reason: { code: "x", message: "" },
    rounds: 1,
    ipsCreated: 0,
    ipsReleased: 0,
    vnicsAttached: 0,
    conflicts: 0,
    durationMs: 0,
    decision: [],
    apiCalls: {},
  });
  const reconciles: Array<[NodeResult, boolean]> = [
    [result("reconciled", "Ready"), true],
    [result("reconciled", "AtCapacity"), true],
    [result("reconciled", "Allocating"), true],
    [result("planned", "Ready"), true],
    [result("reconciled", "Error"), false],
    [result("refused"), false],
    [result("skipped"), false],
    [result("failed", "Error"), false],
  ];
  for (const [r, ok] of reconciles) {
    const what = `${r.outcome}${r.state ? ` in state ${r.state}` : ""}`;
    it(`counts a reconcile ${what} as ${ok ? "a success (exit 0)" : "a failure (exit 1)"}`, () => {
      expect(reconcileSucceeded(r)).to.equal(ok);
    });
  }

  const quoting: Array<[string, string]> = [
    ["plain", "'plain'"],
    ["", "''"],
    ["it's", `'it'\\''s'`],
    ['$HOME `id` "x" \\n', `'$HOME \`id\` "x" \\n'`],
    ["a b\nc", "'a b\nc'"],
  ];
  for (const [value, quoted] of quoting) {
    it(`quotes ${JSON.stringify(value)} for a POSIX shell, which reads back the same value`, () => {
      expect(shellQuote(value)).to.equal(quoted);
      const echoed = execFileSync("sh", ["-c", `${exportLines({ V: value })}printf '%s' "$V"`], { encoding: "utf8" });
      expect(echoed).to.equal(value);
    });
  }

  it("refuses an environment key that is no shell variable name", () => {
    expect(() => exportLines({ "A-B": "x" })).to.throw(/not a shell variable name/);
  });

  const redactions: Array<[string, string]> = [
    ["config OCIPAM_OCI_ENDPOINT: bad https://user:pa55@host/x", "config OCIPAM_OCI_ENDPOINT: bad https://***@host/x"],
    ["Authorization: Bearer eyJhbGciOi.abc-def", "Authorization: Bearer ***"],
    ["connect ECONNREFUSED 127.0.0.1:6443", "connect ECONNREFUSED 127.0.0.1:6443"],
    ["see https://docs.oracle.com/iaas", "see https://docs.oracle.com/iaas"],
  ];
  for (const [text, shown] of redactions) {
    it(`prints ${JSON.stringify(text)} as ${JSON.stringify(shown)}`, () => expect(redactSecrets(text)).to.equal(shown));
  }

  it("refuses a malformed --config line by its number without repeating the line (it may hold a token)", () => {
    expect(() => parseConfigText("OCIPAM_A=1\nOCIPAM_KUBE_TOKEN eyJhbGciOiJSUzI1NiJ9.secret\n", "allocator.env"))
      .to.throw(ConfigError, "config allocator.env:2: expected KEY=value, a # comment or a blank line")
      .with.property("message")
      .that.does.not.contain("eyJhbGciOiJSUzI1NiJ9");
  });
});
