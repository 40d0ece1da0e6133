import { expect } from "chai";
import { join } from "node:path";
import { invokeOverSocket } from "../../lib/testbed/local/fdk-client";
import { startFunctionProcess, type FunctionProcess } from "../../lib/testbed/local/function-process";

const ECHO = join(__dirname, "..", "fixtures", "functions", "echo-function.ts");

describe("local function process over the FDK socket", () => {
  let fn: FunctionProcess;
  before(async () => {
    fn = await startFunctionProcess({ entry: ECHO, config: { ECHO_SETTING: "on" } });
  });
  after(async () => fn.stop());

  it("delivers the payload, Fn-Call-Id, Fn-Deadline and config to the handler as the Fn agent does", async () => {
    const deadline = new Date(Date.now() + 30_000);
    const res = await invokeOverSocket(fn.socketPath, JSON.stringify({ hello: "world" }), {
      callId: "01CALL",
      deadline,
    });
    expect(res.statusCode).to.equal(200);
    const body = JSON.parse(res.body);
    expect(body).to.deep.equal({
      input: { hello: "world" },
      callId: "01CALL",
      deadline: deadline.toISOString(),
      sawConfig: "on",
    });
  });

  it("answers 502 with the FDK's error body when the handler throws", async () => {
    const res = await invokeOverSocket(fn.socketPath, JSON.stringify({ fail: true }), {
      callId: "02CALL",
      deadline: new Date(Date.now() + 30_000),
    });
    expect(res.statusCode).to.equal(502);
    expect(JSON.parse(res.body).message).to.match(/Exception in function/);
  });

  it("rejects with FunctionUnreachable once the process was killed", async () => {
    const other = await startFunctionProcess({ entry: ECHO, config: {} });
    await other.kill();
    let caught: unknown;
    try {
      await invokeOverSocket(other.socketPath, "{}", { callId: "03CALL", deadline: new Date(Date.now() + 5000) });
    } catch (err) {
      caught = err;
    }
    expect((caught as { reason?: string }).reason).to.equal("FunctionUnreachable");
  });
});
