import { expect } from "chai";
import type { AgentHealth } from "../../lib/node-agent/agent";
import { startHealthServer } from "../../lib/node-agent/health-server";

describe("node-agent probe endpoints", () => {
  it("answers /readyz 503 until a pass reached the kernel, /healthz 503 once passes stop", async () => {
    let state: AgentHealth = { ready: false, lastAttemptAt: new Date(1_000) };
    let now = 1_000;
    const health = await startHealthServer({
      health: () => state,
      host: "127.0.0.1",
      port: 0,
      maxSilenceMs: 500,
      now: () => now,
    });
    const status = async (path: string) => (await fetch(`http://127.0.0.1:${health.port}${path}`)).status;
    try {
      expect(await status("/readyz")).to.equal(503);
      expect(await status("/healthz")).to.equal(200);
      state = { ready: true, lastAttemptAt: new Date(1_000), lastSuccessAt: new Date(1_000), lastOutcome: "applied" };
      expect(await status("/readyz")).to.equal(200);
      now = 1_600;
      expect(await status("/healthz")).to.equal(503);
      expect(await status("/metrics")).to.equal(404);
    } finally {
      await health.close();
    }
  });
});
