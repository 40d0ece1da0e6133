import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OcipamError } from "../../errors";

export interface FunctionProcess {
  socketPath: string;
  pid: number | undefined;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period) and removes its socket files. */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crashed container would be: no cleanup runs inside it. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

export interface StartFunctionOptions {
  /** Module to run with tsx (TypeScript) or node (a .cjs bundle). */
  entry: string;
  /** The function's configuration, passed as environment (as OCI Functions does with app + function config). */
  config: Record<string, string>;
  appName?: string;
  fnName?: string;
  /** Where the process's stdout/stderr lines go (its JSON logs). */
  onOutput?: (line: string, stream: "stdout" | "stderr") => void;
  startTimeoutMs?: number;
}

/**
 * Runs a function the way the Fn agent does: a separate process with FN_FORMAT=http-stream and
 * FN_LISTENER=unix:<dir>/lsnr.sock, reached over that socket. A fresh directory per start, because the FDK exits
 * when stale socket files exist (fnproject/fdk-node fn-fdk.js).
 */
export async function startFunctionProcess(options: StartFunctionOptions): Promise<FunctionProcess> {
  const dir = mkdtempSync(join(tmpdir(), "ocipam-fn-"));
  const socketPath = join(dir, "lsnr.sock");
  const isTs = options.entry.endsWith(".ts");
  const args = isTs ? ["--import", "tsx", options.entry] : [options.entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      ...options.config,
      FN_FORMAT: "http-stream",
      FN_LISTENER: `unix:${socketPath}`,
      FN_APP_NAME: options.appName ?? "ocipam",
      FN_FN_NAME: options.fnName ?? "allocator",
      FN_APP_ID: "ocid1.fnapp.oc1..local",
      FN_FN_ID: "ocid1.fnfunc.oc1..local",
      FN_MEMORY: "256",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  for (const stream of ["stdout", "stderr"] as const) {
    let buffered = "";
    child[stream]!.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      for (;;) {
        const nl = buffered.indexOf("\n");
        if (nl < 0) break;
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.length > 0) options.onOutput?.(line, stream);
      }
    });
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? 15000);
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  while (!existsSync(socketPath)) {
    if (exitCode !== undefined)
      throw new OcipamError("FunctionStartFailed", `function process exited with code ${exitCode} before listening`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new OcipamError(
        "FunctionStartFailed",
        `function did not listen on ${socketPath} within ${options.startTimeoutMs ?? 15000} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  return {
    socketPath,
    pid: child.pid,
    exited,
    async stop() {
      if (exitCode === undefined) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
    async kill() {
      if (exitCode === undefined) {
        child.kill("SIGKILL");
        await exited;
      }
      cleanup();
    },
  };
}
