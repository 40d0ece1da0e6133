import { execFile } from "node:child_process";
import { InvalidInputError } from "../errors";
import { IpCommandError, UnsupportedHostError } from "./errors";
import { parseCidr, isIpv4 } from "./ipv4";
import { parseLinks, parseRoutes, parseRules, rulesReportProtocol } from "./iproute2-parse";
import type { ObservedNet, RoutingOp } from "./model";

/** The port the reconciler uses to read and change the kernel's routing state. */
export interface RoutingDataplane {
  /** Reads links, IPv4 rules and IPv4 routes of every table. Called at the start of each reconcile. */
  observe(): Promise<ObservedNet>;
  /**
   * Applies one change, marking routes and rules with the agent's protocol number. Throws IpCommandError when the
   * kernel refuses it; the reconciler records the error and carries on with the other changes.
   */
  apply(op: RoutingOp): Promise<void>;
}

export interface Iproute2Options {
  /** Protocol number stamped on every route and rule this adapter installs or deletes. */
  protocol: number;
  /** Path of the `ip` binary (default `ip`, from PATH). */
  ipPath?: string;
  /** Run every command inside this named network namespace (`ip -n <netns>`); tests use it for a fake node. */
  netns?: string;
  /** Per-command timeout (default 10 s). */
  timeoutMs?: number;
}

const IFNAME = /^[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,14}$/; // dev_valid_name: < IFNAMSIZ, no "/", ":" or space

/**
 * RoutingDataplane over iproute2's `ip` command: `ip -json` to read, one `ip` invocation per change. Commands run
 * through `execFile` with an argument array (no shell), and every value that reaches an argument is validated first
 * (canonical IPv4, CIDR, interface name), so neither the CiliumNode nor the metadata service can inject anything.
 */
export class Iproute2Dataplane implements RoutingDataplane {
  private readonly ipPath: string;
  private readonly prefix: string[];
  private readonly timeoutMs: number;

  constructor(private readonly options: Iproute2Options) {
    this.ipPath = options.ipPath ?? "ip";
    this.prefix = options.netns ? ["-n", options.netns] : [];
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Checks once at startup that `ip` runs and that the kernel keeps a protocol on rules (FRA_PROTOCOL, Linux 4.17+),
   * which is how the agent recognises its own rules after a restart. Throws UnsupportedHostError otherwise.
   */
  async checkSupport(): Promise<void> {
    let text: string;
    try {
      text = await this.run(["-4", "-N", "-d", "-json", "rule", "show"]);
    } catch (err) {
      throw new UnsupportedHostError(`cannot list routing rules with ${this.ipPath}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!rulesReportProtocol(text)) {
      throw new UnsupportedHostError(
        "the kernel does not report a protocol on routing rules (FRA_PROTOCOL " +
          "needs Linux 4.17 or later); the agent could not tell its own rules " +
          "apart",
      );
    }
  }

  async observe(): Promise<ObservedNet> {
    const [links, rules, routes] = await Promise.all([
      this.run(["-d", "-json", "link", "show"]),
      this.run(["-4", "-N", "-d", "-json", "rule", "show"]),
      this.run(["-4", "-N", "-d", "-json", "route", "show", "table", "all"]),
    ]);
    return { links: parseLinks(links), rules: parseRules(rules), routes: parseRoutes(routes) };
  }

  async apply(op: RoutingOp): Promise<void> {
    await this.run(this.argsFor(op));
  }

  /** The argument array for one change (exposed for tests and for `--dry-run` output). */
  argsFor(op: RoutingOp): string[] {
    const proto = String(this.options.protocol);
    switch (op.kind) {
      case "setLinkMtu":
        return ["link", "set", "dev", ifname(op.ifname), "mtu", String(positiveInt(op.mtu, "mtu"))];
      case "setLinkUp":
        return ["link", "set", "dev", ifname(op.ifname), "up"];
      case "replaceRoute":
        return [
          "-4",
          "route",
          "replace",
          destination(op.dst),
          ...(op.gateway ? ["via", address(op.gateway, "gateway")] : []),
          "dev",
          ifname(op.dev),
          "scope",
          op.scope,
          "table",
          String(positiveInt(op.table, "table")),
          "proto",
          proto,
        ];
      case "deleteRoute":
        return [
          "-4",
          "route",
          "del",
          destination(op.dst),
          "table",
          String(positiveInt(op.table, "table")),
          "proto",
          proto,
          ...(op.metric ? ["metric", String(op.metric)] : []),
        ];
      case "addRule":
      case "deleteRule":
        return [
          "-4",
          "rule",
          op.kind === "addRule" ? "add" : "del",
          "priority",
          String(positiveInt(op.priority, "priority")),
          ...(op.from ? ["from", cidr(op.from, "from")] : []),
          ...(op.to ? ["to", cidr(op.to, "to")] : []),
          "lookup",
          String(positiveInt(op.table, "table")),
          "protocol",
          proto,
        ];
    }
  }

  private run(args: string[]): Promise<string> {
    const full = [...this.prefix, ...args];
    return new Promise((resolve, reject) => {
      execFile(
        this.ipPath,
        full,
        { timeout: this.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
          const detail =
            e.code === "ENOENT" ? `${this.ipPath} not found (install iproute2)` : stderr.trim() || e.message;
          reject(
            new IpCommandError(
              `ip ${full.join(" ")}: ${detail}`,
              {
                args: full,
                exitCode: typeof e.code === "number" ? e.code : undefined,
                stderr: stderr.trim(),
                timedOut: e.killed === true,
              },
              { cause: err },
            ),
          );
        },
      );
    });
  }
}

function ifname(name: string): string {
  if (!IFNAME.test(name)) throw new InvalidInputError("ifname", `not a usable interface name: ${JSON.stringify(name)}`);
  return name;
}

function address(text: string, field: string): string {
  if (!isIpv4(text)) throw new InvalidInputError(field, `not an IPv4 address: ${JSON.stringify(text)}`);
  return text;
}

function cidr(text: string, field: string): string {
  const parsed = parseCidr(text);
  if (!parsed || !text.includes("/")) throw new InvalidInputError(field, `not an IPv4 CIDR: ${JSON.stringify(text)}`);
  return `${parsed.address}/${parsed.prefix}`;
}

function destination(text: string): string {
  return text === "default" ? "default" : cidr(text, "dst");
}

function positiveInt(value: number, field: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidInputError(field, `not a positive integer: ${value}`);
  return value;
}
