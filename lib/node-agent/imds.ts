import { ImdsError } from "./errors";
import { isIpv4, parseCidr } from "./ipv4";
import type { ImdsVnic } from "./model";

/**
 * OCI's instance metadata service v2, VNIC list
 * (https://docs.oracle.com/iaas/Content/Compute/Tasks/gettingmetadata.htm).
 */
export const DEFAULT_IMDS_VNICS_URL = "http://169.254.169.254/opc/v2/vnics/";

/** The port the reconciler uses to learn this instance's VNICs. */
export interface VnicMetadataSource {
  /**
   * The VNICs attached to this instance, primary first, as the metadata service lists them now. Called at the start
   * of each reconcile. Throws ImdsError when the service is unreachable or its answer is unusable; the reconciler
   * then changes nothing.
   */
  listVnics(): Promise<ImdsVnic[]>;
}

export interface ImdsClientOptions {
  /** Default: DEFAULT_IMDS_VNICS_URL. Tests point it at a loopback server. */
  url?: string;
  /** Per-request timeout (default 5 s). */
  timeoutMs?: number;
}

/**
 * Reads `GET /opc/v2/vnics/` with the `Authorization: Bearer Oracle` header that IMDS v2 requires (requests
 * without it are rejected once v1 is disabled). OCI notes that IMDS may answer 404 for milliseconds while it is
 * being updated; that surfaces as ImdsUnavailable and the next reconcile retries.
 */
export class ImdsClient implements VnicMetadataSource {
  private readonly url: string;
  private readonly timeoutMs: number;

  constructor(options: ImdsClientOptions = {}) {
    this.url = options.url ?? DEFAULT_IMDS_VNICS_URL;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async listVnics(): Promise<ImdsVnic[]> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        headers: { Authorization: "Bearer Oracle", Accept: "application/json" },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "error",
      });
    } catch (cause) {
      throw new ImdsError(
        "ImdsUnavailable",
        `GET ${this.url}: ${(cause as Error).message}`,
        { url: this.url },
        { cause },
      );
    }
    const body = await response.text().catch(() => "");
    if (!response.ok) {
      throw new ImdsError("ImdsUnavailable", `GET ${this.url}: HTTP ${response.status}`, {
        url: this.url,
        statusCode: response.status,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (cause) {
      throw new ImdsError("ImdsInvalidResponse", `GET ${this.url}: body is not JSON`, { url: this.url }, { cause });
    }
    return parseVnics(parsed, this.url);
  }
}

/** Validates the IMDS answer; one malformed entry rejects the whole list, since positions define table numbers. */
export function parseVnics(doc: unknown, source = "imds"): ImdsVnic[] {
  if (!Array.isArray(doc) || doc.length === 0) {
    throw new ImdsError("ImdsInvalidResponse", `${source}: expected a non-empty JSON array of VNICs`, { url: source });
  }
  return doc.map((entry, i) => {
    const bad = (field: string, why: string): never => {
      throw new ImdsError("ImdsInvalidResponse", `${source}: entry ${i} field ${field} ${why}`, {
        url: source,
        field: `${i}.${field}`,
      });
    };
    if (typeof entry !== "object" || entry === null) return bad("(entry)", "is not an object");
    const e = entry as Record<string, unknown>;
    const text = (field: string): string =>
      typeof e[field] === "string" && e[field] !== "" ? (e[field] as string) : bad(field, "is missing");
    const vnicId = text("vnicId");
    const macAddr = text("macAddr").toLowerCase();
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(macAddr))
      bad("macAddr", `is not a MAC address: ${JSON.stringify(e.macAddr)}`);
    const privateIp = text("privateIp");
    if (!isIpv4(privateIp)) bad("privateIp", "is not an IPv4 address");
    const virtualRouterIp = text("virtualRouterIp");
    if (!isIpv4(virtualRouterIp)) bad("virtualRouterIp", "is not an IPv4 address");
    const subnetCidrBlock = text("subnetCidrBlock");
    if (!parseCidr(subnetCidrBlock) || !subnetCidrBlock.includes("/")) bad("subnetCidrBlock", "is not an IPv4 CIDR");
    const optionalInt = (field: string): number | undefined =>
      Number.isInteger(e[field]) ? (e[field] as number) : undefined;
    const vlanTag = optionalInt("vlanTag");
    const nicIndex = optionalInt("nicIndex");
    return {
      vnicId,
      macAddr,
      privateIp,
      subnetCidrBlock,
      virtualRouterIp,
      ...(vlanTag !== undefined ? { vlanTag } : {}),
      ...(nicIndex !== undefined ? { nicIndex } : {}),
    };
  });
}
