import { randomBytes } from "node:crypto";

/**
 * Bearer-token authentication. Every ServiceAccount gets a token (what its legacy token Secret or a
 * TokenRequest would carry); one admin token authenticates as a member of system:masters. A request without a
 * token is system:anonymous; a token the server does not know answers 401.
 */
export interface UserInfo {
  name: string;
  groups: string[];
  /** Set for service accounts: which account the token belongs to. */
  serviceAccount?: { namespace: string; name: string };
}

export const ADMIN_USER: UserInfo = { name: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] };
export const ANONYMOUS_USER: UserInfo = { name: "system:anonymous", groups: ["system:unauthenticated"] };

/** The identity kube-apiserver gives a service account token (serviceaccount.UserInfo). */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
    serviceAccount: { namespace, name },
  };
}

function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** The account a token authenticates as; `secret` and `uid` when it is bound to a token Secret. */
interface BoundAccount {
  namespace: string;
  name: string;
  secret?: string;
  uid?: string;
}

export class TokenRegistry {
  readonly adminToken: string;
  private readonly byAccount = new Map<string, string>();
  private readonly byToken = new Map<string, BoundAccount>();

  constructor(adminToken: string = newToken()) {
    this.adminToken = adminToken;
  }

  /** The token of service account namespace/name, minted on first use. */
  tokenFor(namespace: string, name: string): string {
    const key = `${namespace}/${name}`;
    let token = this.byAccount.get(key);
    if (!token) {
      token = newToken();
      this.byAccount.set(key, token);
      this.byToken.set(token, { namespace, name });
    }
    return token;
  }

  /**
   * A new token bound to a `kubernetes.io/service-account-token` Secret (what the token controller writes into it):
   * it authenticates as the account only while that Secret holds it and the account keeps `uid`.
   */
  mintForSecret(namespace: string, secret: string, account: string, uid: string): string {
    const token = newToken();
    this.byToken.set(token, { namespace, name: account, secret, uid });
    return token;
  }

  /**
   * Whose token this is: "admin", a service account (with `secret` and `uid` when the token is bound to a token
   * Secret), or undefined for an unknown token.
   */
  lookup(token: string): { admin: true } | ({ admin: false } & BoundAccount) | undefined {
    if (token === this.adminToken) return { admin: true };
    const sa = this.byToken.get(token);
    return sa ? { admin: false, ...sa } : undefined;
  }

  /** "namespace/name" → token for every account minted so far, plus `admin`. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = { admin: this.adminToken };
    for (const [key, token] of [...this.byAccount.entries()].sort()) out[key] = token;
    return out;
  }
}
