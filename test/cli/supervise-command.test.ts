// `vigia supervise -- CMD` end to end: the real CLI runs the fake bot (fixtures/fake_bot/main.py) with python3,
// its output reaches both its log file and the pipeline, remediation happens, and a signal stops both processes.
import { afterEach, describe, expect, it } from "@jest/globals";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HANG_GUARD_MS, sleepMs, waitFor } from "../helpers/wait-for.js";
import { removeDir } from "../helpers/temp-dir.js";
import { FAKE_BOT, PY_STAMP, isProcessAlive, killLeftovers, listDescendantPids, makeWorkdir, readJournal, readText, startVigia, type CliRun } from "./cli-harness.js";

const dirs: string[] = [];
afterEach(async () => {
  await killLeftovers();
  dirs.splice(0).forEach(removeDir);
});

function makeDir(extraConfig = ""): string {
  const dir = makeWorkdir(extraConfig);
  dirs.push(dir);
  return dir;
}

/** The path the bot announced for `modelo` ("Descargando video para modelo ana: modelos/ana/…"). */
function findAnnouncedPath(log: string, modelo: string): string | null {
  return new RegExp(`Descargando video para modelo ${modelo}: (\\S+)`).exec(log)?.[1] ?? null;
}

/** The pid of the supervised python process, once vigia has started it. */
async function waitForChildPid(run: CliRun): Promise<number> {
  let pid: number | undefined;
  await waitFor(() => (pid = listDescendantPids(run.pid)[0]) !== undefined, { what: "the supervised child", describe: run.stderr });
  return pid!;
}

