import type { Plan, PlanAction } from "../core/model";

/** A readable account of a plan: the numbers, every decision in order, then the actions. */
export function explainPlan(plan: Plan): string {
  const s = plan.stats;
  const lines = [
    `node ${plan.node} (instance ${plan.instanceId})`,
    `  state: ${plan.state} — ${plan.reason.code}: ${plan.reason.message}`,
    `  pool ${s.available} IPs, ${s.used} used; needed ${s.needed}, excess ` +
      `${s.excess}; node maximum ${s.nodeMaximum}; VNIC slots ` +
      `${s.vnicsAttached}/${s.vnicSlots}`,
    "",
    "decisions:",
    ...plan.decisions.map((d, i) => `  ${i + 1}. [${d.code}] ${d.message}`),
    "",
    plan.actions.length === 0 ? "actions: none" : "actions:",
    ...plan.actions.map((a, i) => `  ${i + 1}. ${describeAction(a)}\n       why: ${a.reason.message}`),
  ];
  return lines.join("\n");
}

export function describeAction(action: PlanAction): string {
  switch (action.kind) {
    case "adoptObjects":
      return `tag ${action.privateIps.length} prewarmed IPs and ${action.vnics.length} VNICs with the node's name`;
    case "assignIps":
      return `assign ${action.count} secondary IPs on VNIC ${action.vnicId} (subnet ${action.subnetId})`;
    case "assignBlocks":
      return (
        `create ${action.blocks.length} /${action.prefixLength} IP CIDR blocks ` +
        `on VNIC ${action.vnicId} (subnet ${action.subnetId}) at ` +
        `${action.blocks.map((b) => b.candidates[0]).join(", ")}, offering ` +
        `${action.blocks.reduce((n, b) => n + b.offer, 0)} addresses`
      );
    case "releaseBlocks":
      return (
        `delete ${action.blocks.length} IP CIDR blocks: ` +
        `${action.blocks.map((b) => `${b.ipAddress}/${b.prefixLength}`).join(", ")}`
      );
    case "attachVnic":
      return (
        `attach a VNIC on subnet ${action.subnetId} (index ${action.index}, ` +
        `NSGs ${action.nsgIds.join(", ") || "none"}), then ` +
        `${action.thenBlocks ? `create ${action.thenBlocks.blocks.length} /${action.thenBlocks.prefixLength} blocks offering` : "assign"} ` +
        `${action.thenAssign} IPs`
      );
    case "awaitAttachment":
      return `wait for VNIC attachment ${action.attachmentId} to be ATTACHED`;
    case "markForRelease":
      return `mark ${action.ips.length} IPs on VNIC ${action.vnicId} for release: ${action.ips.join(", ")}`;
    case "releaseIps":
      return (
        `delete ${action.ips.length} private IPs on VNIC ${action.vnicId}: ` +
        `${action.ips.map((i) => i.ipAddress).join(", ")}`
      );
    case "writeReleaseStatus":
      return `write status.ipam.release-ips (${Object.keys(action.releaseIps).length} entries)`;
    case "writePool":
      return (
        `write spec.ipam.pool from OCI (${Object.keys(action.pool).length} IPs ` +
        `before this plan's ` +
        `creates)${action.preAllocate !== undefined ? ` and pre-allocate ${action.preAllocate}` : ""}`
      );
  }
}
