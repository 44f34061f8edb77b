import { InvalidSpecError } from "./errors.js";

/**
 * A minimal glob for `prune`, matched against file names (not paths): `*` any run of characters, `?` one
 * character, everything else literal. Node 20's `path.matchesGlob` is experimental and warns on every process
 * start, and a name-only matcher cannot be tricked into reaching across folders.
 */
export function compileNameGlob(glob: string): RegExp {
  if (typeof glob !== "string" || glob === "" || /[\\/\0]/.test(glob)) {
    throw new InvalidSpecError("prune", "glob", "a file-name pattern without '/' (e.g. '*.part')", glob);
  }
  let source = "";
  for (const char of glob) {
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}
