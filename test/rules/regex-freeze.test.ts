/**
 * A regex must never freeze vigia. Nested bounded repetition (`^(?:(?:a?){9}){9}$`) looks linear to a ReDoS
 * checker yet held a daemon at 100 % CPU for minutes on one 11-byte line: `vigia check` refuses it, naming
 * the file and line. And whatever the check lets through, matching runs in a worker thread with a time
 * budget per event: a rule over budget is disabled with an alert, and the pipeline keeps flowing.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, findFreePort, formatFileNotFoundTraceback, formatPythonLine, readJournal, runVigia, startVigia, type Workspace } from "../e2e/vigia-harness.js";

afterEach(cleanUpTest);

/**
 * Only these rules: the folder rule (gated by its literal, never run on a line of Zs) and `lenta`, which passes the
 * check but takes hundreds of milliseconds on a 4 MB line of Zs (over a 40 ms budget); then an empty log to follow.
 */
async function writeSlowRule(ws: Workspace): Promise<void> {
  ws.write(
    "rules/carpetas.yaml",
    ["rules:", "  - id: ruta_inexistente", "    match: \"No such file or directory: '(?<path>modelos/(?<modelo>[^/']+)/[^']+)'\"", "    actions: [{ type: mkdir, path: 'modelos/{modelo}' }]", ""].join("\n"),
  );
  ws.write("rules/zz-lenta.yaml", ["rules:", "  - id: lenta", "    severity: info", "    match: 'Z[^\\n]{0,9}Q'", ""].join("\n"));
  expect((await runVigia(ws.dir, ["check"])).code).toBe(0);
  ws.append(BOT_LOG, "");
}

describe("a rule that can freeze the matcher", () => {
  it("is refused by `vigia check` with file:line, whether its nested bounds repeat letters or digits", async () => {
    const ws = createWorkspace();
    ws.write(
      "rules/zz-lento.yaml",
      [
        "rules:", //                                          1
        "  - id: as_anidadas", //                             2
        "    match: '^(?:(?:a?){9}){9}$'", //                 3
        "  - id: digitos_anidados", //                        4
        "    severity: info", //                              5
        "    match: '^(\\d{1,9}){1,9}x$'", //                 6
        "",
      ].join("\n"),
    );
    const r = await runVigia(ws.dir, ["check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\S*rules\/zz-lento\.yaml:3: rules\[0\]\.match: regex can backtrack catastrophically: nested bounded repetition/m);
    expect(r.stdout).toMatch(/^\S*rules\/zz-lento\.yaml:6: rules\[1\]\.match: regex can backtrack catastrophically: nested bounded repetition/m);
  });

  it("that passes the check but is slow on one event is disabled with an alert; later lines still reach the journal and /health answers", async () => {
    const port = await findFreePort();
    // Only this test's rules: a shipped rule run on the 4 MB line below can itself take tens of milliseconds on
    // a loaded machine, and would be the one disabled. The folder rule is gated by its literal, never run on it.
    const ws = createWorkspace({
      copyRules: false,
      config: [
        `status: { listen: '127.0.0.1:${port}' }`,
        "checks: { disk: null }",
        // A tiny budget stands in for a regex that backtracks for minutes: the line below takes this rule
        // a few hundred milliseconds, linear but far over 40 ms.
        "match_budget_ms: 40",
        "sources:",
        "  - { name: bot, path: logs/bot_central.log, max_line_bytes: 8388608 }",
        "remediation:",
        "  allowed_roots: [modelos]",
        "  backoff: [0.1, 0.2, 0.4]",
        "",
      ].join("\n"),
    });
    await writeSlowRule(ws);
    const vigia = await startVigia(ws);
    const health = async () => (await fetch(`http://127.0.0.1:${port}/health`)).json() as Promise<{ status: string; rules: { disabled?: Array<{ id: string }> } }>;

    ws.append(BOT_LOG, `${"Z".repeat(4_000_000)}Q\n`);
    ws.append(BOT_LOG, formatPythonLine("ERROR", "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/despues/v.mp4'"));
    const journal = await waitFor(() => {
      const j = readJournal(ws);
      return j.some((i) => i.modelo === "despues") && j.some((i) => i.error_type === "regla_desactivada") ? j : undefined;
    }, { what: "the later line's incident and the regla_desactivada alert in the journal", describe: vigia.stderr });
    const alert = journal.find((i) => i.error_type === "regla_desactivada")!;
    expect(alert.error_message).toMatch(/regla lenta desactivada: una línea de bot la tuvo ocupada más de 40 ms \(.*zz-lenta\.yaml:2\)/);
    expect(alert.severidad).toBe("critical");
    expect(vigia.stderr()).toMatch(/rules: rule lenta \(\S*zz-lenta\.yaml:2\) disabled: one event from bot kept it busy for more than 40 ms/);
    const h = await health();
    expect(h.status).toBe("degraded");
    expect(h.rules.disabled?.map((d) => d.id)).toEqual(["lenta"]);
    expect((await vigia.stop()).code).toBe(0);
  }, 90_000);

  it("restarted by the watchdog while a traceback is still being read, leaves that traceback whole: one event, one incident", async () => {
    const ws = createWorkspace({
      copyRules: false,
      config: [
        "checks: { disk: null }",
        "match_budget_ms: 40",
        "sources:",
        // A long idle flush: the traceback's end is written only after the restart, and must still join its start.
        "  - { name: bot, path: logs/bot_central.log, max_line_bytes: 8388608, multiline: { start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}', flush_ms: 60000 } }",
        "remediation:",
        "  allowed_roots: [modelos]",
        "  backoff: [0.1, 0.2, 0.4]",
        "",
      ].join("\n"),
    });
    await writeSlowRule(ws);
    const vigia = await startVigia(ws);

    // The slow record goes to matching as soon as the traceback's first line starts the next record; the
    // traceback waits for its last line, which is written only once the worker has been restarted.
    const traceback = formatFileNotFoundTraceback("modelos/entera/v.mp4");
    const cut = traceback.indexOf("FileNotFoundError:");
    ws.append(BOT_LOG, formatPythonLine("INFO", `${"Z".repeat(4_000_000)}Q`) + traceback.slice(0, cut));
    await vigia.waitForLog(/rules: rule lenta \(\S*zz-lenta\.yaml:2\) disabled/);
    ws.append(BOT_LOG, traceback.slice(cut) + formatPythonLine("INFO", "siguiente registro"));
    const journal = await waitFor(() => {
      const j = readJournal(ws);
      return j.some((i) => i.modelo === "entera") ? j : undefined;
    }, { what: "the traceback's incident in the journal", describe: vigia.stderr });
    const incidents = journal.filter((i) => i.error_type === "ruta_inexistente");
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.ocurrencias).toBe(1);
    expect(incidents[0]!.error_message).toBe(traceback.trimEnd());
    expect((await vigia.stop()).code).toBe(0);
  }, 90_000);
});
