import { randomUUID } from "node:crypto";
import type { InstanceRec } from "./world/types";

/**
 * OCI Events envelope (CloudEvents 0.1, not 1.0): cloudEventsVersion, eventType, eventTypeVersion, source, eventID,
 * eventTime, contentType, extensions.compartmentId, data {compartmentId, compartmentName, resourceName, resourceId,
 * availabilityDomain, freeformTags, definedTags, additionalDetails}
 * (https://docs.oracle.com/iaas/Content/Events/Reference/eventenvelopereference.htm). Compute event types:
 * com.oraclecloud.computeapi.launchinstance.begin|end, terminateinstance.begin|end
 * (https://docs.oracle.com/en-us/iaas/Content/Events/Reference/eventsproducers.htm).
 */
export interface OciEventEnvelope {
  cloudEventsVersion: "0.1";
  eventType: string;
  eventTypeVersion: string;
  source: string;
  eventID: string;
  eventTime: string;
  contentType: "application/json";
  extensions: { compartmentId: string };
  data: {
    compartmentId: string;
    compartmentName: string;
    resourceName: string;
    resourceId: string;
    availabilityDomain: string;
    freeformTags: Record<string, string>;
    definedTags: Record<string, unknown>;
    additionalDetails: Record<string, unknown>;
  };
}

export type ComputeEventKind =
  | "launchinstance.begin"
  | "launchinstance.end"
  | "terminateinstance.begin"
  | "terminateinstance.end";

export function instanceEvent(
  kind: ComputeEventKind,
  instance: InstanceRec,
  compartmentName: string,
  at: Date,
): OciEventEnvelope {
  return {
    cloudEventsVersion: "0.1",
    eventType: `com.oraclecloud.computeapi.${kind}`,
    eventTypeVersion: "2.0",
    source: "ComputeApi",
    eventID: randomUUID(),
    eventTime: at.toISOString(),
    contentType: "application/json",
    extensions: { compartmentId: instance.compartmentId },
    data: {
      compartmentId: instance.compartmentId,
      compartmentName,
      resourceName: instance.displayName,
      resourceId: instance.id,
      availabilityDomain: instance.availabilityDomain,
      freeformTags: { ...instance.freeformTags },
      definedTags: {},
      additionalDetails: { shape: instance.shape, lifecycleState: instance.lifecycleState, region: instance.region },
    },
  };
}
