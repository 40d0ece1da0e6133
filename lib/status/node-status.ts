import { calculateNeededIps, effectivePreAllocate } from "../core/formulas";
import { instanceIdFromProviderId } from "../core/provider-id";
import type { CiliumNodeView, IpamRecordStatus, KubeNodeInfo } from "../ports/kube";

export interface NodeStatusRow {
  node: string;
  instance: string;
  shape: string;
  vnics: string;
  pool: number;
  used: number;
  needed: number;
  state: string;
  reason: string;
}

/**
 * Cloud controller managers label Nodes with their shape (the well-known label, formerly
 * beta.kubernetes.io/instance-type).
 */
const SHAPE_LABELS = ["node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"];

/**
 * One row per CiliumNode, joining what Kubernetes holds: the Node (providerID → instance, shape label), the
 * CiliumNode (pool, used; needed by Cilium's formula — max-allocate from the spec only, so a node at its shape
 * maximum may show a need the allocator reports as AtCapacity) and the project's OciIpamNode record (VNICs, state).
 */
export function nodeStatusRows(
  ciliumNodes: CiliumNodeView[],
  nodes: KubeNodeInfo[],
  records: Map<string, IpamRecordStatus | undefined>,
): NodeStatusRow[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return ciliumNodes
    .map((cn) => {
      const node = byName.get(cn.name);
      const record = records.get(cn.name);
      const pool = Object.keys(cn.ipam.pool).length;
      const used = Object.keys(cn.ipam.used).length;
      const needed = calculateNeededIps(
        pool,
        used,
        effectivePreAllocate(cn.ipam.preAllocate),
        cn.ipam.minAllocate ?? 0,
        cn.ipam.maxAllocate ?? 0,
      );
      const shape = SHAPE_LABELS.map((l) => node?.labels[l]).find((v) => v) ?? "-";
      return {
        node: cn.name,
        instance: instanceIdFromProviderId(node?.providerId) ?? "-",
        shape,
        vnics: record ? `${record.counts.vnicsAttached}/${record.counts.vnicSlots}` : "-",
        pool,
        used,
        needed,
        state: record?.state ?? "Pending",
        reason: record?.reason ?? "",
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node));
}

/** A fixed-width table; columns sized to their content. */
export function renderStatusTable(rows: NodeStatusRow[]): string {
  const header = ["NODE", "INSTANCE", "SHAPE", "VNICS", "POOL", "USED", "NEEDED", "STATE", "REASON"];
  const cells = rows.map((r) => [
    r.node,
    r.instance,
    r.shape,
    r.vnics,
    String(r.pool),
    String(r.used),
    String(r.needed),
    r.state,
    r.reason,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const totals = rows.reduce(
    (t, r) => ({ pool: t.pool + r.pool, used: t.used + r.used, needed: t.needed + r.needed }),
    { pool: 0, used: 0, needed: 0 },
  );
  return [
    line(header),
    ...cells.map(line),
    "",
    `${rows.length} nodes, pool ${totals.pool}, used ${totals.used}, needed ${totals.needed}`,
  ].join("\n");
}
