import { ConfigError } from "../errors";
import { DEFAULT_IMDS_VNICS_URL } from "./imds";
import { parseCidr } from "./ipv4";
import { DEFAULT_MTU, DEFAULT_PROTOCOL, type RoutingConfig } from "./model";

/** Command-line values of `ocipam node-agent`, as commander hands them over (strings). */
export interface NodeAgentFlags {
  nodeName?: string;
  imdsUrl?: string;
  mtu?: string;
  protocol?: string;
  egressCidr?: string[];
  /** The allocator's OCIPAM_IP_BLOCK_PREFIX_LENGTH (default: env OCIPAM_IP_BLOCK_PREFIX_LENGTH, else 32). */
  ipBlockPrefix?: string;
  resyncSeconds?: string;
  retrySeconds?: string;
  healthAddress?: string;
  netns?: string;
  ipPath?: string;
  kubeconfig?: string;
}

export interface NodeAgentSettings {
  nodeName: string;
  imdsUrl: string;
  routing: RoutingConfig;
  /**
   * Where `routing.egressCidrs` comes from: the flags (`--egress-cidr`, including `all`), or, without the flag,
   * Cilium's ConfigMap kube-system/cilium-config read at start (adapters/cilium-config-source.ts).
   */
  egressFrom: "flags" | "cilium-config";
  resyncMs: number;
  retryMs: number;
  /** Undefined when disabled (`--health-address off`). */
  health?: { host: string; port: number };
  netns?: string;
  ipPath: string;
  kubeconfig?: string;
}

/**
 * Validates the flags. The node name falls back to `env.NODE_NAME` (the DaemonSet sets it from `spec.nodeName`);
 * `env` is passed in so nothing reads the environment at import time.
 */
export function parseNodeAgentFlags(flags: NodeAgentFlags, env: Record<string, string | undefined>): NodeAgentSettings {
  const nodeName = flags.nodeName ?? env.NODE_NAME;
  if (!nodeName) throw new ConfigError("node-name", "required (or set NODE_NAME)");
  // A DNS-1123 subdomain: it ends up in a field selector, so refuse anything else.
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(nodeName))
    throw new ConfigError("node-name", `not a Kubernetes node name: ${JSON.stringify(nodeName)}`);

  const imdsUrl = flags.imdsUrl ?? DEFAULT_IMDS_VNICS_URL;
  if (!/^https?:\/\//.test(imdsUrl)) throw new ConfigError("imds-url", "must be an http(s) URL");

  const mtu = integer(flags.mtu, DEFAULT_MTU, "mtu", 576, 65535);
  // 0-4 are the kernel's own (unspec, redirect, kernel, boot, static); 255 is reserved in iproute2's table.
  const protocol = integer(flags.protocol, DEFAULT_PROTOCOL, "protocol", 5, 254);
  // Each flag may hold a comma-separated list (so one ConfigMap value can carry a VCN's several CIDRs); "all" means
  // every destination (Cilium does not masquerade). Without the flag, Cilium's own ConfigMap decides (run.ts).
  const egressTexts = (flags.egressCidr ?? [])
    .flatMap((v) => v.split(","))
    .map((t) => t.trim())
    .filter((t) => t !== "");
  const egressAll = egressTexts.includes("all");
  if (egressAll && egressTexts.length > 1) throw new ConfigError("egress-cidr", "all cannot be combined with CIDRs");
  const egressCidrs = egressAll
    ? []
    : egressTexts.map((text) => {
        const c = parseCidr(text);
        if (!c || !text.includes("/"))
          throw new ConfigError("egress-cidr", `not an IPv4 CIDR: ${JSON.stringify(text)}`);
        return `${c.address}/${c.prefix}`;
      });
  // Same bounds as the allocator's key (lib/core/blocks/held.ts): one rule per block needs the block's length.
  const blockPrefixLength = integer(
    flags.ipBlockPrefix ?? env.OCIPAM_IP_BLOCK_PREFIX_LENGTH,
    32,
    "ip-block-prefix",
    24,
    32,
  );
  const resyncMs = integer(flags.resyncSeconds, 60, "resync-seconds", 1, 86_400) * 1000;
  const retryMs = integer(flags.retrySeconds, 5, "retry-seconds", 1, 3_600) * 1000;

  let health: NodeAgentSettings["health"];
  const healthAddress = flags.healthAddress ?? "127.0.0.1:9886";
  if (healthAddress !== "off") {
    const m = /^([0-9.]+|\[[0-9a-fA-F:]+\]|localhost):(\d{1,5})$/.exec(healthAddress);
    if (!m) throw new ConfigError("health-address", "expected host:port or off");
    health = { host: m[1]!.replace(/^\[|\]$/g, ""), port: integer(m[2], 0, "health-address port", 0, 65535) };
  }

  if (flags.netns !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(flags.netns))
    throw new ConfigError("netns", "not a network namespace name");

  return {
    nodeName,
    imdsUrl,
    routing: { mtu, protocol, egressCidrs, ...(blockPrefixLength < 32 ? { blockPrefixLength } : {}) },
    egressFrom: egressTexts.length > 0 ? "flags" : "cilium-config",
    resyncMs,
    retryMs,
    ...(health ? { health } : {}),
    ...(flags.netns ? { netns: flags.netns } : {}),
    ipPath: flags.ipPath ?? "ip",
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
  };
}

function integer(text: string | undefined, fallback: number, key: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new ConfigError(key, `not a whole number: ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value < min || value > max) throw new ConfigError(key, `must be between ${min} and ${max}`);
  return value;
}
