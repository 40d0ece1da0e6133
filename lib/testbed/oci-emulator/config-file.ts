import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { OciCredentials } from "./principals";

export interface WrittenOciConfig {
  configPath: string;
  keyPath: string;
  profile: string;
}

/**
 * Writes an OCI CLI/SDK configuration file and the PEM key it names, in the documented format
 * (https://docs.oracle.com/en-us/iaas/Content/API/Concepts/sdkconfig.htm: `[PROFILE]` with user, fingerprint,
 * tenancy, region, key_file). The key file is mode 0600 as the CLI expects. The endpoint is not part of that format:
 * clients set `client.endpoint` to the emulator's endpoint themselves.
 */
export function writeOciConfig(dir: string, credentials: OciCredentials, profile = "DEFAULT"): WrittenOciConfig {
  const base = resolve(dir);
  mkdirSync(base, { recursive: true });
  const keyPath = join(base, "oci_api_key.pem");
  writeFileSync(keyPath, credentials.privateKeyPem, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  const configPath = join(base, "config");
  const text = [
    `[${profile}]`,
    `user=${credentials.userId}`,
    `fingerprint=${credentials.fingerprint}`,
    `tenancy=${credentials.tenancyId}`,
    `region=${credentials.region}`,
    `key_file=${keyPath}`,
    "",
  ].join("\n");
  writeFileSync(configPath, text, { mode: 0o600 });
  return { configPath, keyPath, profile };
}
