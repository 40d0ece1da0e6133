import { DEFAULT_WORLD, type WorldSpec } from "../../lib/testbed/oci-emulator";

/**
 * The emulator's default world with room for 1,000 nodes: its two /24 workers subnets hold 506 primary VNICs at most
 * (253 assignable addresses each: OCI reserves the first two and the last address of an IPv4 subnet, "Comparison of
 * IPv4 and IPv6" in https://docs.oracle.com/en-us/iaas/Content/Network/Concepts/ipv6.htm), so here they are /18s
 * (16,381 each), and the pods subnet a /18 too. Names (hence OCIDs) stay those of the default world, which the local
 * cluster's configuration names. 1,000 nodes × (1 + 24) addresses after the usage jump fit on the primary VNICs.
 */
export const LARGE_WORLD: WorldSpec = {
  ...DEFAULT_WORLD,
  subnets: (DEFAULT_WORLD.subnets ?? []).map((s) =>
    s.name === "workers-ad1"
      ? { ...s, cidrBlock: "10.0.64.0/18" }
      : s.name === "workers-ad2"
        ? { ...s, cidrBlock: "10.0.128.0/18" }
        : s.name === "pods-regional"
          ? { ...s, cidrBlock: "10.0.192.0/18" }
          : s,
  ),
};
