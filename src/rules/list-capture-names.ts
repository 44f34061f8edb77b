/**
 * Names of a regex's named groups, asked of the regex engine itself rather than parsed by hand:
 * `(?:source)|` always matches the empty string through its empty branch, and the match's `groups`
 * object then lists every named group (with undefined values). Escapes, classes and lookbehinds are thus
 * understood exactly as the matcher will understand them.
 */
export function listCaptureNames(re: RegExp): string[] {
  const probe = new RegExp(`(?:${re.source})|`, re.flags.replace(/[gy]/g, ""));
  return Object.keys(probe.exec("")?.groups ?? {});
}
