import { readFileSync } from "node:fs";
import type { Log } from "../../log";
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

  constructor(
    private readonly entry: string,
    private readonly config: Record<string, string>,
    private readonly log: Log,
    private readonly keepLogs = 0,
  ) {}

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

  /**
   * CPU time (user + system, ms) of the current function process so far, from /proc/<pid>/stat (Linux; null
   * elsewhere or when no process runs). The benchmarks report it apart from the emulators' CPU in their own process.
   */
  async cpuMs(): Promise<{ pid: number; ms: number } | null> {
    const fn = await this.current?.catch(() => undefined);
    const ms = fn?.pid === undefined ? null : processCpuMs(fn.pid);
    return ms === null ? null : { pid: fn!.pid!, ms };
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

/** utime + stime of a process in ms: fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux). */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}
