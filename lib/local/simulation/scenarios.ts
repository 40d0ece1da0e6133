import type { Pipeline } from "../pipeline";

export interface ScenarioContext {
  pipeline: Pipeline;
  nodes: number;
  random: () => number;
}

export interface Scenario {
  name: string;
  description: string;
  /** Drives the workload; resolves when the last change is made (quiescence is awaited afterwards). */
  run(ctx: ScenarioContext): Promise<void>;
}

const nodeName = (i: number) => `worker-${String(i).padStart(3, "0")}`;

async function joinAll(ctx: ScenarioContext, spacingSimMs: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < ctx.nodes; i++) {
    names.push(nodeName(i));
    await ctx.pipeline.sim.joinNode(nodeName(i));
    await ctx.pipeline.clock.sleep(spacingSimMs);
  }
  return names;
}

/** Nodes join one after another; then each gets 40 pods in steps, which outgrows the primary VNIC (31 IPs). */
export const scaleUp: Scenario = {
  name: "scale-up",
  description: "nodes join, then each ramps up to 40 pods (a second VNIC is attached as the primary fills)",
  async run(ctx) {
    const names = await joinAll(ctx, 500);
    await ctx.pipeline.clock.sleep(10_000);
    for (let step = 0; step < 10; step++) {
      for (const n of names) ctx.pipeline.sim.schedulePods(n, 4);
      await ctx.pipeline.clock.sleep(3_000);
    }
  },
};

/** Nodes join with 20 pods each; then pods come and go at random for two simulated minutes. */
export const churn: Scenario = {
  name: "churn",
  description: "nodes join with 20 pods each, then pods are deleted and created at random for 120 simulated seconds",
  async run(ctx) {
    const names = await joinAll(ctx, 500);
    for (const n of names) ctx.pipeline.sim.schedulePods(n, 20);
    await ctx.pipeline.clock.sleep(20_000);
    for (let round = 0; round < 24; round++) {
      for (const n of names) {
        const shuffle = (pods: string[]) => pods.map((p) => [ctx.random(), p] as const).sort((a, b) => a[0] - b[0]).map(([, p]) => p);
        // As many pods come as go on average (0–5 each way), so a node stays within its capacity.
        ctx.pipeline.sim.deletePods(n, Math.floor(ctx.random() * 6), shuffle);
        ctx.pipeline.sim.schedulePods(n, Math.floor(ctx.random() * 6));
      }
      await ctx.pipeline.clock.sleep(5_000);
    }
  },
};

export const SCENARIOS: Record<string, Scenario> = { [scaleUp.name]: scaleUp, [churn.name]: churn };
