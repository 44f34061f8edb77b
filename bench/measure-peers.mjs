// The peers on the same file: `grep -Eic` (the practical limit), `fail2ban-regex` and SEC (what users would otherwise
// pick). A peer that is not installed is reported as skipped, with the package that brings it.
import { existsSync, writeFileSync } from "node:fs";
import { buildFail2banArgs, buildGrepPattern, buildSecRules } from "./peer-patterns.mjs";
import { runChild } from "./run-child.mjs";

/** What a skipped peer says: how to install it, in one line. */
const INSTALL_SEC = "not installed: apt-get install sec (Debian/Ubuntu; elsewhere https://simple-evcorr.github.io)";
const INSTALL_FAIL2BAN = "not installed: apt-get install fail2ban (Debian/Ubuntu; elsewhere https://github.com/fail2ban/fail2ban)";

/** `argv` as one shell command line, each argument quoted where it needs it. */
function quoteCommand(argv) {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
}

/** Where a program is on PATH, or null. */
function findOnPath(name) {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

/**
 * `grep -Eic PATTERN FILE` with the rules combined; LC_ALL=C as a user chasing speed would set (the patterns are
 * ASCII, so the count is the same). Resolves { skipped?, wallMs, matchedLines, peakRssBytes, command, exactCommand }:
 * `command` for the report, `exactCommand` (the pattern and the path written out) for the JSON figures.
 */
export async function measureGrep(file, rules) {
  const grep = findOnPath("grep");
  if (!grep) return { skipped: "grep not found" };
  const pattern = buildGrepPattern(rules);
  const { done } = runChild(grep, ["-Eic", "--", pattern, file], { env: { ...process.env, LC_ALL: "C" } });
  const r = await done;
  if (r.code !== 0 && r.code !== 1) return { skipped: `grep failed (${r.code}): ${r.stderr.trim().slice(0, 300)}` };
  return {
    wallMs: r.wallMs,
    matchedLines: Number(r.stdout.trim()),
    peakRssBytes: r.peakRssBytes,
    command: `LC_ALL=C grep -Eic '<the six patterns, ${pattern.length} chars>' FILE`,
    exactCommand: `LC_ALL=C ${quoteCommand(["grep", "-Eic", "--", pattern, file])}`,
  };
}

/**
 * `fail2ban-regex FILE FAILREGEX IGNOREREGEX` when installed. Resolves { skipped?, wallMs, processedSeconds,
 * lines, matchedLines, ignoredLines, peakRssBytes, command, exactCommand }.
 */
export async function measureFail2ban(file, rules) {
  const fail2banRegex = findOnPath("fail2ban-regex");
  if (!fail2banRegex) return { skipped: INSTALL_FAIL2BAN };
  const { failregex, ignoreregex } = buildFail2banArgs(rules);
  const args = ["--print-no-missed", "--print-no-ignored", file, failregex, ignoreregex];
  const { done } = runChild(fail2banRegex, args);
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
    command: `fail2ban-regex FILE '<F-ID>(?:<the six patterns, ${failregex.length} chars>)</F-ID>' '${ignoreregex}'`,
    exactCommand: quoteCommand(["fail2ban-regex", ...args]),
  };
}

/**
 * SEC (Simple Event Correlator, Debian package `sec`) over the file with six `Single` rules, the seed system's
 * patterns (peer-patterns.mjs SEED_PATTERNS); each hit writes its type to stdout, so the count is the lines matching
 * any seed pattern. Resolves { skipped?, wallMs, matchedLines, byRule, peakRssBytes, command }.
 */
export async function measureSec(file, configPath) {
  const sec = findOnPath("sec");
  if (!sec) return { skipped: INSTALL_SEC };
  writeFileSync(configPath, buildSecRules());
  const { done } = runChild(sec, [`--conf=${configPath}`, `--input=${file}`, "--notail"]);
  const r = await done;
  if (r.code !== 0) return { skipped: `sec failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-300)}` };
  const byRule = {};
  let matchedLines = 0;
  for (const line of r.stdout.split("\n")) {
    if (!line) continue;
    byRule[line] = (byRule[line] ?? 0) + 1;
    matchedLines++;
  }
  return { wallMs: r.wallMs, matchedLines, byRule, peakRssBytes: r.peakRssBytes, command: "sec --conf=WORKSPACE/sec.conf --input=FILE --notail" };
}
