import type { Command } from "commander";
import type { AllocatorRuntime } from "../../functions/allocator/handler";
import { readConfigFile } from "../config/config-file";
import { pickOcipamKeys } from "../config/allocator-config";
import { createLogger } from "../log";
import { type GlobalFlags, logLevelFor } from "./global-flags";

/** The flags of commands that reach OCI and Kubernetes as the allocator does (`reconcile`, `plan --node`). */
export interface AllocatorFlags {
  config?: string;
  kubeconfig?: string;
  ociConfig?: string;
  ociProfile?: string;
  ociEndpoint?: string;
}

/** Adds the allocator access flags to a command. */
export function allocatorOptions(command: Command): Command {
  return command
    .option("--config <file>", "KEY=value lines with OCIPAM_* configuration keys (override the environment)")
    .option("--kubeconfig <path>", "reach Kubernetes with this kubeconfig (sets OCIPAM_KUBE_AUTH=kubeconfig)")
    .option("--oci-config <path>", "OCI config file (sets OCIPAM_OCI_AUTH=config_file)")
    .option("--oci-profile <name>", "profile in the OCI config file")
    .option("--oci-endpoint <url>", "OCI API base URL (an emulator or a private endpoint)");
}

/**
 * The function's configuration keys from the environment, then `--config FILE`, then the flags (each overriding the
 * one before), as the allocator function would receive them from its fn config.
 */
export function allocatorValues(
  flags: AllocatorFlags,
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const values: Record<string, string> = {
    ...pickOcipamKeys(env),
    ...(flags.config ? readConfigFile(flags.config) : {}),
  };
  if (flags.kubeconfig) Object.assign(values, { OCIPAM_KUBE_AUTH: "kubeconfig", OCIPAM_KUBECONFIG: flags.kubeconfig });
  if (flags.ociConfig) {
    Object.assign(values, { OCIPAM_OCI_AUTH: "config_file", OCIPAM_OCI_CONFIG_FILE: flags.ociConfig });
  }
  if (flags.ociProfile) values.OCIPAM_OCI_PROFILE = flags.ociProfile;
  if (flags.ociEndpoint) values.OCIPAM_OCI_ENDPOINT = flags.ociEndpoint;
  return values;
}

/**
 * The allocator's own composition (functions/allocator/compose.ts) from those values, logging JSON lines to stderr
 * so stdout carries only the command's data. `component` names the command in the log lines.
 */
export async function composeFromFlags(
  flags: AllocatorFlags,
  global: GlobalFlags,
  component: string,
): Promise<AllocatorRuntime> {
  // Loaded here, not at the top: the OCI SDK and client-node take seconds to load, and `--help`, `plan --input`
  // and the emulators do not need them.
  const { composeAllocatorRuntime } =
    require("../../functions/allocator/compose") as typeof import("../../functions/allocator/compose");
  const values = allocatorValues(flags);
  const level = logLevelFor(global, values.OCIPAM_LOG_LEVEL, "warn");
  const log = createLogger({ level, destination: process.stderr, base: { component } });
  return composeAllocatorRuntime(values, { log });
}
