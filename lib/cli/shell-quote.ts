/**
 * POSIX shell quoting for `export KEY='value'` lines that `eval "$(ocipam emulate oci --print-env)"` reads: inside
 * single quotes nothing is special except the single quote itself, which is written as '\'' (close, escaped quote,
 * reopen). See POSIX XCU 2.2.3 "Single-Quotes":
 * https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Names a POSIX shell accepts after `export` (XBD 3.235 "Name"): letters, digits, underscore, no leading digit. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One `export KEY='value'` line per entry, in the order given. A key that is no shell name is refused. */
export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([key, value]) => {
      if (!SHELL_NAME.test(key)) throw new Error(`environment key ${JSON.stringify(key)} is not a shell variable name`);
      return `export ${key}=${shellQuote(value)}\n`;
    })
    .join("");
}