describe("vigia supervise -- CMD", () => {
  it("logs the bot's lines, fixes a missing folder from them, and stops both on SIGINT with the bot's exit code", async () => {
    const dir = makeDir();
    const logPath = join(dir, "logs", "bot_central.log");
    const journalPath = join(dir, "logs", "descarga_errors.json");
    const run = startVigia(["supervise", "--", "python3", FAKE_BOT, "--scenario", "errors", "--root", dir, "--retry-after", "1", "--forever"], dir);
    const botPid = await waitForChildPid(run);
    const diagnose = () => `--- log\n${readText(logPath)}\n--- vigia stderr\n${run.stderr()}`;

    // The bot's own retry (1 s after the failure) succeeds only if vigia created the folder in the meantime.
    let ana: string | null = null;
    await waitFor(
      () => (ana = findAnnouncedPath(readText(logPath), "ana")) !== null && readText(logPath).includes(`Descarga exitosa: ${ana}`),
      { what: "the bot's retry of ana's video to succeed", describe: diagnose },
    );
    await waitFor(
      () => readJournal(journalPath).some((e) => e.error_type === "ruta_inexistente" && e.estado === "solucionado"),
      { what: "ruta_inexistente solucionado in the journal", describe: diagnose },
    );

    const log = readText(logPath);
    // The child's lines land in the config's first source file, as the bot wrote them (they carry their own stamps).
    expect(log).toMatch(new RegExp(`^${PY_STAMP} - bot_central - INFO - Bot iniciado`, "m"));
    expect(log).toContain(`FileNotFoundError: [Errno 2] No such file or directory: '${ana}'`);
    expect(statSync(join(dir, "modelos", "ana")).isDirectory()).toBe(true);

    const fixes = readJournal(journalPath).filter((e) => e.error_type === "ruta_inexistente");
    // One error line for ana → one incident with one occurrence: the lines are fed once (not also tailed from the file).
    expect(fixes).toHaveLength(1);
    const fix = fixes[0]!;
    expect(fix).toMatchObject({ estado: "solucionado", fuente: "bot", archivo: logPath, ocurrencias: 1, accion: "mkdir -p modelos/ana" });
    expect(fix.campos).toMatchObject({ path: ana, dir: "modelos/ana", modelo: "ana" });
    expect(fix.error_message).toContain(`No such file or directory: '${ana}'`);
    expect(fix.transiciones.map((t) => t.estado)).toEqual(expect.arrayContaining(["detectado", "solucionado"]));

    process.kill(run.pid, "SIGINT");
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(readText(logPath)).toMatch(/ - INFO - Bot detenido \(SIGINT\)\n/);
    expect(isProcessAlive(botPid)).toBe(false);
    expect(result.stdout).toContain("resumen de la sesión");
    expect(result.stdout).toMatch(/^ruta_inexistente\s+0\s+0\s+0\s+1\s+0$/m);
    expect(result.stderr).toMatch(/SIGINT: forwarding to 1 child process/);
  });

  it.each(["SIGINT", "SIGTERM"] as const)("writes to the --log file and exits with the bot's own code after %s", async (signal) => {
    const dir = makeDir();
    const logPath = join(dir, "custom", "bot.log");
    const run = startVigia(["supervise", "--log", "custom/bot.log", "--", "python3", FAKE_BOT, "--scenario", "ok", "--root", dir, "--forever", "--heartbeat", "0.2", "--exit-code", "3"], dir);
    const botPid = await waitForChildPid(run);
    await waitFor(
      () => readText(logPath).includes("Heartbeat 1"),
      { what: "the bot's first heartbeat in the --log file", describe: run.stderr },
    );

    process.kill(run.pid, signal);
    const result = await run.done;
    expect(result.code).toBe(3);
    expect(readText(logPath)).toContain(`Bot detenido (${signal})`);
    expect(readText(join(dir, "logs", "bot_central.log"))).toBe("");
    expect(isProcessAlive(botPid)).toBe(false);
    expect(result.stdout).toContain("resumen de la sesión");
  });

  it("ends with the bot when it exits on its own, and a non-zero exit is a proceso_caido incident", async () => {
    const dir = makeDir();
    const result = await startVigia(["supervise", "--", "python3", FAKE_BOT, "--scenario", "ok", "--root", dir, "--exit-code", "5"], dir).done;
    expect(result.code).toBe(5);
    expect(readText(join(dir, "logs", "bot_central.log"))).toContain("Descarga exitosa: modelos/sofia/");
    const crashes = readJournal(join(dir, "logs", "descarga_errors.json")).filter((e) => e.error_type === "proceso_caido");
    expect(crashes).toHaveLength(1);
    expect(crashes[0]!.error_message).toContain("terminó con código 5");
  });

  it("reports a command that cannot start with exit code 127", async () => {
    const dir = makeDir();
    const result = await startVigia(["supervise", "--", join(dir, "no-such-bot")], dir).done;
    expect(result.code).toBe(127);
    expect(result.stderr).toContain("cannot start");
  });

  it("refuses to start without a command or a supervise: section (usage error, exit 2)", async () => {
    const dir = makeDir();
    const result = await startVigia(["supervise"], dir).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no command/);
  });

  // A SIGTERM that arrives while the engine starts stops the engine inside startDaemon; supervise must then not
  // start the bot at all (it would run with nothing watching it, and vigia would wait for it forever).
  it("a SIGTERM during start-up stops vigia without leaving the bot running", async () => {
    const dir = makeDir();
    const run = startVigia(["supervise", "--", "python3", FAKE_BOT, "--scenario", "ok", "--root", dir, "--forever"], dir);
    // The notifier's first line is written while the engine is still loading its rules: signal right then.
    let signalled = false;
    run.child.stderr!.on("data", () => {
      if (!signalled && run.stderr().includes("telegram off")) {
        signalled = true;
        process.kill(run.pid, "SIGTERM");
      }
    });
    const ended = await Promise.race([run.done.then(() => true), sleepMs(HANG_GUARD_MS).then(() => false)]); // the bug: a hang
    const leftovers = listDescendantPids(run.pid);
    expect(signalled).toBe(true);
    expect(ended).toBe(true);
    expect(leftovers).toEqual([]);
  });

  // Ctrl+C in a terminal sends SIGINT to the whole job. The child, in its own process group, gets it once, through
  // vigia's forwarding (a real bot's second Ctrl+C means "abort now"), and vigia exits with the child's code.
  it("Ctrl+C on the terminal's job (SIGINT to the process group) reaches the child once", async () => {
    const dir = makeDir();
    const counter = join(dir, "count_signals.py");
    // The child counts until told that vigia has forwarded the signal: a duplicate has arrived by then.
    const forwarded = join(dir, "forwarded");
    writeFileSync(
      counter,
      [
        "import os, signal, sys, time",
        "received = []",
        "signal.signal(signal.SIGINT, lambda s, f: received.append(s))",
        "print('listo', flush=True)",
        `while not (received and os.path.exists(${JSON.stringify(forwarded)})): time.sleep(0.01)`,
        "print(f'recibidas {len(received)}', flush=True)",
        "sys.exit(3)",
      ].join("\n"),
    );
    const logPath = join(dir, "logs", "bot_central.log");
    const run = startVigia(["supervise", "--", "python3", counter], dir);
    await waitFor(() => readText(logPath).includes("listo"), { what: "the child to install its handler", describe: run.stderr });
    process.kill(-run.pid, "SIGINT");
    await waitFor(() => /SIGINT: forwarding to 1 child process/.test(run.stderr()), { what: "vigia to forward the SIGINT", describe: run.stderr });
    writeFileSync(forwarded, "");
    const result = await run.done;
    expect(readText(logPath)).toMatch(/recibidas 1$/m);
    expect(result.code).toBe(3);
  });
});
