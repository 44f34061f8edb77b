/**
 * A backlog behind a fix that blocks, for the tests of a stop during a catch-up: the first error's action waits
 * until the test writes `soltar` (it touches `empezado` when it starts; action_timeout 10 minutes), the second error
 * of its video waits for that action (the log's order), and the chatter behind it waits too.
 */
import { BOT_LOG, botConfigWithStatus, createWorkspace, formatPythonLine, type Workspace } from "./vigia-harness.js";

export interface BlockedFixBacklog {
  ws: Workspace;
  /** The alert-only errors of the backlog, in order: each must reach the journal once. */
  alerts: string[];
}

/** The workspace, its rules (marcar: the blocking fix; avisar: alert only) and a backlog of `lines` lines of chatter with an alert every `alertEvery`. */
export function createBlockedFixBacklog(port: number, lines: number, alertEvery: number): BlockedFixBacklog {
  const remediation = "{ allowed_roots: [modelos], max_retries: 0, action_timeout: 600 }";
  const ws = createWorkspace({ config: `${botConfigWithStatus(port, remediation)}rules: reglas\n`, copyRules: false });
  ws.write("gancho.sh", `touch '${ws.at("empezado")}'\nwhile [ ! -e '${ws.at("soltar")}' ]; do sleep 0.05; done\n`);
  ws.write(
    "reglas/reglas.yaml",
    [
      "rules:",
      "  - id: marcar",
      "    match: 'marcar: (?<path>\\S+)'",
      "    actions:",
      `      - { type: exec, command: [sh, '${ws.at("gancho.sh")}'] }`,
      "  - id: avisar",
      "    match: 'avisar: (?<path>\\S+)'",
      "",
    ].join("\n"),
  );
  const alerts: string[] = [];
  const chunks = [
    formatPythonLine("ERROR", "marcar: modelos/ana/1.mp4", "2025-12-25 14:00:00,000"),
    formatPythonLine("ERROR", "marcar: modelos/ana/1.mp4", "2025-12-25 14:00:01,000"),
  ];
  const two = (n: number) => String(n).padStart(2, "0");
  for (let i = 0; i < lines; i++) {
    const time = `2025-12-25 ${two(15 + Math.floor(i / 36_000))}:${two(Math.floor(i / 600) % 60)}:${two(Math.floor(i / 10) % 60)},${String(i % 1000).padStart(3, "0")}`;
    if (i % alertEvery === alertEvery / 2) {
      alerts.push(`modelos/eva/${i}.mp4`);
      chunks.push(formatPythonLine("ERROR", `avisar: modelos/eva/${i}.mp4`, time));
    } else chunks.push(formatPythonLine("INFO", `Descarga exitosa: modelos/bea/20251225_${String(i).padStart(6, "0")}_a3f2b1.mp4 (32.5 MB)`, time));
  }
  ws.write(BOT_LOG, chunks.join(""));
  return { ws, alerts };
}
