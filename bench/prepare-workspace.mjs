// A throw-away vigia installation in a temp folder: config, the shipped rules, logs/ — what `vigia run` would see.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./ensure-build.mjs";

/**
 * Creates `<tmp>/vigia-bench-*` with vigia.config.yaml (one `bot` source with the Python multiline start,
 * dry-run remediation, no Telegram, no checks, no status server) and a copy of rules/*.yaml.
 * Returns { dir, logPath, journalPath, stateDir, cleanup() }.
 */
export function prepareWorkspace({ flushMs = null, parent = tmpdir() } = {}) {
  const dir = mkdtempSync(join(parent, "vigia-bench-"));
  mkdirSync(join(dir, "logs"), { recursive: true });
  mkdirSync(join(dir, "rules"), { recursive: true });
  mkdirSync(join(dir, "modelos"), { recursive: true });
  const rulesDir = join(REPO_ROOT, "rules");
  for (const name of readdirSync(rulesDir)) {
    if (/\.(ya?ml|json)$/.test(name)) copyFileSync(join(rulesDir, name), join(dir, "rules", name));
  }
  const multiline = flushMs === null ? "{ start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}' }" : `{ start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}', flush_ms: ${flushMs} }`;
  writeFileSync(
    join(dir, "vigia.config.yaml"),
    [
      "# Written by bench/prepare-workspace.mjs",
      "sources:",
      "  - name: bot",
      "    path: logs/bot_central.log",
      `    multiline: ${multiline}`,
      "rules: rules",
      "journal: logs/descarga_errors.json",
      "state_dir: logs/.vigia",
      "log_dir: logs",
      "remediation: { allowed_roots: [modelos], dry_run: true }",
      "notify: { telegram: null }",
      "checks: { disk: null }",
      "status: { listen: null }",
      "",
    ].join("\n"),
  );
  return {
    dir,
    logPath: join(dir, "logs", "bot_central.log"),
    journalPath: join(dir, "logs", "descarga_errors.json"),
    stateDir: join(dir, "logs", ".vigia"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
