/**
 * `${VAR}` expansion in config string values.
 *
 * - `${VAR}`: the variable's value; unset → empty string (so `token: '${TELEGRAM_TOKEN}'` with no token
 *   means "Telegram off", not an error).
 * - `${VAR:-default}`: `default` when VAR is unset or empty.
 * - `$${`: a literal `${` (for the rare regex that needs one).
 * Anything else, including a lone `$`, stays as written. Keys are never expanded.
 */

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A `${` that does not form a valid reference (unclosed, bad name): reported, not guessed at. */
export interface ExpansionIssue {
  path: Array<string | number>;
  message: string;
}

/** Expands references in one string. */
function expandEnvString(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(REFERENCE, (whole, varName: string | undefined, fallback: string | undefined) => {
    if (whole === "$${") return "${";
    const value = env[varName!];
    if (fallback !== undefined) return value ? value : fallback;
    return value ?? "";
  });
}

/** Finds a `${` left over after removing every valid reference and escape. */
function findMalformedReference(text: string): string | null {
  const rest = text.replace(REFERENCE, "");
  const at = rest.indexOf("${");
  if (at < 0) return null;
  return rest.slice(at, at + 20);
}

/** Returns a copy of `value` with every string expanded; issues name the path of each malformed string. */
export function expandEnvDeep(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  path: Array<string | number> = [],
  issues: ExpansionIssue[] = [],
): { value: unknown; issues: ExpansionIssue[] } {
  if (typeof value === "string") {
    const bad = findMalformedReference(value);
    if (bad !== null) {
      issues.push({ path, message: `malformed variable reference '${bad}': write \${NAME}, \${NAME:-default}, or $\${ for a literal` });
    }
    return { value: expandEnvString(value, env), issues };
  }
  if (Array.isArray(value)) {
    return { value: value.map((item, i) => expandEnvDeep(item, env, [...path, i], issues).value), issues };
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = expandEnvDeep(item, env, [...path, key], issues).value;
    return { value: out, issues };
  }
  return { value, issues };
}
