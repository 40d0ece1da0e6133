import { createHash } from "node:crypto";

/**
 * Deterministic identifiers: the same world built in the same order yields the same OCIDs and MAC addresses, so the
 * default world's OCIDs can be documented and tests can name them. OCID layout follows
 * `ocid1.<resource type>.<realm>.[region].<unique id>`
 * (https://docs.oracle.com/en-us/iaas/Content/General/Concepts/identifiers.htm);
 * tenancy and compartments have an empty region part.
 */
export class IdFactory {
  private readonly counters = new Map<string, number>();
  private macCounter = 0;

  constructor(
    private readonly regionKey: string,
    private readonly seed = "emu",
  ) {}

  /** The next OCID of a resource type, e.g. `ocid1.instance.oc1.iad.emuinstance000001`. */
  next(type: string, regional = true): string {
    const n = (this.counters.get(type) ?? 0) + 1;
    this.counters.set(type, n);
    const unique = `${this.seed}${type.replace(/[^a-z0-9]/g, "")}${String(n).padStart(6, "0")}`;
    return `ocid1.${type}.oc1.${regional ? this.regionKey : ""}.${unique}`;
  }

  /**
   * The next VNIC MAC address. OCI VNIC MACs are locally administered addresses with Oracle's OUI 00:00:17 behind
   * the 02 prefix (02:00:17:xx:xx:xx, as seen in instance metadata `/opc/v2/vnics/`).
   */
  nextMac(): string {
    this.macCounter += 1;
    const n = this.macCounter;
    const bytes = [(n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, "0"));
    return `02:00:17:${bytes.join(":")}`;
  }
}

/** Short content hash used for etags. */
export function etagOf(value: unknown): string {
  return createHash("sha1").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}
