import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";

/** The bin script as package.json names it. */
export const OCIPAM = join(__dirname, "..", "..", "lib", "cli", "ocipam.cjs");

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The executable to start instead of `node ocipam.cjs` (e.g. a node_modules/.bin symlink). */
  executable?: string;
  env?: Record<string, string>;
  /** Written to the child's standard input, which is then closed. */
  stdin?: string;
  cwd?: string;
}

/** A minimal environment: what the command needs to run, nothing of the test runner's own OCIPAM_* keys. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...extra };
}

/** Starts the command as a child process. */
export function startOcipam(args: string[], options: RunOptions = {}): ChildProcess {
  const [file, argv] = options.executable ? [options.executable, args] : [process.execPath, [OCIPAM, ...args]];
  const cwd = options.cwd ? { cwd: options.cwd } : {};
  return spawn(file, argv, { env: options.env ?? cleanEnv(), stdio: ["pipe", "pipe", "pipe"], ...cwd });
}

/** Runs the command to its end and collects its exit code, stdout and stderr. */
export function runOcipam(args: string[], options: RunOptions = {}): Promise<Ran> {
  const child = startOcipam(args, options);
  return collect(child, options.stdin);
}

/** Collects the output of a started child until it exits. */
export function collect(child: ChildProcess, stdin?: string): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin!.end(stdin ?? "");
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves with the child's stdout (or stderr) so far once `done` holds for it (a long-running child's output). */
export function outputUntil(
  child: ChildProcess,
  done: (text: string) => boolean,
  stream: "stdout" | "stderr" = "stdout",
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (d: Buffer | string): void => {
      text += d.toString();
      if (done(text)) {
        child[stream]!.off("data", onData);
        resolve(text);
      }
    };
    child[stream]!.on("data", onData);
    child.once("exit", (code) => {
      reject(new Error(`exited with ${code} before the expected ${stream}; got ${JSON.stringify(text)}`));
    });
  });
}

/** Resolves with the first stdout line of a long-running child (an emulator's summary). */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}
