// `vigia test-rules` on the workspace's log, as a user runs it (its own process, the workspace's config): the rules
// alone (read, split, multiline, match), no incidents. Its own figure ("N lines in S s") leaves out the process
// start-up and the rule loading; the wall time includes them.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_FLAGS, withNodeEnv } from "./ensure-build.mjs";
import { runChild } from "./run-child.mjs";

const CLI_CHILD = fileURLToPath(new URL("./cli-child.mjs", import.meta.url));

/** Resolves { wallMs, ownMs, lines, events, matched, byRule, peakRssBytes, command } or { skipped }. */
export async function measureTestRules(ws) {
  const { done } = runChild(process.execPath, [...NODE_FLAGS, CLI_CHILD, "test-rules", ws.logPath, "--config", join(ws.dir, "vigia.config.yaml")], { env: withNodeEnv() });
  const r = await done;
  const totals = /Lines: (\d+), events: (\d+), matched: (\d+)/.exec(r.stdout);
  const own = /(\d+) lines in ([\d.]+) s/.exec(r.stdout);
  if (r.code !== 0 || !totals || !own) return { skipped: `vigia test-rules failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-300)}` };
  const byRule = {};
  const hits = r.stdout.slice(r.stdout.indexOf("Hits per rule:"));
  for (const m of hits.matchAll(/^ {2}(\S+)\s+(\d+)$/gm)) byRule[m[1]] = Number(m[2]);
  return {
    wallMs: r.wallMs,
    ownMs: Number(own[2]) * 1000,
    lines: Number(totals[1]),
    events: Number(totals[2]),
    matched: Number(totals[3]),
    byRule,
    peakRssBytes: r.peakRssBytes,
    command: "vigia test-rules FILE --config WORKSPACE/vigia.config.yaml (through bench/cli-child.mjs: the CLI of the dist/ measured)",
  };
}
