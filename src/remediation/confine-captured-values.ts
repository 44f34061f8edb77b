import { listTemplateFields } from "../util/template.js";
import type { PathGuard } from "./path-guard.js";
import { UnsafeArgumentError } from "./errors.js";

/**
 * The boundary between log lines and the commands an operator's rule runs. `exec` passes argv without a shell, so a
 * captured value cannot inject a command, but the program still reads its arguments: a value could name a file
 * outside the roots (`modelos/../x`, `/etc/x`, a folder that is a symlink) or be read as an option
 * (`--reference=/etc/passwd`). So, for every argument or env value that holds a `{field}` template:
 *
 * - a captured value beginning with `-` is refused in an argument (never read as an option, wherever it lands);
 * - the templated part of the argument — the whole argument, or what follows `=` in a literal `--option=` prefix —
 *   when it looks like a path (a `/` or `\`, `.`, `..`, a leading `~`) must pass the path guard exactly as a file
 *   action's path does, resolved against the command's working folder.
 *
 * A bare name (`20251225_143020_a3f2b1.mp4`) cannot climb anywhere: it is passed as it is.
 */
export async function confineCapturedValues(options: {
  specType: string;
  key: string;
  rawItems: readonly string[];
  filledItems: readonly string[];
  fields: Readonly<Record<string, string>>;
  guard: PathGuard;
  cwd: string;
  /** Env values: options do not apply, paths do. */
  allowOptionLike?: boolean;
}): Promise<void> {
  const { rawItems, filledItems, fields, guard, cwd } = options;
  for (const [index, raw] of rawItems.entries()) {
    const names = listTemplateFields(raw);
    if (names.length === 0) continue;
    const where = `${options.key}[${index}]`;
    if (!options.allowOptionLike) {
      for (const name of names) {
        const value = fields[name] ?? "";
        if (value.startsWith("-")) throw new UnsafeArgumentError(options.specType, where, name, value);
      }
    }
    const candidate = pickPathPart(raw, filledItems[index]!);
    if (isPathLike(candidate)) await guard.resolvePath(candidate, { relativeTo: cwd });
  }
}

/** The part of a filled argument that comes from its templates: after a literal `--option=` / `-o=` prefix, else all. */
function pickPathPart(raw: string, filled: string): string {
  const literalPrefix = raw.slice(0, raw.indexOf("{"));
  const option = /^-[^=]*=/.exec(literalPrefix);
  return option ? filled.slice(option[0].length) : filled;
}

function isPathLike(value: string): boolean {
  return /[\\/]/.test(value) || value === "." || value === ".." || value.startsWith("~");
}
