import * as k8s from "@kubernetes/client-node";
import {
  DEFAULT_MANIFEST_DIR,
  startKubeEmulator,
  type KubeEmulator,
  type KubeEmulatorOptions,
  type KubeIdentity,
} from "../../lib/testbed/kube-emulator";
import type { StatusBody } from "../../lib/testbed/kube-emulator/status";
import { pollUntil } from "../support/poll";
import { join } from "node:path";

/** Shared test plumbing: an emulator with the project's manifests plus the Cilium agent identity of local runs. */
export const FIXTURE_DIR = join(__dirname, "..", "..", "lib", "testbed", "local", "manifests");
export const CN = { group: "cilium.io", version: "v2", plural: "ciliumnodes" } as const;
export const OIN = { group: "ocipam.io", version: "v1alpha1", plural: "ociipamnodes" } as const;
export const ALLOCATOR: KubeIdentity = "ocipam-system/ocipam-allocator";
export const WATCHER: KubeIdentity = "ocipam-system/ocipam-watcher";
export const NODE_AGENT: KubeIdentity = "ocipam-system/ocipam-node-agent";
export const CILIUM_AGENT: KubeIdentity = "kube-system/cilium";

export function startEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  return startKubeEmulator({ manifestDirs: [DEFAULT_MANIFEST_DIR, FIXTURE_DIR], ...options });
}

export function clients(emu: KubeEmulator, identity: KubeIdentity = "admin") {
  const kc = emu.kubeConfigFor(identity);
  return {
    kc,
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    core: kc.makeApiClient(k8s.CoreV1Api),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
  };
}

export const mergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
export const strategicPatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);

/**
 * Runs `fn`, expects a client-node ApiException, and returns its code and parsed Status body. (For a 401,
 * client-node's generated code throws without a body: the body is then undefined.)
 */
export async function apiError(
  fn: () => Promise<unknown>,
): Promise<{ code: number; body: StatusBody; headers: Record<string, string> }> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof k8s.ApiException) {
      const body =
        typeof err.body === "string" ? (JSON.parse(err.body) as StatusBody) : (undefined as unknown as StatusBody);
      return { code: err.code, body, headers: err.headers };
    }
    throw err;
  }
  throw new Error("expected the call to fail with an ApiException");
}

export function ciliumNode(
  name: string,
  spec: Record<string, unknown> = {},
  labels?: Record<string, string>,
): Record<string, unknown> {
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNode",
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { "instance-id": `ocid1.instance.oc1..${name}`, ipam: { pool: {} }, ...spec },
  };
}

/** Polls `check` every 10 ms until it returns true (or throws after `ms`). */
export async function waitFor(check: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  await pollUntil(check, { what, timeoutMs: ms, intervalMs: 10 });
}
