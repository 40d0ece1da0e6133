import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";

/** An API signing key as OCI knows it: the PEM private key the client holds and the fingerprint OCI shows. */
export interface ApiKey {
  privateKeyPem: string;
  publicKey: KeyObject;
  fingerprint: string;
}

/**
 * OCI's key fingerprint: MD5 of the DER-encoded public key (SubjectPublicKeyInfo), as colon-separated hex
 * (`openssl rsa -pubout -outform DER -in key.pem | openssl md5 -c`, "How to Get the Key's Fingerprint",
 * https://docs.oracle.com/en-us/iaas/Content/API/Concepts/apisigningkey.htm).
 */
export function fingerprintOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("md5").update(der).digest("hex").match(/../g)!.join(":");
}

/** A fresh 2048-bit RSA key (OCI requires RSA, 2048 bits minimum), or the key given as PEM. */
export function makeApiKey(privateKeyPem?: string): ApiKey {
  let pem = privateKeyPem;
  if (!pem) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  }
  const publicKey = createPublicKey(pem);
  return { privateKeyPem: pem, publicKey, fingerprint: fingerprintOf(publicKey) };
}
