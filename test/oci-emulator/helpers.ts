import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import * as common from "oci-common";
import * as core from "oci-core";
import * as streaming from "oci-streaming";
import * as workrequests from "oci-workrequests";
import {
  startOciEmulator,
  type OciCredentials,
  type OciEmulator,
  type OciEmulatorOptions,
} from "../../lib/testbed/oci-emulator";
import { caught } from "../support/capture";
import { pollUntil } from "../support/poll";

/**
 * Conformance-suite helpers: the emulator is driven only through the real oci-core / oci-streaming /
 * oci-workrequests clients, configured as the adapters do (SimpleAuthenticationDetailsProvider with the
 * emulator's key, endpoint set after the region, circuit breaker off per client so injected 5xx do not open it).
 */

export interface Clients {
  compute: core.ComputeClient;
  vcn: core.VirtualNetworkClient;
  stream: streaming.StreamClient;
  workRequests: workrequests.WorkRequestClient;
}

export function clientsFor(emulator: OciEmulator, credentials: OciCredentials = emulator.credentials): Clients {
  const auth = new common.SimpleAuthenticationDetailsProvider(
    credentials.tenancyId,
    credentials.userId,
    credentials.fingerprint,
    credentials.privateKeyPem,
    null,
    common.Region.US_ASHBURN_1,
  );
  const config = () => ({ circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }) });
  const compute = new core.ComputeClient({ authenticationDetailsProvider: auth }, config());
  const vcn = new core.VirtualNetworkClient({ authenticationDetailsProvider: auth }, config());
  const stream = new streaming.StreamClient({ authenticationDetailsProvider: auth }, config());
  const workRequests = new workrequests.WorkRequestClient({ authenticationDetailsProvider: auth }, config());
  // After the region (set in the constructors from the provider): the setter appends the API version.
  for (const c of [compute, vcn, stream, workRequests]) c.endpoint = emulator.endpoint;
  return { compute, vcn, stream, workRequests };
}

let sharedKey: string | undefined;
/** One RSA key for the whole suite: generating one per emulator would dominate the suite's run time. */
export function suiteKey(): string {
  sharedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  return sharedKey;
}

/** Starts an emulator with zero latency unless told otherwise, plus clients; `close` tears both down. */
export async function startWithClients(
  options: OciEmulatorOptions = {},
): Promise<{ emulator: OciEmulator; clients: Clients; close: () => Promise<void> }> {
  const emulator = await startOciEmulator({
    latency: "zero",
    principal: {
      name: "ocipam-local",
      groups: ["Administrators"],
      dynamicGroups: ["ocipam-allocator"],
      privateKeyPem: suiteKey(),
    },
    ...options,
  });
  const clients = clientsFor(emulator);
  return {
    emulator,
    clients,
    close: async () => {
      for (const c of Object.values(clients)) c.close();
      await emulator.close();
    },
  };
}

/**
 * Runs `fn` with console.warn silenced (every SDK failure warns unconditionally, oci-common lib/retrier.js) and
 * returns the error it threw; fails the test if it did not throw.
 */
export async function failure(
  fn: () => Promise<unknown>,
): Promise<{ statusCode?: number; serviceCode?: string; message?: string; opcRequestId?: string }> {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return await caught(fn);
  } finally {
    console.warn = warn;
  }
}

/** Asserts an OciError's HTTP status and service code. */
export async function expectOciError(
  fn: () => Promise<unknown>,
  statusCode: number,
  serviceCode: string,
): Promise<void> {
  const err = await failure(fn);
  expect({ statusCode: err.statusCode, serviceCode: err.serviceCode }, err.message).to.deep.equal({
    statusCode,
    serviceCode,
  });
  expect(err.opcRequestId, "every error carries opc-request-id").to.be.a("string").and.not.equal("");
}

/** Polls `probe` until it returns a truthy value (bounded: fails after `maxTries`, 5 ms apart). */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, maxTries = 400): Promise<T> {
  return (await pollUntil(probe, { what: "the condition", timeoutMs: maxTries * 5, intervalMs: 5 })) as T;
}

/** The default world's objects by name. */
export function byName<T extends Record<string, unknown>>(items: T[], name: string): T & { id: string } {
  const found = items.find((i) => i.displayName === name || i.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found as T & { id: string };
}

/** Attaches a secondary VNIC and waits until it is ATTACHED; returns the attachment and VNIC OCIDs. */
export async function attachAndWait(
  clients: Clients,
  instanceId: string,
  subnetId: string,
  extra: Partial<core.models.AttachVnicDetails> = {},
): Promise<{ attachmentId: string; vnicId: string }> {
  const { vnicAttachment } = await clients.compute.attachVnic({
    attachVnicDetails: { instanceId, createVnicDetails: { subnetId }, ...extra },
  });
  const attached = await eventually(async () => {
    const r = await clients.compute.getVnicAttachment({ vnicAttachmentId: vnicAttachment.id });
    return r.vnicAttachment.lifecycleState === core.models.VnicAttachment.LifecycleState.Attached
      ? r.vnicAttachment
      : undefined;
  });
  return { attachmentId: attached.id, vnicId: attached.vnicId! };
}
