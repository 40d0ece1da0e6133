import type { Command } from "commander";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, InvalidInputError } from "../../errors";
import { createLogger } from "../../log";
import type { OciEmulator, WorldSpec } from "../../testbed/oci-emulator";
import { globalFlags, logLevelFor, type GlobalFlags } from "../global-flags";
import { exportLines } from "../shell-quote";
import { scopeTempFiles } from "../temp-scope";

/**
 * `ocipam emulate oci`: runs the OCI API emulator on loopback until interrupted. The first stdout line is one JSON
 * object with everything a client needs (endpoint, config file, key, OCIDs); logs go to stderr. With --print-env the
 * output is instead `export KEY='value'` lines of the allocator keys for the world, for `eval "$(...)"`. The config
 * file and key go to a temporary directory removed on exit unless --config-dir names one.
 * The `emulate` parent command is shared with `ocipam emulate kube` (emulate-kube.ts): whichever registers first
 * creates it, the other finds it.
 */
export function register(program: Command): void {
  const emulate =
    program.commands.find((c) => c.name() === "emulate") ??
    program.command("emulate").description("Run local emulators of the services the allocator talks to");
  emulate
    .command("oci")
    .description("Emulate the OCI Core (compute, networking) and Streaming APIs on loopback")
    .option("--port <n>", "port to listen on (0 = any free port)", "0")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--world <file>", "world JSON file (default: the built-in default world)")
    .option("--latency <profile>", "realistic | zero", "realistic")
    .option("--time-scale <x>", "multiply every modelled duration by x", "1")
    .option("--config-dir <dir>", "where to write the OCI config file and key (default: a new temp directory)")
    .option("--policy-file <file>", "IAM policy statements, one per line; enables IAM enforcement")
    .option("--print-env", "print the allocator keys as shell `export KEY='value'` lines instead of the JSON line")
    .option("--log-level <level>", "log level (logs go to stderr)")
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      scopeTempFiles("ocipam-emulate-oci-");
      const emulator = await startFromOptions(opts, globalFlags(cmd));
      const info = summary(emulator, opts.configDir);
      process.stdout.write(opts.printEnv ? exportLines(info.env) : `${JSON.stringify(info)}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await emulator.close();
    });
}

function parseNumber(name: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(n) || n < min)
    throw new InvalidInputError(name, `must be a number >= ${min}`);
  return n;
}

async function startFromOptions(opts: Record<string, string | undefined>, global: GlobalFlags): Promise<OciEmulator> {
  const latency = opts.latency;
  if (latency !== "realistic" && latency !== "zero")
    throw new InvalidInputError("--latency", "must be realistic or zero");
  let world: WorldSpec | undefined;
  if (opts.world) {
    let text: string;
    try {
      text = readFileSync(opts.world, "utf8");
    } catch (err) {
      throw new ConfigError(
        "--world",
        `cannot read ${opts.world} (${(err as NodeJS.ErrnoException).code ?? "unreadable"})`,
      );
    }
    try {
      world = JSON.parse(text) as WorldSpec;
    } catch {
      throw new ConfigError("--world", `${opts.world} is not valid JSON`);
    }
  }
  let policies: string[] | undefined;
  if (opts.policyFile) {
    policies = readFileSync(opts.policyFile, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
  }
  // Loaded here, not at the top, so that other subcommands (and --help) do not pay for it.
  const { startOciEmulator } = require("../../testbed/oci-emulator") as typeof import("../../testbed/oci-emulator");
  const emulator = await startOciEmulator({
    port: parseNumber("--port", opts.port, 0),
    host: opts.host,
    world,
    latency,
    timeScale: parseNumber("--time-scale", opts.timeScale, 0),
    policies,
    enforceIam: policies !== undefined,
    log: createLogger({
      level: logLevelFor(global, opts.logLevel, "info"),
      destination: process.stderr,
      base: { component: "oci-emulator" },
    }),
  });
  return emulator;
}

/** The first stdout line. */
function summary(
  emulator: OciEmulator,
  configDir: string | undefined,
): Record<string, unknown> & { env: Record<string, string> } {
  const dir = configDir ?? mkdtempSync(join(tmpdir(), "ocipam-oci-"));
  const written = emulator.writeOciConfig(dir);
  const snap = emulator.admin.snapshot();
  return {
    endpoint: emulator.endpoint,
    configPath: written.configPath,
    keyPath: written.keyPath,
    profile: written.profile,
    region: snap.region,
    tenancyId: snap.tenancyId,
    compartmentId: snap.compartments[0]?.id ?? snap.tenancyId,
    vcnId: snap.vcns[0]?.id,
    subnets: snap.subnets.map((s) => ({
      id: s.id,
      name: s.displayName,
      cidrBlock: s.cidrBlock,
      availabilityDomain: s.availabilityDomain,
    })),
    nsgs: snap.nsgs.map((n) => ({ id: n.id, name: n.displayName })),
    instances: snap.instances.map((i) => ({
      id: i.id,
      name: i.displayName,
      shape: i.shape,
      maxVnicAttachments: (i.shapeConfig as { maxVnicAttachments: number }).maxVnicAttachments,
      availabilityDomain: i.availabilityDomain,
    })),
    streams: snap.streams.map((s) => ({
      id: s.id,
      name: s.name,
      partitions: s.partitions,
      messagesEndpoint: s.messagesEndpoint,
    })),
    env: allocatorEnv(
      emulator,
      written,
      snap.compartments[0]?.id ?? snap.tenancyId,
      snap.vcns[0]?.id as string | undefined,
      snap.region,
    ),
  };
}

/**
 * The allocator configuration keys (lib/config/allocator-config.ts) that point it at this world: exporting them,
 * plus the Kubernetes keys of any API server, is all `ocipam reconcile` needs.
 */
function allocatorEnv(
  emulator: OciEmulator,
  written: { configPath: string; profile: string },
  compartmentId: string,
  vcnId: string | undefined,
  region: string,
): Record<string, string> {
  return {
    OCIPAM_CLUSTER_NAME: "local",
    OCIPAM_COMPARTMENT_IDS: compartmentId,
    ...(vcnId ? { OCIPAM_VCN_ID: vcnId } : {}),
    OCIPAM_OCI_AUTH: "config_file",
    OCIPAM_OCI_CONFIG_FILE: written.configPath,
    OCIPAM_OCI_PROFILE: written.profile,
    OCIPAM_OCI_ENDPOINT: emulator.endpoint,
    OCIPAM_OCI_REGION: region,
  };
}
