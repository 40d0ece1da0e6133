import type { TokenRegistry } from "./auth";
import { isObject, type JsonObject } from "./json";
import { metaOf } from "./object-meta";
import type { ApiOperations } from "./operations";
import type { StoredEvent } from "./storage";

/**
 * The service-account token controller of kube-controller-manager, for `kubernetes.io/service-account-token`
 * Secrets (kubernetes/kubernetes pkg/controller/serviceaccount/tokens_controller.go, `syncSecret` and
 * `syncServiceAccount`):
 * - a token Secret whose ServiceAccount exists gets `data.token` (a token of its own, bound to that Secret),
 *   `data.namespace` and the `kubernetes.io/service-account.uid` annotation;
 * - a token Secret whose ServiceAccount does not exist (or has another uid) is deleted ("service account does not
 *   exist, deleting token");
 * - deleting a ServiceAccount deletes its token Secrets ("service account deleted, removing tokens").
 * The token itself stays valid only while its Secret exists with that token and the account with that uid
 * (pkg/serviceaccount/legacy.go: "Token has been invalidated"), which `secretTokenValid` checks for the server.
 */
export const SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token";
const NAME_ANNOTATION = "kubernetes.io/service-account.name";
const UID_ANNOTATION = "kubernetes.io/service-account.uid";

const isTokenSecret = (obj: JsonObject): boolean => obj.type === SERVICE_ACCOUNT_TOKEN_TYPE;

/** Called before a Secret is stored: fills a token Secret of an existing account, as the controller's sync does. */
export function fillServiceAccountToken(obj: JsonObject, tokens: TokenRegistry, ops: () => ApiOperations): void {
  if (!isTokenSecret(obj)) return;
  const meta = metaOf(obj);
  const account = meta.annotations?.[NAME_ANNOTATION];
  if (!account || !meta.namespace || !meta.name) return;
  const sa = ops().storage.get("serviceaccounts", `${meta.namespace}/${account}`);
  // Without its account the Secret stays empty; the controller deletes it once stored (see startTokenController).
  if (!sa) return;
  const uid = String(metaOf(sa).uid);
  const wanted = meta.annotations?.[UID_ANNOTATION];
  if (wanted && wanted !== uid) return;
  meta.annotations = { ...meta.annotations, [UID_ANNOTATION]: uid };
  const data = isObject(obj.data) ? obj.data : {};
  if (!data.token) {
    const token = tokens.mintForSecret(meta.namespace, String(meta.name), account, uid);
    data.token = Buffer.from(token).toString("base64");
  }
  data.namespace = Buffer.from(meta.namespace).toString("base64");
  obj.data = data;
}

/**
 * Watches the store and deletes what the real controller deletes. Deletions run after the change that caused them
 * (the controller works from a queue), with a uid precondition so a re-created Secret of the same name survives.
 * Returns the unsubscribe function.
 */
export function startTokenController(ops: ApiOperations): () => void {
  const deleteSecret = (namespace: string, name: string, uid: string) =>
    setImmediate(() => {
      try {
        const secrets = ops.registry.resolve("secrets");
        if (secrets) ops.delete(secrets, namespace, name, { preconditions: { uid } });
      } catch {
        // NotFound or a changed uid: nothing to do, as deleteToken treats both.
      }
    });
  return ops.storage.subscribe((ev: StoredEvent) => {
    if (ev.typeKey === "secrets" && ev.type !== "DELETED" && isTokenSecret(ev.object)) {
      const meta = metaOf(ev.object);
      const account = meta.annotations?.[NAME_ANNOTATION];
      const sa = account ? ops.storage.get("serviceaccounts", `${meta.namespace}/${account}`) : undefined;
      const uid = meta.annotations?.[UID_ANNOTATION];
      const orphan = !sa || (uid !== undefined && uid !== String(metaOf(sa).uid));
      if (orphan) deleteSecret(String(meta.namespace), String(meta.name), String(meta.uid));
      return;
    }
    if (ev.typeKey === "serviceaccounts" && ev.type === "DELETED") {
      const meta = metaOf(ev.object);
      for (const { object } of ops.storage.list("secrets")) {
        const smeta = metaOf(object);
        const ofAccount = smeta.namespace === meta.namespace && smeta.annotations?.[NAME_ANNOTATION] === meta.name;
        if (!isTokenSecret(object) || !ofAccount) continue;
        const uid = smeta.annotations?.[UID_ANNOTATION];
        if (uid && uid !== String(meta.uid)) continue;
        deleteSecret(String(smeta.namespace), String(smeta.name), String(smeta.uid));
      }
    }
  });
}

/**
 * Whether a Secret-bound token still authenticates: its Secret exists, is not being deleted and holds this token,
 * and its account exists with the uid the token was minted for (legacy.go's lookup checks).
 */
export function secretTokenValid(
  ops: ApiOperations,
  token: string,
  bound: { namespace: string; name: string; secret: string; uid: string },
): boolean {
  const secret = ops.storage.get("secrets", `${bound.namespace}/${bound.secret}`);
  if (!secret || metaOf(secret).deletionTimestamp) return false;
  const data = isObject(secret.data) ? secret.data : {};
  if (typeof data.token !== "string" || Buffer.from(data.token, "base64").toString("utf8") !== token) return false;
  const sa = ops.storage.get("serviceaccounts", `${bound.namespace}/${bound.name}`);
  return !!sa && !metaOf(sa).deletionTimestamp && String(metaOf(sa).uid) === bound.uid;
}
