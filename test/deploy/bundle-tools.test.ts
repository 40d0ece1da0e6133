import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Metafile } from "esbuild";
import { bytesByPackage } from "../../functions/build/bundle";
import { measureRequireTimes, median } from "../../functions/build/measure-load";

const REPO = join(__dirname, "..", "..");

describe("bundle tooling (npm run bundle)", function () {
  this.timeout(60_000);
  let dir: string | undefined;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("takes the median of odd and even sample counts and refuses none", () => {
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(() => median([])).to.throw(RangeError);
  });

  it("attributes bundle bytes to packages, scoped names included, largest first", () => {
    const meta = {
      inputs: {},
      outputs: {
        "dist/func.cjs": {
          bytes: 0,
          imports: [],
          exports: [],
          inputs: {
            "node_modules/oci-core/lib/client.js": { bytesInOutput: 300 },
            "node_modules/oci-core/lib/model/a.js": { bytesInOutput: 100 },
            "node_modules/@kubernetes/client-node/dist/a.js": { bytesInOutput: 250 },
            "node_modules/@kubernetes/client-node/node_modules/ws/index.js": { bytesInOutput: 50 },
            "lib/core/planner.ts": { bytesInOutput: 20 },
          },
        },
      },
    } as unknown as Metafile;
    expect(bytesByPackage(meta)).to.deep.equal([
      { name: "oci-core", bytes: 400 },
      { name: "@kubernetes/client-node", bytes: 250 },
      { name: "ws", bytes: 50 },
      { name: "project", bytes: 20 },
    ]);
  });

  it("times require() of each module in fresh processes that have the FDK's socket settings", async () => {
    dir = await mkdtemp(join(tmpdir(), "ocipam-measure-"));
    const probe = join(dir, "probe.cjs");
    // Fails unless loaded the way the function entry is (fdk.handle exits without these two).
    await writeFile(
      probe,
      'if (process.env.FN_FORMAT !== "http-stream" || ' +
        '!/^unix:\\//.test(process.env.FN_LISTENER || "")) ' +
        "process.exit(2);\nmodule.exports = 1;\n",
    );
    const [timing] = await measureRequireTimes([probe], 3, 0);
    expect(timing!.samplesMs).to.have.length(3);
    expect(timing!.medianMs).to.be.within(Math.min(...timing!.samplesMs), Math.max(...timing!.samplesMs));
    const broken = join(dir, "broken.cjs");
    await writeFile(broken, "throw new Error('cannot load');\n");
    let failure: unknown;
    await measureRequireTimes([broken], 1, 0).catch((err: unknown) => (failure = err));
    expect(String(failure)).to.contain("cannot load");
  });

  it("rejects a bad --runs value before building anything", async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ["--import", "tsx", join(REPO, "functions", "build", "bundle.ts"), "--runs", "0"],
        { cwd: REPO, encoding: "utf8", timeout: 30_000 },
        (err, _out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("--runs expects an integer from 1 to 101");
  });
});
