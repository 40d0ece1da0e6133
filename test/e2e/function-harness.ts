import { join } from "node:path";
import { bundledAllocatorFunction } from "../../lib/testbed/local/function-bundle";
import { buildNudge, encodeNudgeForStream } from "../../events/contracts";
import { invokeOverSocket } from "../../lib/testbed/local/fdk-client";
import { startFunctionProcess, type FunctionProcess } from "../../lib/testbed/local/function-process";
import { LOCAL_CLUSTER_NAME, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import type { InvocationResult } from "../../functions/allocator/invocation-result";

export const FUNCTION_ENTRY = join(__dirname, "..", "..", "functions", "allocator", "func.ts");

/** The shipped esbuild bundle of the function (see lib/testbed/local/function-bundle.ts). */
export const bundledFunction = bundledAllocatorFunction;

/** A running allocator function process for a local cluster, with its JSON log lines kept for assertions. */
export class FunctionUnderTest {
  readonly logs: Array<Record<string, unknown>> = [];
  private calls = 0;
  private constructor(readonly fn: FunctionProcess) {}

  static async start(
    cluster: LocalCluster,
    extraConfig: Record<string, string> = {},
    logs?: Array<Record<string, unknown>>,
  ): Promise<FunctionUnderTest> {
    const sink: Array<Record<string, unknown>> = logs ?? [];
    const fn = await startFunctionProcess({
      entry: await bundledFunction(),
      config: { ...cluster.allocatorConfig, ...extraConfig },
      onOutput: (line) => {
        try {
          sink.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          sink.push({ raw: line });
        }
      },
    });
    const fut = new FunctionUnderTest(fn);
    (fut as { logs: Array<Record<string, unknown>> }).logs = sink;
    return fut;
  }

  /** Invokes with `body` (an object is sent as JSON) and returns the parsed result; fails on a non-200 answer. */
  async invoke(body: unknown, deadlineMs = 30_000): Promise<InvocationResult> {
    const res = await invokeOverSocket(this.fn.socketPath, typeof body === "string" ? body : JSON.stringify(body), {
      callId: `e2e-${++this.calls}`,
      deadline: new Date(Date.now() + deadlineMs),
    });
    if (res.statusCode !== 200) throw new Error(`function answered ${res.statusCode}: ${res.body}`);
    return JSON.parse(res.body) as InvocationResult;
  }

  /** Composes the runtime (first invocation of a container) with an empty batch, so later calls are warm. */
  async warm(): Promise<void> {
    await this.invoke([]);
  }

  stop(): Promise<void> {
    return this.fn.stop();
  }

  kill(): Promise<void> {
    return this.fn.kill();
  }
}

export function nudgeFor(node: string) {
  return buildNudge({ type: "io.ocipam.node.needs-addresses", cluster: LOCAL_CLUSTER_NAME, node });
}

/** A Connector Hub batch (JSON array of stream messages with base64 key/value) carrying these nudges. */
export function connectorBatch(nodes: string[], streamId: string) {
  return nodes.map((node, i) => {
    const entry = encodeNudgeForStream(nudgeFor(node));
    return {
      stream: streamId,
      partition: "0",
      key: entry.key,
      value: entry.value,
      offset: i,
      timestamp: new Date().toISOString(),
    };
  });
}
