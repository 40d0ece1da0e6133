import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The version the project's own OCI packages pin (package.json), so the comparison loads the same SDK code. */
export const OCI_SDK_VERSION = "2.139.1";

export type OciSdkInstall =
  | { ok: true; modulePath: string; installedNow: boolean; seconds: number }
  | { ok: false; error: string; cacheDir: string };

/**
 * Where the `oci-sdk` umbrella package (520 MB installed, measured) is installed for the load-time comparison: a cache
 * directory outside the repository, so it never becomes a dependency and is downloaded once per machine.
 * `$OCIPAM_BENCH_CACHE`, else `$XDG_CACHE_HOME/cilium-oci-ipam`, else `~/.cache/cilium-oci-ipam`.
 */
export function benchCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OCIPAM_BENCH_CACHE) return env.OCIPAM_BENCH_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "cilium-oci-ipam");
}

/**
 * Installs oci-sdk@{@link OCI_SDK_VERSION} into `<cache>/oci-sdk-<version>` with npm (only when the benchmark runs,
 * and only when it is not there yet) and answers the module's path, or why it could not. Never throws: the benchmark
 * reports a failed install and goes on.
 */
export async function ensureOciSdk(cacheDir: string, log: (line: string) => void): Promise<OciSdkInstall> {
  const prefix = join(cacheDir, `oci-sdk-${OCI_SDK_VERSION}`);
  const modulePath = join(prefix, "node_modules", "oci-sdk");
  if (existsSync(join(modulePath, "package.json"))) return { ok: true, modulePath, installedNow: false, seconds: 0 };
  log(`installing oci-sdk@${OCI_SDK_VERSION} (about 520 MB) into ${prefix} for the load-time comparison…`);
  const started = Date.now();
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const args = [
    "install",
    "--prefix",
    prefix,
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--no-package-lock",
    "--loglevel=error",
    `oci-sdk@${OCI_SDK_VERSION}`,
  ];
  return new Promise((resolve) => {
    execFile(npm, args, { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err || !existsSync(join(modulePath, "package.json"))) {
        const why =
          (stderr || (err ? err.message : "")).trim().split("\n").slice(-3).join(" ") ||
          "npm finished but oci-sdk is not there";
        resolve({ ok: false, error: `npm ${args.join(" ")} failed: ${why}`, cacheDir: prefix });
        return;
      }
      resolve({ ok: true, modulePath, installedNow: true, seconds: (Date.now() - started) / 1000 });
    });
  });
}
