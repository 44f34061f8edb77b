// The peers on the same file: `grep -Eic` (the practical limit) and `fail2ban-regex` (what users would otherwise pick).
import { existsSync } from "node:fs";
import { buildFail2banArgs, buildGrepPattern } from "./peer-patterns.mjs";
import { runChild } from "./run-child.mjs";

export const FAIL2BAN_REGEX = "/usr/bin/fail2ban-regex";

/** Where a program is on PATH, or null. */
function findOnPath(name) {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

/**
 * `grep -Eic PATTERN FILE` with the rules combined; LC_ALL=C as a user chasing speed would set (the patterns are
 * ASCII, so the count is the same). Resolves { skipped?, wallMs, matchedLines, peakRssBytes, command }.
 */
export async function measureGrep(file, rules) {
  const grep = findOnPath("grep");
  if (!grep) return { skipped: "grep not found" };
  const pattern = buildGrepPattern(rules);
  const { done } = runChild(grep, ["-Eic", "--", pattern, file], { env: { ...process.env, LC_ALL: "C" } });
  const r = await done;
  if (r.code !== 0 && r.code !== 1) return { skipped: `grep failed (${r.code}): ${r.stderr.trim().slice(0, 300)}` };
  return { wallMs: r.wallMs, matchedLines: Number(r.stdout.trim()), peakRssBytes: r.peakRssBytes, command: `LC_ALL=C grep -Eic '<6 rules, ${pattern.length} chars>' FILE` };
}

/**
 * `fail2ban-regex FILE FAILREGEX IGNOREREGEX` when installed. Resolves { skipped?, wallMs, processedSeconds,
 * lines, matchedLines, ignoredLines, peakRssBytes, command }.
 */
export async function measureFail2ban(file, rules) {
  if (!existsSync(FAIL2BAN_REGEX)) return { skipped: "not installed (Debian package fail2ban)" };
  const { failregex, ignoreregex } = buildFail2banArgs(rules);
  const { done } = runChild(FAIL2BAN_REGEX, ["--print-no-missed", "--print-no-ignored", file, failregex, ignoreregex]);
  const r = await done;
  const summary = /Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed/.exec(r.stdout);
  if (r.code !== 0 || !summary) return { skipped: `fail2ban-regex failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-300)}` };
  const processed = /\[processed in ([\d.]+) sec\]/.exec(r.stdout);
  return {
    wallMs: r.wallMs,
    processedSeconds: processed ? Number(processed[1]) : null,
    lines: Number(summary[1]),
    ignoredLines: Number(summary[2]),
    matchedLines: Number(summary[3]),
    peakRssBytes: r.peakRssBytes,
    command: `fail2ban-regex FILE '<F-ID>(?:<6 rules>)</F-ID>' '${ignoreregex}'`,
  };
}
