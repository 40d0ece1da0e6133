import type { Pipeline } from "./pipeline";

/**
 * Live progress of a local run: on a terminal, a table redrawn in place (per node pool / used / VNICs / state, and
 * totals); otherwise one totals line per call.
 */
export class ProgressView {
  private drawnLines = 0;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly maxRows = 16,
  ) {}

  render(pipeline: Pipeline): void {
    const store = pipeline.cluster.kube.store;
    const rows = [...pipeline.sim.nodes.values()].map((node) => {
      const cn = store.get("ciliumnodes", node.name) as
        | { spec?: { ipam?: { pool?: Record<string, { resource?: string }> } }; status?: { ipam?: { used?: object } } }
        | undefined;
      const record = store.get("ociipamnodes", node.name) as
        | { status?: { state?: string; counts?: { vnicsAttached?: number; vnicSlots?: number } } }
        | undefined;
      const pool = Object.values(cn?.spec?.ipam?.pool ?? {});
      return {
        name: node.name,
        pool: pool.length,
        used: Object.keys(cn?.status?.ipam?.used ?? {}).length,
        pending: node.agent.waitingPods.length,
        vnics: `${new Set(pool.map((e) => e.resource)).size}/${record?.status?.counts?.vnicSlots ?? "?"}`,
        state: record?.status?.state ?? "Pending",
      };
    });
    const totals = rows.reduce(
      (t, r) => ({ pool: t.pool + r.pool, used: t.used + r.used, pending: t.pending + r.pending }),
      { pool: 0, used: 0, pending: 0 },
    );
    const ready = [...pipeline.sim.nodes.values()].filter((n) => n.readyAtSimMs !== undefined).length;
    const head =
      `t=${(pipeline.clock.nowMs() / 1000).toFixed(0).padStart(4)}s sim  ` +
      `nodes ${rows.length} (${ready} ready)  pool ${totals.pool}  used ` +
      `${totals.used}  waiting pods ${totals.pending}  invocations ` +
      `${pipeline.connector.stats.invocations}`;
    if (!this.out.isTTY) {
      this.out.write(`${head}\n`);
      return;
    }
    const lines = [
      head,
      "  node            pool  used  wait  vnics  state",
      ...rows
        .slice(0, this.maxRows)
        .map(
          (r) =>
            `  ${r.name.padEnd(15)} ${String(r.pool).padStart(4)}  ` +
            `${String(r.used).padStart(4)}  ${String(r.pending).padStart(4)}  ` +
            `${r.vnics.padStart(5)}  ${r.state}`,
        ),
    ];
    if (rows.length > this.maxRows) lines.push(`  … ${rows.length - this.maxRows} more nodes`);
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.out.write(`${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}
