import type { EventTarget, KubeEvents } from "../../lib/ports/kube";

export interface RecordedEvent {
  target: EventTarget;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** Kubernetes Events, recorded in order. Never throws, as the port requires. */
export class FakeEvents implements KubeEvents {
  readonly recorded: RecordedEvent[] = [];

  async record(target: EventTarget, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    this.recorded.push({ target: { ...target }, type, reason, message });
  }

  /** The reasons recorded for one object, in order (e.g. ["IpsAssigned"]). */
  reasonsFor(name: string, type?: "Normal" | "Warning"): string[] {
    return this.recorded.filter((e) => e.target.name === name && (!type || e.type === type)).map((e) => e.reason);
  }
}
