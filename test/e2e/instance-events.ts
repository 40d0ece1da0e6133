import type { LocalCluster } from "../../lib/testbed/local/local-cluster";
import { DEFAULT_COMPARTMENT } from "../../lib/testbed/local/local-cluster";
import type { OciEventEnvelope } from "../../lib/testbed/oci-emulator/events";
import type { InstanceSpec } from "../../lib/testbed/oci-emulator/world/spec";

/**
 * Launches an instance the way LaunchInstance does (PROVISIONING, then RUNNING), and resolves with the
 * `launchinstance.end` envelope the emulator emits for it, exactly what the Events rule delivers to the function.
 */
export async function launchAndAwaitEnd(
  cluster: LocalCluster,
  spec: Partial<InstanceSpec> & { name: string },
): Promise<{ instanceId: string; event: OciEventEnvelope }> {
  const seen: OciEventEnvelope[] = [];
  let instanceId = "";
  let resolveEvent: (e: OciEventEnvelope) => void = () => undefined;
  const done = new Promise<OciEventEnvelope>((resolve) => (resolveEvent = resolve));
  const match = (e: OciEventEnvelope) =>
    e.eventType === "com.oraclecloud.computeapi.launchinstance.end" && e.data.resourceId === instanceId;
  const stop = cluster.oci.onEvent((e) => {
    seen.push(e);
    if (instanceId && match(e)) resolveEvent(e);
  });
  try {
    const instance = cluster.oci.admin.launchInstance({
      shape: "VM.Standard.E4.Flex",
      ocpus: 2,
      subnet: "workers-ad1",
      compartment: DEFAULT_COMPARTMENT,
      ...spec,
    }) as { id: string };
    instanceId = instance.id;
    const early = seen.find(match);
    if (early) resolveEvent(early);
    const event = await withTimeout(done, 10_000, `launchinstance.end for ${instanceId}`);
    return { instanceId, event };
  } finally {
    stop();
  }
}

/** Terminates an instance and resolves with its terminateinstance.begin and .end envelopes. */
export async function terminateAndAwaitEnd(
  cluster: LocalCluster,
  instanceId: string,
): Promise<{ begin: OciEventEnvelope; end: OciEventEnvelope }> {
  const seen: OciEventEnvelope[] = [];
  let resolveEnd: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (resolveEnd = resolve));
  const stop = cluster.oci.onEvent((e) => {
    if (e.data.resourceId !== instanceId) return;
    seen.push(e);
    if (e.eventType.endsWith("terminateinstance.end")) resolveEnd();
  });
  try {
    cluster.oci.admin.terminateInstance(instanceId);
    await withTimeout(ended, 10_000, `terminateinstance.end for ${instanceId}`);
    return {
      begin: seen.find((e) => e.eventType.endsWith("terminateinstance.begin"))!,
      end: seen.find((e) => e.eventType.endsWith("terminateinstance.end"))!,
    };
  } finally {
    stop();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
