import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidInputError } from "../../lib/errors";
import { checkWritableFile } from "../../lib/cli/writable-file";
import { runOcipam } from "../cli/run-ocipam";

describe("ocipam local --report is checked before the run", function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ocipam-test-report-path-"));
    mkdirSync(join(dir, "a-directory"));
    writeFileSync(join(dir, "a-file"), "x");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const bad: Array<{ name: string; path: (d: string) => string; says: RegExp }> = [
    { name: "a directory that does not exist", path: (d) => join(d, "missing", "report.json"), says: /does not exist/ },
    { name: "an existing directory as FILE", path: (d) => join(d, "a-directory"), says: /is a directory/ },
    { name: "a path ending in a slash", path: (d) => `${join(d, "new")}/`, says: /names a directory/ },
    { name: "a file used as the directory", path: (d) => join(d, "a-file", "report.json"), says: /is not a directory/ },
  ];
  for (const row of bad) {
    it(`refuses ${row.name} with exit 2 before anything starts`, async () => {
      const file = row.path(dir);
      const ran = await runOcipam(["local", "--nodes", "1", "--report", file]);
      expect(ran.code, ran.stderr).to.equal(2);
      expect(ran.stderr)
        .to.match(/--report/)
        .and.match(row.says);
      expect(ran.stdout).to.equal("");
      // Nothing started: no progress line of a running pipeline (progress is on by default, on stderr). Checked at
      // the end instead, the run would go its whole length and then fail to write (exit 1).
      expect(ran.stderr).not.to.contain("sim  nodes");
    });
  }

  it("accepts a new file in an existing directory and an existing file, and names the flag when it refuses", () => {
    expect(() => checkWritableFile("--report", join(dir, "new.json"))).not.to.throw();
    expect(() => checkWritableFile("--report", join(dir, "a-file"))).not.to.throw();
    expect(() => checkWritableFile("--report", join(dir, "a-directory")))
      .to.throw(InvalidInputError)
      .with.property("field", "--report");
  });
});
