/**
 * Disk full tells the truth, on a real 32 MiB tmpfs mounted as the download folder (the working folder's own disk
 * has plenty of room): the log's ENOSPC and the disk check share one incident for that filesystem, it stays open
 * while the filesystem is full (also across a restart of vigia), `vigia supervise` stops the bot meanwhile and
 * starts it again once space is back. Needs root (mount); skipped with a note otherwise. "Still full later" is
 * awaited as disk check runs counted on /metrics, never as time slept.
 */
import { afterAll, afterEach, expect, it, jest } from "@jest/globals";
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { findPidsByPattern } from "../../src/checks/find-process.js";
import { escapeRegExp } from "../../src/util/template.js";
import { waitFor } from "../helpers/wait-for.js";
import { removeDir } from "../helpers/temp-dir.js";
import { killLeftovers, makeWorkdir, readJournal, readText, startVigia, type JournalEntry } from "./cli-harness.js";
import { describeUnless } from "../helpers/environment.js";
import { mountTmpfs, whyNoTmpfs } from "../helpers/tmpfs.js";

jest.setTimeout(120_000);

const unmounts: (() => void)[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await killLeftovers();
});
afterAll(() => {
  for (const unmount of unmounts.splice(0)) unmount();
  for (const d of dirs.splice(0)) removeDir(d);
});

/** A workdir whose `modelos/` is a fresh 32 MiB tmpfs; thresholds scaled to it (10.7 MB critical, 21.5 MB warning). */
function makeDiskWorkdir(): string {
  const dir = makeWorkdir();
  dirs.push(dir);
  unmounts.push(mountTmpfs(join(dir, "modelos"), "32m"));
  writeFileSync(
    join(dir, "vigia.config.yaml"),
    [
      "status: { listen: '127.0.0.1:0' }",
      `sources: [{ name: bot, path: logs/bot.log, multiline: { start: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}' } }]`,
      "remediation: { allowed_roots: [modelos], backoff: [0.1, 0.2, 0.4] }",
      "checks:",
      "  interval: 2",
      "  disk: { paths: [modelos], warn_gb: 0.02, critical_gb: 0.01 }",
      "",
    ].join("\n"),
  );
  return dir;
}

