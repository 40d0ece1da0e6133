/**
 * The addresses of a subnet's IPv4 CIDR blocks, handed out lowest first. OCI reserves the first two and the last
 * address ("the first two addresses and the last in the subnet's CIDR are reserved by the Networking service",
 * https://docs.oracle.com/iaas/Content/Network/Tasks/Overview_of_VCNs_and_Subnets.htm; applied per block as
 * lib/reconcile/observe.ts subnetCapacity does), so those are never handed out.
 * A freed address is the first to be handed out again, as OCI may do (lib/reconcile/README.md, release handshake).
 */
export class SubnetAddresses {
  private readonly taken = new Set<number>();
  private readonly blocks: Array<{ base: number; size: number }>;

  constructor(cidrBlocks: readonly string[]) {
    this.blocks = cidrBlocks.map((b) => {
      const [address, prefix] = b.split("/");
      return { base: toInt(address!), size: 2 ** (32 - Number(prefix)) };
    });
  }

  /** The virtual router's address: the first usable one of the block (x.x.x.1 of a /24). */
  static routerOf(cidrBlock: string): string {
    return toDotted(toInt(cidrBlock.split("/")[0]!) + 1);
  }

  /** The lowest free address, now taken; undefined when every block is full. */
  take(): string | undefined {
    for (const { base, size } of this.blocks) {
      for (let n = base + 2; n < base + size - 1; n++) {
        if (!this.taken.has(n)) {
          this.taken.add(n);
          return toDotted(n);
        }
      }
    }
    return undefined;
  }

  /** Marks a chosen address as taken (a test seeding a known address). */
  hold(address: string): void {
    this.taken.add(toInt(address));
  }

  free(address: string): void {
    this.taken.delete(toInt(address));
  }
}

function toInt(address: string): number {
  return address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function toDotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}
