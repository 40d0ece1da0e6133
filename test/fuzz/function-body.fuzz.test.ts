import type { Context } from "@fnproject/fdk";
import { expect } from "chai";
import { request } from "node:http";
import { buildNudge } from "../../events/contracts";
import { composeAllocatorRuntime } from "../../functions/allocator/compose";
import { createAllocatorHandler } from "../../functions/allocator/handler";
import type { InvocationResult } from "../../functions/allocator/invocation-result";
import { LOCAL_CLUSTER_NAME, startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { silentLogger } from "../../lib/log";
import { FunctionUnderTest } from "../e2e/function-harness";
import { Hostile, MALFORMED_JSON, prng } from "./hostile";
import { asMessage, badMessage, badNudge, badOciEvent, type BadRecord, validNudge, validOciEvent } from "./records";

/**
 * The function's body, fuzzed against a real world: both emulators (zero latency), nodes already reconciled, the
 * allocator's runtime composed from the same configuration as the shipped function. Hostile records must be skipped
 * with a reason, valid records of the same batch still handled, and nothing else in OCI or Kubernetes may change.
 */

const MUTATING = ["CreatePrivateIp", "DeletePrivateIp", "AttachVnic", "DetachVnic", "BulkCreatePrivateIps"];

/** Everything the allocator could change: OCI objects and every Kubernetes object's resourceVersion. */
function worldOf(cluster: LocalCluster): { oci: string; mutations: number; kubeRevision: string } {
  const snap = cluster.oci.admin.snapshot() as unknown as {
    privateIps: unknown[];
    vnics: unknown[];
    vnicAttachments?: unknown[];
  };
  const counters = cluster.oci.admin.counters();
  return {
    oci: JSON.stringify([snap.privateIps, snap.vnics, snap.vnicAttachments ?? []]),
    mutations: MUTATING.reduce((a, op) => a + (counters[op] ?? 0), 0),
    kubeRevision: cluster.kube.store.resourceVersion(),
  };
}

function ctx(i: number): Context {
  return { callID: `fuzz-${i}`, deadline: new Date(Date.now() + 30_000), config: {} } as unknown as Context;
}

/** A hostile batch element (a stream message) that the decoder must refuse (variants it may accept are drawn again). */
function hostile(h: Hostile, offset: number): BadRecord {
  for (;;) {
    const bad = badMessage(h, offset);
    if (!bad.mayAccept) return bad;
  }
}

/** A hostile single event (the body is one nudge or one OCI Events envelope). */
function hostileEvent(h: Hostile): BadRecord {
  for (;;) {
    const bad = h.chance(0.6) ? badNudge(h) : badOciEvent(h);
    if (!bad.mayAccept) return bad;
  }
}

describe("fuzzing the function body against a local cluster", function () {
  this.timeout(120_000);
  let cluster: LocalCluster;
  let handle: (input: unknown, context: Context) => Promise<InvocationResult>;
  let outsiderInstance: string;
  let nodeAInstance: string;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero" });
    nodeAInstance = (await cluster.launchNode("fz-a")).instanceId;
    await cluster.launchNode("fz-b");
    const other = cluster.oci.admin.createCompartment({ name: "fuzz-elsewhere" });
    outsiderInstance = (
      cluster.oci.admin.launchInstance(
        { name: "fz-outsider", shape: "VM.Standard.E4.Flex", ocpus: 2, subnet: "workers-ad1", compartment: other.id },
        { running: true },
      ) as { id: string }
    ).id;
    cluster.joinNode("fz-outsider", outsiderInstance);
    const runtime = await composeAllocatorRuntime(
      { ...cluster.allocatorConfig, OCIPAM_LOG_LEVEL: "silent" },
      { log: silentLogger() },
    );
    handle = createAllocatorHandler(async () => runtime);
    // Both nodes at rest before any hostile input: a later change could only come from that input.
    const first = await handle(
      [asMessage(validNudge(new Hostile(prng(1)), "fz-a"), 0), asMessage(validNudge(new Hostile(prng(2)), "fz-b"), 1)],
      ctx(0),
    );
    expect(first.nodes.map((n) => [n.node, n.outcome, n.ipsCreated])).to.deep.equal([
      ["fz-a", "reconciled", 8],
      ["fz-b", "reconciled", 8],
    ]);
  });
  after(async () => cluster?.close());

  it("skips every hostile record of a batch with its reason and changes nothing anywhere", async () => {
    const h = new Hostile(prng(4242));
    for (let i = 0; i < 120; i++) {
      const before = worldOf(cluster);
      // Every fourth body is a single hostile event rather than a batch.
      const single = i % 4 === 3;
      const bads = single ? [hostileEvent(h)] : Array.from({ length: h.int(1, 8) }, (_, j) => hostile(h, j));
      const batch = single ? bads[0]!.value : bads.map((b) => b.value);
      const form = h.int(0, 2);
      const body = form === 0 ? batch : form === 1 ? JSON.stringify(batch) : Buffer.from(JSON.stringify(batch));
      const result = await handle(body, ctx(i + 1));
      const context = `seed 4242 batch ${i}`;
      expect(result.error, context).to.equal(undefined);
      expect(result.nodes, context).to.deep.equal([]);
      expect(result.instances, context).to.deep.equal([]);
      expect(result.records, context).to.equal(bads.length);
      expect(
        result.skipped.map((s) => s.index),
        context,
      ).to.deep.equal(bads.map((_, j) => j));
      result.skipped.forEach((s, j) => {
        expect(bads[j]!.reasons, `${context} record ${j}: ${bads[j]!.what}`).to.include(s.reason);
      });
      expect(worldOf(cluster), `${context}: the world is unchanged`).to.deep.equal(before);
    }
  });

  it("still reconciles the valid nudge of a batch full of hostile records, and touches nothing else", async () => {
    const h = new Hostile(prng(777));
    for (let i = 0; i < 25; i++) {
      const snapBefore = worldOf(cluster);
      const cnB = JSON.stringify(cluster.kube.store.get("ciliumnodes", "fz-b"));
      const bads = Array.from({ length: h.int(1, 6) }, (_, j) => hostile(h, j));
      const at = h.int(0, bads.length);
      const batch: unknown[] = bads.map((b) => b.value);
      batch.splice(at, 0, asMessage(validNudge(h, "fz-a"), 1000 + i));
      const result = await handle(batch, ctx(1000 + i));
      const context = `seed 777 batch ${i}`;
      expect(
        result.nodes.map((n) => [n.node, n.outcome]),
        context,
      ).to.deep.equal([["fz-a", "reconciled"]]);
      expect(result.skipped, context).to.have.length(bads.length);
      expect(
        result.skipped.map((s) => s.index),
        context,
      ).to.not.include(at);
      const after = worldOf(cluster);
      expect(after.oci, `${context}: OCI unchanged`).to.equal(snapBefore.oci);
      expect(after.mutations, `${context}: no OCI write`).to.equal(snapBefore.mutations);
      expect(
        JSON.stringify(cluster.kube.store.get("ciliumnodes", "fz-b")),
        `${context}: the other node untouched`,
      ).to.equal(cnB);
    }
  });

  it("refuses a well-formed nudge for a node that does not exist without writing anything to Kubernetes", async () => {
    const h = new Hostile(prng(5));
    for (let i = 0; i < 10; i++) {
      const before = worldOf(cluster);
      const ghost = validNudge(h);
      const result = await handle(ghost.value, ctx(2000 + i));
      expect(result.nodes.map((n) => [n.outcome, n.reason.code])).to.deep.equal([["refused", "CiliumNodeNotFound"]]);
      expect(
        worldOf(cluster),
        `nudge for ${(ghost as { node: string }).node}: no Lease, record or event is written`,
      ).to.deep.equal(before);
    }
  });

  it(
    "refuses well-formed events about instances outside the cluster or not " +
      "terminating, and changes nothing in OCI",
    async () => {
      const h = new Hostile(prng(6));
      const before = worldOf(cluster);
      const outsiderFingerprint = JSON.stringify(cluster.kube.store.get("ciliumnodes", "fz-outsider"));
      const otherCompartment = (
        cluster.oci.admin.snapshot() as unknown as { instances: Array<{ id: string; compartmentId: string }> }
      ).instances.find((x) => x.id === outsiderInstance)!.compartmentId;
      const launchElsewhere = validOciEvent(h, outsiderInstance, otherCompartment).value as Record<string, unknown>;
      launchElsewhere.eventType = "com.oraclecloud.computeapi.launchinstance.end";
      const forgedTermination = validOciEvent(h, nodeAInstance, cluster.allocatorConfig.OCIPAM_COMPARTMENT_IDS!)
        .value as Record<string, unknown>;
      forgedTermination.eventType = "com.oraclecloud.computeapi.terminateinstance.end";
      const result = await handle(
        [
          buildNudge({ type: "io.ocipam.node.needs-addresses", cluster: LOCAL_CLUSTER_NAME, node: "fz-outsider" }),
          buildNudge({ type: "io.ocipam.cluster.collect-leaks", cluster: "another-cluster" }),
          launchElsewhere,
          forgedTermination,
        ].map((v, i) =>
          asMessage(
            v === launchElsewhere || v === forgedTermination
              ? { kind: "instance-event", value: v, instanceId: "", compartmentId: "" }
              : { kind: "nudge", value: v, node: (v as { subject: string }).subject },
            i,
          ),
        ),
        ctx(3000),
      );
      // IAM (enforced, as deployed) hides the other compartment's instance from the allocator: GetInstance answers 404.
      expect(result.nodes.map((n) => [n.node, n.outcome, n.reason.code])).to.deep.equal([
        ["fz-outsider", "refused", "InstanceNotFound"],
      ]);
      // Instance events inside a stream batch are forgeries: only the Events rule delivers them (as the body itself).
      expect(result.skipped.map((s) => s.reason).sort()).to.deep.equal([
        "OtherCluster",
        "UntrustedSource",
        "UntrustedSource",
      ]);
      expect(result.instances).to.deep.equal([]);
      // The same events as the Events rule delivers them: refused on their merits.
      const elsewhere = await handle(launchElsewhere, ctx(3001));
      expect(elsewhere.skipped.map((s) => s.reason)).to.deep.equal(["NotInClusterCompartment"]);
      const terminated = await handle(forgedTermination, ctx(3002));
      expect(terminated.instances.map((x) => [x.action, x.outcome, x.reason.code])).to.deep.equal([
        ["terminate", "refused", "InstanceNotTerminating"],
      ]);
      const after = worldOf(cluster);
      expect(after.oci).to.equal(before.oci);
      expect(after.mutations).to.equal(before.mutations);
      expect(JSON.stringify(cluster.kube.store.get("ciliumnodes", "fz-outsider"))).to.equal(outsiderFingerprint);
      expect(
        cluster.kube.store.get("ociipamnodes", "fz-a"),
        "the running node's record survives a forged termination",
      ).to.not.equal(undefined);
    },
  );
});

