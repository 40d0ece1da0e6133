import { expect } from "chai";
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The image's build step (infra/kubernetes/node-agent/Dockerfile) bundles this entry; the bundle must run alone. */
describe("node-agent image bundle", function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ocipam-bundle-"));
    await build({
      entryPoints: [join(__dirname, "..", "..", "lib", "node-agent", "cli-entry.ts")],
      bundle: true, platform: "node", target: "node20", format: "cjs", outfile: join(dir, "node-agent.cjs"), logLevel: "silent",
    });
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [join(dir, "node-agent.cjs"), ...args], { encoding: "utf8", timeout: 20_000, env: { PATH: process.env.PATH } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it("runs from the single bundled file: help, and a clear error without a node name", async () => {
    const help = await run(["node-agent", "--help"]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain("--egress-cidr <cidr>");
    const missing = await run(["node-agent", "--once"]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain("config node-name: required (or set NODE_NAME)");
  });
});
