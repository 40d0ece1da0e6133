import type { CiliumNodes } from "../ports/kube";
import { FreshIndex } from "./fresh-index";

/** How long one list of every CiliumNode answers for, within one invocation. */
export const USED_ADDRESSES_MAX_AGE_MS = 2_000;

/**
 * Which addresses any Cilium agent reports as used (`status.ipam.used` of every CiliumNode), checked right before an
 * address is deleted in OCI — by a release or by leak collection — whatever node the address is thought to belong to.
 * One list of the CiliumNodes answers for every delete of an invocation (refreshed after {@link
 * USED_ADDRESSES_MAX_AGE_MS}),
 * so the cost stays one list per invocation that deletes, not one read per address, at 5,000 nodes too.
 * Created per invocation; never shared between invocations.
 */
export class UsedAddresses {
  private readonly index: FreshIndex<Map<string, string>>;

  constructor(ciliumNodes: Pick<CiliumNodes, "list">, now: () => number, maxAgeMs = USED_ADDRESSES_MAX_AGE_MS) {
    this.index = new FreshIndex(
      async () => {
        const usedBy = new Map<string, string>();
        for (const node of await ciliumNodes.list()) {
          for (const address of Object.keys(node.ipam.used)) usedBy.set(address, node.name);
        }
        return usedBy;
      },
      now,
      maxAgeMs,
    );
  }

  /** The node whose agent reports `address` as used, or undefined when no agent does. */
  async usedBy(address: string): Promise<string | undefined> {
    return (await this.index.get()).get(address);
  }
}