/** POST /call with raw bytes (invokeOverSocket only sends text): what the Fn agent would pass on. */
function rawInvoke(socketPath: string, payload: Buffer, callId: string): Promise<{ statusCode: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: "POST",
        path: "/call",
        headers: {
          "Fn-Call-Id": callId,
          "Fn-Deadline": new Date(Date.now() + 30_000).toISOString(),
          "Content-Type": "application/json",
          "Content-Length": payload.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

describe("fuzzing the function body over the FDK socket (the shipped bundle)", function () {
  this.timeout(120_000);
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero" });
    await cluster.launchNode("sock-a");
    fn = await FunctionUnderTest.start(cluster, { OCIPAM_LOG_LEVEL: "warn" });
    await fn.warm();
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  it("answers 200 with a rejection for malformed, binary, empty and oversized bodies, and keeps serving", async () => {
    const h = new Hostile(prng(31));
    const bodies: Buffer[] = [
      ...MALFORMED_JSON.map((t) => Buffer.from(t)),
      Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
      Buffer.from(h.randomCodeUnits(500)),
      Buffer.from(
        JSON.stringify(
          Array.from({ length: 1200 }, (_, i) => ({ stream: "s", partition: "0", key: null, value: "!!", offset: i })),
        ),
      ),
      // OCI Functions accepts request bodies up to 6 MB; Connector Hub batches are far smaller.
      Buffer.from(
        JSON.stringify([
          { stream: "s", partition: "0", key: null, value: "x".repeat(6 * 1024 * 1024 - 100), offset: 0 },
        ]),
      ),
    ];
    const before = worldOf(cluster);
    for (const [i, body] of bodies.entries()) {
      const res = await rawInvoke(fn.fn.socketPath, body, `raw-${i}`);
      expect(res.statusCode, `body ${i}`).to.equal(200);
      const result = JSON.parse(res.body) as InvocationResult;
      expect(result.error, `body ${i}`).to.equal(undefined);
      expect(result.nodes, `body ${i}`).to.deep.equal([]);
      if (result.records > 0) expect(result.skipped.length, `body ${i}: every record skipped`).to.equal(result.records);
      for (const s of result.skipped) expect(s.message, `body ${i}`).to.be.a("string").and.not.equal("");
    }
    expect(worldOf(cluster).oci).to.equal(before.oci);
    expect(worldOf(cluster).mutations).to.equal(before.mutations);
  });

  it("handles the valid nudge of a hostile batch sent over the socket, and the process stays up", async () => {
    const h = new Hostile(prng(32));
    const bads = Array.from({ length: 20 }, (_, j) => hostile(h, j));
    const batch: unknown[] = bads.map((b) => b.value);
    batch.splice(7, 0, asMessage(validNudge(h, "sock-a"), 99));
    const result = await fn.invoke(batch);
    expect(result.nodes.map((n) => [n.node, n.outcome, n.ipsCreated])).to.deep.equal([["sock-a", "reconciled", 8]]);
    expect(result.skipped).to.have.length(20);
    expect(result.skipped.map((s) => s.index)).to.not.include(7);
    const again = await fn.invoke(validNudge(h, "sock-a").value);
    expect(again.nodes.map((n) => [n.node, n.outcome, n.ipsCreated])).to.deep.equal([["sock-a", "reconciled", 0]]);
  });
});
