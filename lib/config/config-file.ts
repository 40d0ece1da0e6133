import { readFileSync } from "node:fs";
import { ConfigError } from "../errors";

/**
 * Reads a configuration file of `KEY=value` lines (the form of `fn config` and of an env file): blank lines and
 * `#` comments ignored, optional surrounding quotes removed. A malformed line is an error naming its number.
 */
export function readConfigFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError("--config", `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, source: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    // The line itself is not repeated: a malformed line may still hold a token or a URL with credentials.
    if (!match) throw new ConfigError(`${source}:${i + 1}`, "expected KEY=value, a # comment or a blank line");
    let value = match[2]!;
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
      value = value.slice(1, -1);
    values[match[1]!] = value;
  });
  return values;
}
