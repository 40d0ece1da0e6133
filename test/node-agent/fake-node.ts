import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";

/**
 * A fake OCI worker built from network namespaces, all created here with a random suffix and deleted by destroy():
 *
 *   pod  (eth0: 10.0.0.30/32 primary-VNIC IP, 10.0.1.20/32 + 10.0.1.21/32 secondary-VNIC IPs; default via 169.254.1.1)
 *    │ veth
 *   node (lxc0 169.254.1.1/32 + a /32 route per pod IP, like Cilium's native routing;
 *         ens3 MAC 02:00:17:00:00:01 10.0.0.10/24 default via 10.0.0.1 — the primary VNIC;
 *         ens5 MAC 02:00:17:00:00:02, down, MTU 1500, no address — the secondary VNIC as it appears after attach)
 *    │ veth ens3            │ veth ens5
 *   vcnp (vr0 10.0.0.1/24)  vcns (vr0 10.0.1.1/24)   — the two subnets' virtual routers
 *
 * Both routers hold 10.0.9.9 ("the rest of the VCN") and know only their own subnet, so a reply to a
 * secondary-VNIC IP can only come back from vcns: a packet from 10.0.1.20 that leaves through ens3 gets no answer,
 * as OCI's source/destination check would drop it. Each router knows which MAC owns its subnet's pod IPs (static
 * neighbour entries), as the VCN does. Every address lives inside these namespaces only.
 */
export class FakeNode {
  static readonly PRIMARY_MAC = "02:00:17:00:00:01";
  static readonly SECONDARY_MAC = "02:00:17:00:00:02";
  static readonly REMOTE = "10.0.9.9";

  readonly node: string;
  readonly vcnp: string;
  readonly vcns: string;
  readonly pod: string;
  private readonly created: string[] = [];

  private constructor(suffix: string) {
    this.node = `ocipam-node-${suffix}`;
    this.vcnp = `ocipam-vcnp-${suffix}`;
    this.vcns = `ocipam-vcns-${suffix}`;
    this.pod = `ocipam-pod-${suffix}`;
  }

