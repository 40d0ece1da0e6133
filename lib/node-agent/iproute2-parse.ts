import { MAIN_TABLE, type ObservedLink, type ObservedRoute, type ObservedRule } from "./model";

/**
 * Parsers for `ip -json` output (iproute2 ≥ 5; checked against 6.1). The adapter asks for numeric output (`-N`) and
 * details (`-d`) so tables, protocols, scopes and route types arrive as numbers and every rule carries its protocol;
 * names are still understood in case a build ignores `-N`.
 */

const RULE_KEYS = new Set(["priority", "src", "srclen", "dst", "dstlen", "table", "protocol", "flags"]);
const SCOPES: Record<string, string> = {
  "0": "global",
  "200": "site",
  "253": "link",
  "254": "host",
  "255": "nowhere",
  universe: "global",
};
const ROUTE_TYPES: Record<string, string> = {
  "1": "unicast",
  "2": "local",
  "3": "broadcast",
  "4": "anycast",
  "5": "multicast",
  "6": "blackhole",
  "7": "unreachable",
  "8": "prohibit",
  "9": "throw",
  "10": "nat",
};
const TABLE_NAMES: Record<string, number> = { main: 254, local: 255, default: 253, unspec: 0 };
const PROTOCOL_NAMES: Record<string, number> = { unspec: 0, redirect: 1, kernel: 2, boot: 3, static: 4 };

type Json = Record<string, unknown>;

function entries(text: string, what: string): Json[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const parsed: unknown = JSON.parse(trimmed);
  if (!Array.isArray(parsed)) throw new Error(`ip -json ${what}: expected a JSON array`);
  return parsed.filter((e): e is Json => typeof e === "object" && e !== null);
}

/** `ip -d -json link show`. */
export function parseLinks(text: string): ObservedLink[] {
  return entries(text, "link").map((e) => {
    const flags = Array.isArray(e.flags) ? (e.flags as unknown[]).map(String) : [];
    return {
      ifname: String(e.ifname ?? ""),
      ifindex: Number(e.ifindex ?? 0),
      mac: String(e.address ?? "").toLowerCase(),
      mtu: Number(e.mtu ?? 0),
      up: flags.includes("UP"),
      slave: flags.includes("SLAVE"),
    };
  });
}

/** `ip -4 -N -d -json rule show`. */
export function parseRules(text: string): ObservedRule[] {
  return entries(text, "rule").map((e) => ({
    priority: Number(e.priority ?? 0),
    ...(typeof e.src === "string" && e.src !== "all" ? { from: `${e.src}/${e.srclen ?? 32}` } : {}),
    ...(typeof e.dst === "string" && e.dst !== "all" ? { to: `${e.dst}/${e.dstlen ?? 32}` } : {}),
    table: e.table === undefined ? -1 : tableNumber(e.table),
    protocol: e.protocol === undefined ? 0 : protocolNumber(e.protocol),
    otherSelectors: Object.keys(e)
      .filter((k) => !RULE_KEYS.has(k))
      .sort(),
  }));
}

/** Whether every rule of a `ip -4 -N -d -json rule show` listing reports its protocol (FRA_PROTOCOL, Linux ≥ 4.17). */
export function rulesReportProtocol(text: string): boolean {
  const list = entries(text, "rule");
  return list.length > 0 && list.every((e) => e.protocol !== undefined);
}

/** `ip -4 -N -d -json route show table all`. */
export function parseRoutes(text: string): ObservedRoute[] {
  return entries(text, "route").map((e) => {
    const dst = String(e.dst ?? "default");
    return {
      table: e.table === undefined ? MAIN_TABLE : tableNumber(e.table),
      dst: dst === "default" || dst.includes("/") ? dst : `${dst}/32`,
      ...(typeof e.gateway === "string" ? { gateway: e.gateway } : {}),
      ...(typeof e.dev === "string" ? { dev: e.dev } : {}),
      scope: e.scope === undefined ? "global" : (SCOPES[String(e.scope)] ?? String(e.scope)),
      protocol: e.protocol === undefined ? 0 : protocolNumber(e.protocol),
      metric: Number(e.metric ?? 0),
      type: e.type === undefined ? "unicast" : (ROUTE_TYPES[String(e.type)] ?? String(e.type)),
    };
  });
}

function tableNumber(value: unknown): number {
  const text = String(value);
  return /^\d+$/.test(text) ? Number(text) : (TABLE_NAMES[text] ?? -1);
}

/** Unknown protocol names map to -1, which never equals the agent's own number, so such entries stay foreign. */
function protocolNumber(value: unknown): number {
  const text = String(value);
  return /^\d+$/.test(text) ? Number(text) : (PROTOCOL_NAMES[text] ?? -1);
}
