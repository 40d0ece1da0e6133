import { readFileSync } from "node:fs";

export interface ProcessMemory {
  /** Resident set size now (VmRSS), MiB. */
  rssMiB: number;
  /** Peak resident set size since the process started (VmHWM), MiB. */
  peakMiB: number;
}

/**
 * Resident memory of another process from Linux's /proc/<pid>/status (proc(5): VmRSS, VmHWM in kB). Undefined
 * where /proc is not available or the process is gone; the benchmark then reports "n/a".
 */
export function readProcessMemory(pid: number | undefined): ProcessMemory | undefined {
  if (pid === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  return parseProcStatus(text);
}

/** Parses the VmRSS and VmHWM lines of /proc/<pid>/status; undefined when either is missing. */
export function parseProcStatus(text: string): ProcessMemory | undefined {
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "m").exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const rss = kb("VmRSS");
  const hwm = kb("VmHWM");
  if (rss === undefined || hwm === undefined) return undefined;
  return { rssMiB: rss / 1024, peakMiB: hwm / 1024 };
}
