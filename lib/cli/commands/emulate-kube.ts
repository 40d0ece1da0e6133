import type { Command } from "commander";
import { resolve } from "node:path";
import { InvalidInputError } from "../../errors";
import { createLogger } from "../../log";
import { DEFAULT_MANIFEST_DIR, startKubeEmulator, type KubeEmulator } from "../../kube-emulator";

/**
 * `ocipam emulate kube`: runs the Kubernetes API emulator on loopback with the project's CRDs, namespace and
 * RBAC loaded, writes an admin kubeconfig, prints one JSON line (endpoint, kubeconfig path, service-account
 * tokens) on stdout and runs until interrupted. Logs go to stderr. The `emulate` parent command is shared with
 * `ocipam emulate oci`: whichever registers first creates it, the other finds it.
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
    .option("--kubeconfig <path>", "where to write the admin kubeconfig", ".local/kube-emulator/kubeconfig")
    .option("--manifests <dir>", "extra manifest directory to load (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--write-latency-ms <ms>", "delay before each write request", "0")
    .option("--log-level <level>", "log level (logs go to stderr)", "info")
    .action(async (opts: { port: string; host: string; kubeconfig: string; manifests: string[]; writeLatencyMs: string; logLevel: string }) => {
      const emulator = await startFromOptions(opts);
      const kubeconfig = await emulator.writeKubeconfig(opts.kubeconfig, "admin");
      process.stdout.write(`${JSON.stringify(summary(emulator, kubeconfig))}\n`);
      await new Promise<void>((done) => {
        const stop = (): void => done();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await emulator.close();
    });
}

function parseNumber(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new InvalidInputError(name, `must be an integer >= ${min}, got "${text}"`);
  return n;
}

async function startFromOptions(opts: { port: string; host: string; manifests: string[]; writeLatencyMs: string; logLevel: string }): Promise<KubeEmulator> {
  return startKubeEmulator({
    port: parseNumber("--port", opts.port, 0),
    host: opts.host,
    manifestDirs: [DEFAULT_MANIFEST_DIR, ...opts.manifests.map((d) => resolve(d))],
    writeLatencyMs: parseNumber("--write-latency-ms", opts.writeLatencyMs, 0),
    log: createLogger({ level: opts.logLevel, destination: process.stderr, base: { component: "kube-emulator" } }),
  });
}

/** The one line a script reads: how to reach the emulator and as whom. */
export function summary(emulator: KubeEmulator, kubeconfig: string): Record<string, unknown> {
  return {
    endpoint: emulator.endpoint,
    httpsEndpoint: emulator.httpsEndpoint,
    kubeconfig,
    tokens: emulator.tokens,
  };
}
