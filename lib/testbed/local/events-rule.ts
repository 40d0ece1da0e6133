import type { Log } from "../../log";
import type { OciEmulator } from "../oci-emulator";
import type { FdkCallResult } from "./fdk-client";

/** The compute events the project's Terraform routes to the function (infra/terraform/events.tf). */
export const ROUTED_EVENT_TYPES = [
  "com.oraclecloud.computeapi.launchinstance.end",
  "com.oraclecloud.computeapi.terminateinstance.begin",
  "com.oraclecloud.computeapi.terminateinstance.end",
] as const;

/**
 * A stand-in for the OCI Events rule with a Functions action: every compute instance event of the cluster's
 * compartments is delivered to the function as its body (the CloudEvents 0.1 envelope), one invocation per event.
 * Returns a function that stops the routing.
 */
export function routeInstanceEvents(
  oci: OciEmulator,
  invoke: (payload: string, callId: string, deadline: Date) => Promise<FdkCallResult>,
  options: { compartmentIds: string[]; log: Log; timeoutMs?: number },
): () => void {
  let calls = 0;
  return oci.onEvent((envelope) => {
    const event = envelope as unknown as { eventType: string; data?: { compartmentId?: string } };
    if (!(ROUTED_EVENT_TYPES as readonly string[]).includes(event.eventType)) return;
    if (!options.compartmentIds.includes(event.data?.compartmentId ?? "")) return;
    const callId = `events-${++calls}`;
    invoke(JSON.stringify(envelope), callId, new Date(Date.now() + (options.timeoutMs ?? 120_000))).catch(
      (err: unknown) =>
        options.log.warn(
          { callId, eventType: event.eventType, err: String(err) },
          "instance event not delivered to the function",
        ),
    );
  });
}
