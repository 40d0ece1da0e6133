/**
 * Last line of defence for what the command line prints about an error: credentials embedded in a URL
 * (`https://user:secret@host`) and bearer tokens are masked, in case a message from a library repeats a value it
 * was given. The project's own configuration errors name the key and never repeat the value in the first place.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi;
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export function redactSecrets(text: string): string {
  return text.replace(URL_USERINFO, "$1***@").replace(BEARER, "$1***");
}
