import type { Command } from "commander";
import { resolve } from "node:path";
import { InvalidInputError } from "../../errors";
import { createLogger } from "../../log";
import type { KubeEmulator, KubeIdentity } from "../../testbed/kube-emulator";
import { globalFlags, logLevelFor, type GlobalFlags } from "../global-flags";

/** The namespace of the project's in-cluster parts and their ServiceAccounts (infra/kubernetes/namespace.yaml). */
export const PROJECT_NAMESPACE = "ocipam-system";

interface EmulateKubeFlags {
  port: string;
  host: string;
  kubeconfig: string;
  manifests: string[];
  writeLatencyMs: string;
  logLevel?: string;
}

/**
 * `ocipam emulate kube`: runs the Kubernetes API emulator on loopback with the project's CRDs, namespace and
 * RBAC loaded, writes an admin kubeconfig and one per project ServiceAccount (ocipam-allocator, ocipam-watcher,
 * ocipam-node-agent, … : each component's own least-privilege identity, so a local run meets the same 403s a real
 * cluster would), prints one JSON line (endpoint, kubeconfig paths, service-account tokens) on stdout and runs until
 * interrupted. Logs go to stderr. The `emulate` parent command is shared with `ocipam emulate oci`: whichever
 * registers first creates it, the other finds it.
 */
export function register(program: Command): void {
  const emulate =
    program.commands.find((c) => c.name() === "emulate") ??
    program.command("emulate").description("Run local emulators of the services the allocator talks to");
  emulate
    .command("kube")
    .description("Emulate the Kubernetes API (CRDs, RBAC, watches) on loopback for kubectl and client-node")
    .option("--port <n>", "port to listen on (0 = any free port)", "0")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option(
      "--kubeconfig <path>",
      "where to write the admin kubeconfig; one per service account goes next to it as <path>-<account>",
      ".local/kube-emulator/kubeconfig",
    )
    .option("--manifests <dir>", "extra manifest directory to load (repeatable)", collect, [] as string[])
    .option("--write-latency-ms <ms>", "delay before each write request", "0")
    .option("--log-level <level>", "log level (logs go to stderr; default info, error with --quiet)")
    .action(async (opts: EmulateKubeFlags, cmd: Command) => {
      const emulator = await startFromOptions(opts, globalFlags(cmd));
      const kubeconfigs = await writeKubeconfigs(emulator, opts.kubeconfig);
      process.stdout.write(`${JSON.stringify(summary(emulator, kubeconfigs))}\n`);
      await new Promise<void>((done) => {
        const stop = (): void => done();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await emulator.close();
    });
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function parseNumber(name: string, text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new InvalidInputError(name, `must be an integer >= ${min}`);
  }
  return n;
}

async function startFromOptions(opts: EmulateKubeFlags, global: GlobalFlags): Promise<KubeEmulator> {
  // Loaded here, not at the top, so that other subcommands (and --help) do not pay for it.
  const { DEFAULT_MANIFEST_DIR, startKubeEmulator } =
    require("../../testbed/kube-emulator") as typeof import("../../testbed/kube-emulator");
  return startKubeEmulator({
    port: parseNumber("--port", opts.port, 0),
    host: opts.host,
    manifestDirs: [DEFAULT_MANIFEST_DIR, ...opts.manifests.map((d) => resolve(d))],
    writeLatencyMs: parseNumber("--write-latency-ms", opts.writeLatencyMs, 0),
    log: createLogger({
      level: logLevelFor(global, opts.logLevel, "info"),
      destination: process.stderr,
      base: { component: "kube-emulator" },
    }),
  });
}

/**
 * The admin kubeconfig at `adminPath`, and one per ServiceAccount of the project's namespace at
 * `<adminPath>-<account>` (context namespace ocipam-system, where the components' Leases live). Accounts are
 * found in the emulator's tokens, which hold every ServiceAccount the manifests created. Returns identity → path.
 */
export async function writeKubeconfigs(emulator: KubeEmulator, adminPath: string): Promise<Record<string, string>> {
  const paths: Record<string, string> = { admin: await emulator.writeKubeconfig(adminPath, "admin") };
  const base = resolve(adminPath);
  for (const identity of Object.keys(emulator.tokens).sort()) {
    const [namespace, account] = identity.split("/");
    if (namespace !== PROJECT_NAMESPACE || !account) continue;
    paths[identity] = await emulator.writeKubeconfig(`${base}-${account}`, identity as KubeIdentity, PROJECT_NAMESPACE);
  }
  return paths;
}

/** The one line a script reads: how to reach the emulator and as whom. */
export function summary(emulator: KubeEmulator, kubeconfigs: Record<string, string>): Record<string, unknown> {
  return {
    endpoint: emulator.endpoint,
    httpsEndpoint: emulator.httpsEndpoint,
    kubeconfig: kubeconfigs.admin,
    kubeconfigs,
    tokens: emulator.tokens,
  };
}
