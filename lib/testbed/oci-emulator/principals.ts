import type { KeyObject } from "node:crypto";
import type { Principal } from "../iam";
import { makeApiKey } from "./keys";

/**
 * API keys and the principals they stand for. Each principal gets its own RSA key; the keyId the SDK sends is
 * `<tenancy OCID>/<user OCID>/<fingerprint>` (oci-common lib/auth/auth.js getKeyId). A principal can be a member
 * of groups and dynamic groups so that statements such as `Allow dynamic-group ocipam-allocator to use private-ips in
 * compartment id …`
 * can be evaluated against calls made with its key. (Real dynamic-group members authenticate with instance or
 * resource principal tokens; the emulator maps an API key to such a principal instead.)
 */
export interface PrincipalSpec {
  /** A label, also used in the user OCID when `userId` is absent. */
  name: string;
  userId?: string;
  /** `request.principal.type`; default "user". */
  type?: string;
  groups?: string[];
  dynamicGroups?: string[];
  /** Use this PEM key instead of generating one. */
  privateKeyPem?: string;
}

/** Everything a client needs to sign as a principal. */
export interface OciCredentials {
  tenancyId: string;
  userId: string;
  fingerprint: string;
  privateKeyPem: string;
  region: string;
  /** The keyId the signature carries: tenancy/user/fingerprint. */
  keyId: string;
}

interface Entry {
  principal: Principal;
  publicKey: KeyObject;
  credentials: OciCredentials;
}

/** Deterministic OCID for a group or dynamic group name, so `group id …` statements can be written in tests. */
export function groupOcid(kind: "group" | "dynamicgroup", name: string): string {
  return `ocid1.${kind}.oc1..emu${name.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
}

export class PrincipalRegistry {
  private readonly byKeyId = new Map<string, Entry>();

  constructor(
    private readonly tenancyId: string,
    private readonly region: string,
  ) {}

  /** Registers a principal with a new (or the given) API key and returns its credentials. */
  add(spec: PrincipalSpec): OciCredentials {
    const key = makeApiKey(spec.privateKeyPem);
    const userId = spec.userId ?? `ocid1.user.oc1..emu${spec.name.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
    const keyId = `${this.tenancyId}/${userId}/${key.fingerprint}`;
    const credentials: OciCredentials = {
      tenancyId: this.tenancyId,
      userId,
      fingerprint: key.fingerprint,
      privateKeyPem: key.privateKeyPem,
      region: this.region,
      keyId,
    };
    const principal: Principal = {
      id: userId,
      type: spec.type ?? "user",
      groups: (spec.groups ?? []).map((name) => ({ name, id: groupOcid("group", name) })),
      dynamicGroups: (spec.dynamicGroups ?? []).map((name) => ({ name, id: groupOcid("dynamicgroup", name) })),
    };
    this.byKeyId.set(keyId, { principal, publicKey: key.publicKey, credentials });
    return credentials;
  }

  /** The public key for a keyId (signature verification), if registered. */
  publicKey(keyId: string): KeyObject | undefined {
    return this.byKeyId.get(keyId)?.publicKey;
  }

  principal(keyId: string): Principal | undefined {
    return this.byKeyId.get(keyId)?.principal;
  }
}
