import { expect } from "chai";
import { AgentState } from "../../lib/testbed/local/cilium-agent/agent-state";

const pool = { "10.0.1.10": { resource: "v1" }, "10.0.1.11": { resource: "v1" }, "10.0.1.12": { resource: "v1" } };

describe("Cilium agent stand-in state (pkg/ipam/crd.go semantics)", () => {
  it("allocates only pool IPs, never one in the release handshake or with a pool owner", () => {
    const agent = new AgentState();
    const node = {
      pool: { ...pool, "10.0.1.13": { owner: "other/pod", resource: "v1" } },
      releaseIps: { "10.0.1.10": "marked-for-release" as const, "10.0.1.11": "released" as const },
    };
    expect(agent.allocateNext(node, "default/a")).to.equal("10.0.1.12");
    expect(agent.allocateNext(node, "default/b")).to.equal(undefined);
    expect(agent.usedMap()).to.deep.equal({ "10.0.1.12": { owner: "default/a", resource: "v1" } });
  });

  it("gives a pinned IP to the pod it is pinned to", () => {
    const agent = new AgentState();
    const node = { pool: { ...pool, "10.0.1.20": { owner: "default/db", resource: "v1" } }, releaseIps: {} };
    expect(agent.allocateNext(node, "default/db")).to.equal("10.0.1.20");
  });

  it("answers ready-for-release for a marked IP it does not use and do-not-release for one it uses", () => {
    const agent = new AgentState();
    const node = { pool, releaseIps: {} };
    agent.allocateNext(node, "default/a");
    const answered = agent.answerReleaseHandshake({
      pool,
      releaseIps: { "10.0.1.10": "marked-for-release", "10.0.1.11": "marked-for-release" },
    });
    expect(answered).to.deep.equal({
      changed: true,
      releaseIps: { "10.0.1.10": "do-not-release", "10.0.1.11": "ready-for-release" },
    });
  });

  it("answers do-not-release for a marked IP that is not in its pool", () => {
    const agent = new AgentState();
    expect(
      agent.answerReleaseHandshake({ pool, releaseIps: { "10.0.9.9": "marked-for-release" } }).releaseIps,
    ).to.deep.equal({ "10.0.9.9": "do-not-release" });
  });

  it("removes a released entry only once the IP has left the pool", () => {
    const agent = new AgentState();
    expect(agent.answerReleaseHandshake({ pool, releaseIps: { "10.0.1.10": "released" } })).to.deep.equal({
      changed: false,
      releaseIps: { "10.0.1.10": "released" },
    });
    expect(agent.answerReleaseHandshake({ pool: {}, releaseIps: { "10.0.1.10": "released" } })).to.deep.equal({
      changed: true,
      releaseIps: {},
    });
  });

  it("never changes an answer it already gave", () => {
    const agent = new AgentState();
    const node = {
      pool,
      releaseIps: { "10.0.1.10": "ready-for-release" as const, "10.0.1.11": "do-not-release" as const },
    };
    expect(agent.answerReleaseHandshake(node).changed).to.equal(false);
  });

  it("frees the IP of a deleted pod", () => {
    const agent = new AgentState();
    const ip = agent.allocateNext({ pool, releaseIps: {} }, "default/a");
    expect(agent.release("default/a")).to.equal(ip);
    expect(agent.usedMap()).to.deep.equal({});
  });
});
