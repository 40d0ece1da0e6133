import { expect } from "chai";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = join(__dirname, "..", "..");

/** Runs `terraform fmt -check -recursive <dir>`; resolves with the exit code and the files it names. */
function fmtCheck(cwd: string, dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "terraform",
      ["fmt", "-check", "-recursive", dir],
      // CHECKPOINT_DISABLE: terraform must not call HashiCorp's version-check service from a test.
      {
        cwd,
        encoding: "utf8",
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", CHECKPOINT_DISABLE: "1" },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("terraform fmt", function () {
  this.timeout(30_000);
  let dir: string | undefined;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("`terraform fmt -check -recursive infra` finds nothing to reformat", async () => {
    const result = await fmtCheck(REPO, "infra");
    expect(result.stdout, result.stderr).to.equal("");
    expect(result.code).to.equal(0);
  });

  it("names a badly aligned file and exits non-zero (the check can fail)", async () => {
    dir = await mkdtemp(join(tmpdir(), "ocipam-fmt-"));
    await cp(join(REPO, "infra", "terraform"), join(dir, "terraform"), { recursive: true });
    const path = join(dir, "terraform", "streaming.tf");
    await writeFile(
      path,
      (await readFile(path, "utf8")).replace(
        "  partitions         = var.stream_partitions",
        "  partitions = var.stream_partitions",
      ),
    );
    const result = await fmtCheck(dir, ".");
    expect(result.code).to.not.equal(0);
    expect(result.stdout).to.contain("streaming.tf");
  });
});