  /** Fails with a clear message when this machine cannot run the test (not root, no iproute2, no ping). */
  static async requireSupport(): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error("node-agent namespace tests need root (CI runs them as root)");
    await run("ip", ["netns", "list"]).catch((err: Error) => {
      throw new Error(`node-agent namespace tests need 'ip netns' (iproute2; .ci/run installs it): ${err.message}`);
    });
    await run("ping", ["-V"]).catch((err: Error) => {
      throw new Error(`node-agent namespace tests need ping (iputils-ping; .ci/run installs it): ${err.message}`);
    });
  }

  static async create(): Promise<FakeNode> {
    const fake = new FakeNode(randomBytes(4).toString("hex"));
    try {
      await fake.build();
    } catch (err) {
      await fake.destroy();
      throw err;
    }
    return fake;
  }

  /** `ip -n <ns> <args>`; returns stdout. */
  ip(ns: string, ...args: string[]): Promise<string> {
    return run("ip", ["-n", ns, ...args]);
  }

  /** Sets /proc/sys values (keys like `net/ipv4/conf/all/rp_filter`) inside one of the namespaces. */
  sysctl(ns: string, values: Record<string, string>): Promise<string> {
    return sysctl(ns, values);
  }

  /** Received packets on a router-side interface (`ip -s -json link`), i.e. what the node sent through that VNIC. */
  async rxPackets(ns: string, ifname = "vr0"): Promise<number> {
    const [link] = JSON.parse(await this.ip(ns, "-s", "-json", "link", "show", "dev", ifname)) as Array<{
      stats64: { rx: { packets: number } };
    }>;
    return link!.stats64.rx.packets;
  }

  /** Pings the rest of the VCN from the pod, with `src` as source address. Resolves the number of replies. */
  async ping(src: string, count: number): Promise<number> {
    const out = await run("ip", [
      "netns",
      "exec",
      this.pod,
      "ping",
      "-n",
      "-q",
      "-c",
      String(count),
      "-i",
      "0.02",
      "-W",
      "0.3",
      "-I",
      src,
      FakeNode.REMOTE,
    ]).catch((err: Error & { stdout?: string }) => err.stdout ?? "");
    return Number(/(\d+) received/.exec(out)?.[1] ?? 0);
  }

  /** Deletes every namespace this object created (their veths go with them). Safe to call twice. */
  async destroy(): Promise<void> {
    for (const ns of this.created.splice(0).reverse()) {
      await run("ip", ["netns", "delete", ns]).catch(() => undefined);
    }
  }

  private async build(): Promise<void> {
    for (const ns of [this.node, this.vcnp, this.vcns, this.pod]) {
      await run("ip", ["netns", "add", ns]);
      this.created.push(ns);
      // New namespaces inherit IPv4 settings from the host (devconf_inherit_init_net=0): pin what the test relies on.
      // IPv6 off keeps router solicitations and MLD out of the packet counters.
      await sysctl(ns, {
        "net/ipv4/conf/all/rp_filter": "0",
        "net/ipv4/conf/default/rp_filter": "0",
        "net/ipv6/conf/all/disable_ipv6": "1",
        "net/ipv6/conf/default/disable_ipv6": "1",
        ...(ns === this.node ? { "net/ipv4/ip_forward": "1" } : {}),
      });
      await this.ip(ns, "link", "set", "lo", "up");
    }
    const { node, vcnp, vcns, pod } = this;
    await this.ip(
      node,
      "link",
      "add",
      "ens3",
      "address",
      FakeNode.PRIMARY_MAC,
      "mtu",
      "1500",
      "type",
      "veth",
      "peer",
      "name",
      "vr0",
      "netns",
      vcnp,
    );
    await this.ip(
      node,
      "link",
      "add",
      "ens5",
      "address",
      FakeNode.SECONDARY_MAC,
      "mtu",
      "1500",
      "type",
      "veth",
      "peer",
      "name",
      "vr0",
      "netns",
      vcns,
    );
    await this.ip(node, "link", "add", "lxc0", "type", "veth", "peer", "name", "eth0", "netns", pod);

    await this.ip(node, "address", "add", "10.0.0.10/24", "dev", "ens3");
    await this.ip(node, "link", "set", "ens3", "up");
    await this.ip(node, "route", "add", "default", "via", "10.0.0.1", "dev", "ens3");
    await this.ip(node, "address", "add", "169.254.1.1/32", "dev", "lxc0");
    await this.ip(node, "link", "set", "lxc0", "up");
    for (const podIp of ["10.0.0.30", "10.0.1.20", "10.0.1.21"]) {
      await this.ip(node, "route", "add", `${podIp}/32`, "dev", "lxc0", "scope", "link");
      await this.ip(pod, "address", "add", `${podIp}/32`, "dev", "eth0");
    }
    await this.ip(pod, "link", "set", "eth0", "up");
    await this.ip(pod, "route", "add", "169.254.1.1/32", "dev", "eth0", "scope", "link");
    await this.ip(pod, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");

    const routers: Array<[string, string, string[], string]> = [
      [vcnp, "10.0.0.1/24", ["10.0.0.30"], FakeNode.PRIMARY_MAC],
      [vcns, "10.0.1.1/24", ["10.0.1.20", "10.0.1.21"], FakeNode.SECONDARY_MAC],
    ];
    for (const [ns, address, ips, mac] of routers) {
      await this.ip(ns, "address", "add", `${FakeNode.REMOTE}/32`, "dev", "lo");
      await this.ip(ns, "address", "add", address, "dev", "vr0");
      await this.ip(ns, "link", "set", "vr0", "mtu", "9000", "up");
      for (const podIp of ips)
        await this.ip(ns, "neigh", "add", podIp, "lladdr", mac, "dev", "vr0", "nud", "permanent");
    }
  }
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 15_000, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err)
        reject(Object.assign(new Error(`${file} ${args.join(" ")}: ${stderr.trim() || err.message}`), { stdout }));
      else resolve(stdout);
    });
  });
}

/**
 * Writes /proc/sys values inside a namespace: `ip netns exec <ns> tee <files…>` with the value on stdin, one tee per
 * distinct value (no shell, no procps; coreutils is everywhere iproute2 is).
 */
async function sysctl(ns: string, values: Record<string, string>): Promise<string> {
  const byValue = new Map<string, string[]>();
  for (const [key, value] of Object.entries(values))
    byValue.set(value, [...(byValue.get(value) ?? []), `/proc/sys/${key}`]);
  for (const [value, files] of byValue) {
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        "ip",
        ["netns", "exec", ns, "tee", ...files],
        { timeout: 15_000 },
        (err, _stdout, stderr) => (err ? reject(new Error(`sysctl in ${ns}: ${stderr || err.message}`)) : resolve()),
      );
      child.stdin!.end(value);
    });
  }
  return "";
}
