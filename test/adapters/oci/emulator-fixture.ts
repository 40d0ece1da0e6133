import { generateKeyPairSync } from "node:crypto";
import {
  createOciAdapters,
  createOciClients,
  type OciAdapters,
  type OciAuth,
  type OciClients,
} from "../../../lib/adapters/oci";
import { RequestBudget, type RequestBudgetOptions } from "../../../lib/adapters/oci/request-budget";
import { RetryPolicy, type RetryPolicyOptions } from "../../../lib/adapters/oci/retry";
import { createLogger, type Log } from "../../../lib/log";
import {
  startOciEmulator,
  type OciEmulator,
  type OciEmulatorOptions,
  type WorldSnapshot,
} from "../../../lib/testbed/oci-emulator";
import { caught } from "../../support/capture";

/**
 * Starts the project's OCI emulator and builds the real adapters on real oci-core clients pointed at it
 * (api-key auth with the emulator's credentials, endpoint = its base URL). Retry waits are short so fault tests
 * stay fast; everything else is the production wiring.
 */

let sharedKey: string | undefined;
/** One RSA key for the suite: generating one per emulator would dominate the run time. */
export function suiteKey(): string {
  sharedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  return sharedKey;
}

/** Collects the adapters' JSON log lines (debug and up). */
export class LogSink {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly log: Log = createLogger({
    level: "debug",
    destination: { write: (s: string) => (this.lines.push(JSON.parse(s)), true) } as unknown as NodeJS.WritableStream,
  });
}

export interface Fixture {
  emulator: OciEmulator;
  clients: OciClients;
  adapters: OciAdapters;
  logs: LogSink;
  world: WorldSnapshot;
  compartmentId: string;
  byName<T extends Record<string, unknown>>(items: T[], name: string): T & { id: string };
  close(): Promise<void>;
}

export function apiKeyAuth(emulator: OciEmulator): OciAuth {
  const c = emulator.credentials;
  return {
    kind: "api-key",
    tenancy: c.tenancyId,
    user: c.userId,
    fingerprint: c.fingerprint,
    privateKey: c.privateKeyPem,
    region: c.region,
  };
}

export async function startFixture(
  options: {
    emulator?: OciEmulatorOptions;
    policy?: RetryPolicyOptions;
    budget?: RequestBudgetOptions;
    pageSize?: number;
  } = {},
): Promise<Fixture> {
  const emulator = await startOciEmulator({
    latency: "zero",
    principal: {
      name: "ocipam-local",
      groups: ["Administrators"],
      dynamicGroups: ["ocipam-allocator"],
      privateKeyPem: suiteKey(),
    },
    ...options.emulator,
  });
  const clients = await createOciClients({
    auth: apiKeyAuth(emulator),
    endpoint: emulator.endpoint,
    region: emulator.credentials.region,
  });
  const logs = new LogSink();
  const adapters = createOciAdapters({
    clients,
    log: logs.log,
    policy: new RetryPolicy({ baseDelayMs: 5, maxDelayMs: 40, ...options.policy }),
    budget: new RequestBudget({ ratePerSecond: 1000, burst: 1000, ...options.budget }),
    pageSize: options.pageSize,
    network: { pollMs: 5, maxPollMs: 20, minPollMs: 20 },
  });
  const world = emulator.admin.snapshot();
  return {
    emulator,
    clients,
    adapters,
    logs,
    world,
    compartmentId: world.compartments[0].id,
    byName(items, name) {
      const found = items.find((i) => i.displayName === name || i.name === name);
      if (!found) throw new Error(`no ${name} in the emulator's world`);
      return found as never;
    },
    async close() {
      clients.close();
      await emulator.close();
    },
  };
}

/** Runs `fn` with console.warn silenced: the SDK warns on every failed request (oci-common lib/retrier.js). */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

/** The error `fn` rejects with (fails the test if it resolves), with SDK warnings silenced. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  return quietly(() => caught<unknown>(fn));
}