/** Writes into `path` until the filesystem refuses (ENOSPC), 1 MiB then 4 KiB at a time: less than 4 KiB stay free. */
function fillDisk(path: string): void {
  const fd = openSync(path, "w");
  try {
    for (const size of [1024 * 1024, 4096]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The bot: saves a video every 10 ms (keeping the last one), logging each save or its OSError. Saving that often, it
 * meets the full disk before the next periodic disk check does. Each video is 8 KiB larger than the one before, so
 * the space freed by removing the previous one never fits the next: the bot meets ENOSPC whatever it was doing
 * when the disk filled up.
 */
const BOT_PY = `import logging, os, sys, time
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
log = logging.getLogger("bot_central")
log.info("Bot iniciado")
os.makedirs("modelos/ana", exist_ok=True)
previous, n = None, 0
while True:
    n += 1
    path = "modelos/ana/video_%d_%d.mp4" % (os.getpid(), n)
    try:
        with open(path, "wb") as f:
            f.write(b"\\0" * (256 + 8 * n) * 1024)
        log.info("Descarga exitosa: %s", path)
        if previous:
            os.unlink(previous)
        previous = path
    except OSError:
        log.exception("Error al guardar %s", path)
        if os.path.exists(path):
            os.unlink(path)
    sys.stdout.flush()
    time.sleep(0.01)
`;

/** How many times the disk check has run, from vigia's /metrics; undefined before its banner gave the status address. */
async function diskCheckRuns(stderr: string): Promise<number | undefined> {
  const url = stderr.match(/status: (http:\/\/127\.0\.0\.1:\d+)\/health/)?.[1];
  if (url === undefined) return undefined;
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return metrics
    .split("\n")
    .filter((l) => l.startsWith('vigia_check_runs_total{check="disk:'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** Resolves once the disk check has run `runs` more times. */
async function waitForDiskChecks(runs: number, stderr: () => string): Promise<void> {
  const from = await waitFor(() => diskCheckRuns(stderr()), { what: "vigia's status address", describe: stderr });
  await waitFor(async () => ((await diskCheckRuns(stderr())) ?? 0) >= from + runs, { what: `${runs} more disk checks`, describe: stderr });
}

function diskIncidents(dir: string): JournalEntry[] {
  return readJournal(join(dir, "logs", "descarga_errors.json")).filter((i) => i.error_type === "disco_lleno");
}

describeUnless(whyNoTmpfs())("a full download filesystem", () => {
  it("stops the supervised bot while full, keeps one open incident for log and check, restarts the bot when space is back", async () => {
    const dir = makeDiskWorkdir();
    writeFileSync(join(dir, "bot.py"), BOT_PY);
    // Anchored: vigia's own command line (`… supervise -- python3 …/bot.py`) ends the same way.
    const botPattern = new RegExp(`^\\S*python3 ${escapeRegExp(join(dir, "bot.py"))}$`);
    const run = startVigia(["supervise", "--", "python3", join(dir, "bot.py")], dir);
    const log = () => readText(join(dir, "logs", "bot.log"));
    const starts = () => log().match(/ - Bot iniciado/g)?.length ?? 0;
    await waitFor(() => /Descarga exitosa/.test(log()), { what: "the bot's first save", describe: () => run.stderr() });
    expect(await findPidsByPattern(botPattern)).toHaveLength(1);

    fillDisk(join(dir, "modelos", "relleno.bin"));
    await waitFor(() => /OSError: \[Errno 28\] No space left on device/.test(log()), { what: "the bot's ENOSPC", describe: log });
    await waitFor(
      () => diskIncidents(dir).some((i) => i.transiciones.some((t) => t.accion === "bot detenido: disco lleno")),
      { what: "the bot stopped for the full disk", describe: () => `${run.stderr()}\n${JSON.stringify(diskIncidents(dir), null, 1)}` },
    );
    await waitFor(async () => (await findPidsByPattern(botPattern)).length === 0, { what: "the bot's process gone", describe: run.stderr });

    // Two checks later the filesystem is still full: the incident is still open, the bot still stopped.
    await waitForDiskChecks(2, run.stderr);
    const open = diskIncidents(dir);
    expect(open).toHaveLength(1);
    expect(["detectado", "pendiente", "reintentando"]).toContain(open[0]!.estado);
    const sources = [open[0]!.fuente, ...open[0]!.transiciones.flatMap((t) => t.accion?.match(/^también detectado por (.+)$/)?.[1] ?? [])];
    expect(sources.sort()).toEqual(["bot", "check:disk"]);
    expect(starts()).toBe(1);

    rmSync(join(dir, "modelos", "relleno.bin"));
    await waitFor(
      () => diskIncidents(dir)[0]?.estado === "solucionado",
      { what: "disco_lleno solucionado", describe: () => JSON.stringify(diskIncidents(dir), null, 1) },
    );
    await waitFor(() => starts() === 2, { what: "the bot started again", describe: () => run.stderr() });
    expect((await findPidsByPattern(botPattern)).length).toBe(1);
    expect(diskIncidents(dir)).toHaveLength(1);

    process.kill(run.pid, "SIGTERM");
    const result = await run.done;
    expect(result.stdout).toContain("resumen de la sesión");
  });

  it("a disk incident taken up after a restart stays open while the check says full, and closes when space is back", async () => {
    const dir = makeDiskWorkdir();
    fillDisk(join(dir, "modelos", "relleno.bin"));
    const first = startVigia(["run"], dir);
    await waitFor(() => /remediation: (on|DRY-RUN)/.test(first.stderr()), { what: "vigia started", describe: () => first.stderr() });
    mkdirSync(join(dir, "logs"), { recursive: true });
    writeFileSync(
      join(dir, "logs", "bot.log"),
      "2025-12-25 14:30:20,131 - bot_central - ERROR - OSError: [Errno 28] No space left on device: 'modelos/ana/20251225_143020_a3f2b1.mp4'\n",
      { flag: "a" },
    );
    await waitFor(() => diskIncidents(dir).length === 1, { what: "the disk incident", describe: () => first.stderr() });
    process.kill(first.pid, "SIGTERM");
    await first.done;
    expect(diskIncidents(dir)[0]!.estado).not.toMatch(/solucionado|fallido/);

    // The working folder's disk has plenty of room; the tmpfs that failed has none.
    const second = startVigia(["run"], dir);
    await waitFor(
      () => /resumed 1 open incident/.test(second.stderr()),
      { what: "the incident taken up", describe: () => second.stderr() },
    );
    await waitForDiskChecks(2, second.stderr);
    expect(diskIncidents(dir)).toHaveLength(1);
    expect(diskIncidents(dir)[0]!.estado).not.toMatch(/solucionado|fallido/);

    rmSync(join(dir, "modelos", "relleno.bin"));
    await waitFor(
      () => diskIncidents(dir)[0]?.estado === "solucionado",
      { what: "solucionado once space is back", describe: () => second.stderr() },
    );
    expect(diskIncidents(dir)).toHaveLength(1);
    process.kill(second.pid, "SIGTERM");
    await second.done;
  });
});
