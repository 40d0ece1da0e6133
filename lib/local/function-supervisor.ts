import type { Log } from "../log";
import { invokeOverSocket, type FdkCallResult } from "./fdk-client";
import { startFunctionProcess, type FunctionProcess } from "./function-process";

/**
 * Keeps one function container "warm" for local runs, as the Functions service would: a process started on demand,
 * restarted after it dies (a crash, or chaos killing it). `invoke` always goes to the current process.
 */
export class FunctionSupervisor {
  private current: Promise<FunctionProcess> | undefined;
  starts = 0;
  /** Invocations sent and not yet answered (benchmarks and chaos runs wait for 0, or kill while > 0). */
  inFlight = 0;
  readonly logLines: Array<Record<string, unknown>> = [];

  constructor(private readonly entry: string, private readonly config: Record<string, string>, private readonly log: Log, private readonly keepLogs = 0) {}

  async invoke(payload: string, callId: string, deadline: Date): Promise<FdkCallResult> {
    this.inFlight++;
    try {
      const fn = await this.process();
      return await invokeOverSocket(fn.socketPath, payload, { callId, deadline });
    } catch (err) {
      // The container is gone: the next invocation gets a new one (a cold start).
      this.current = undefined;
      throw err;
    } finally {
      this.inFlight--;
    }
  }

  /** Kills the running process at once (no cleanup inside it), as a crashed container. */
  async kill(): Promise<void> {
    const fn = await this.current?.catch(() => undefined);
    this.current = undefined;
    await fn?.kill();
  }

  async stop(): Promise<void> {
    const fn = await this.current?.catch(() => undefined);
    this.current = undefined;
    await fn?.stop();
  }

  private process(): Promise<FunctionProcess> {
    this.current ??= (async () => {
      this.starts++;
      const fn = await startFunctionProcess({
        entry: this.entry,
        config: this.config,
        onOutput: (line, stream) => {
          if (this.keepLogs === 0) return;
          try {
            this.logLines.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            this.logLines.push({ stream, raw: line });
          }
          if (this.logLines.length > this.keepLogs) this.logLines.splice(0, this.logLines.length - this.keepLogs);
        },
      });
      void fn.exited.then((code) => {
        this.log.debug({ code }, "function process exited");
      });
      return fn;
    })();
    this.current.catch(() => (this.current = undefined));
    return this.current;
  }
}
