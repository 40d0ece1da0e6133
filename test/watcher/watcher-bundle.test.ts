import { expect } from "chai";
import { execFile } from "node:child_process";
import { build } from "esbuild";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { WATCHER_ENTRY, watcherBundleOptions } from "../../events/watcher/build";

const REPO = resolve(__dirname, "..", "..");

describe("the watcher's bundle (events/watcher/build.ts)", function () {
  this.timeout(60_000);
  let dir: string;
  let outfile: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ocipam-watcher-bundle-"));
    outfile = join(dir, "watcher.cjs");
    await build({ ...watcherBundleOptions(REPO, WATCHER_ENTRY, outfile), logLevel: "silent" });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the client-node methods the watcher calls: the CiliumNode list, the Lease reads and writes", async () => {
    const text = await readFile(outfile, "utf8");
    for (const method of [
      "listClusterCustomObject",
      "readNamespacedLease",
      "createNamespacedLease",
      "replaceNamespacedLease",
    ]) {
      expect(text, method).to.match(new RegExp(`async ${method}\\(`));
    }
    const never = /async deleteCollectionNamespacedLease\(/;
    expect(text).to.not.match(never, "a Lease method the watcher never calls is left out");
  });

  it("starts as the image runs it and refuses a configuration without the required keys", async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const env = { PATH: process.env.PATH ?? "", OCIPAM_WATCHER_LOG_LEVEL: "silent" };
      execFile(process.execPath, [outfile], { env, timeout: 30_000 }, (err, _out, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/OCIPAM_WATCHER_CLUSTER_NAME.*required/);
  });
});
