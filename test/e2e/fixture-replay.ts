/**
 * One real engine run over the shipped fixtures, shared by the tests that need a journal the ENGINE wrote:
 * `vigia run --from-start` reads fixtures/bot_central.log and fixtures/backend.log; once their incidents are
 * journaled and fixed, two more lines add a refused fix (fallido: a path outside allowed_roots) and a solved
 * one, then SIGTERM. The journal mixes solucionado, fallido and one still-open incident (servidor_caido
 * waits 10 s between its checks, its own backoff).
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { BACKEND_LOG, BOT_LOG, REPO, createWorkspace, formatPythonLine, readJournal, startVigia, type ChildResult, type JournalIncident, type Workspace } from "./vigia-harness.js";

/** Where an expected event lives and a text of its first line (line numbers move when a fixture is edited). */
export interface ExpectedEvent {
  file: "bot_central.log" | "backend.log";
  first_line: string;
}

/** test/e2e/fixtures-expected.json. */
export interface FixtureExpectation {
  incidents: Array<{ error_type: string; events: ExpectedEvent[]; why: string }>;
  not_matched: Array<ExpectedEvent & { why: string }>;
}

/** The incidents the fixtures must give, written by reading them (see the file's `about`). */
export const FIXTURE_EXPECTATION = JSON.parse(readFileSync(join(REPO, "test", "e2e", "fixtures-expected.json"), "utf8")) as FixtureExpectation;

/** A folder outside remediation.allowed_roots: its mkdir must be refused, so its incident ends fallido. */
export const HOSTILE_DIR = "/etc/vigia-e2e-no-debe-existir";
export const TERMINAL_ESTADOS = ["solucionado", "fallido"];

export interface FixtureReplay {
  ws: Workspace;
  /** The journal once every fixture event was handled (before the two extra lines). */
  fixtureJournal: JournalIncident[];
  /** The journal after SIGTERM. */
  finalJournal: JournalIncident[];
  stopResult: ChildResult;
}

/** Runs the replay in a workspace kept for the whole test file (remove it with cleanUpAll in afterAll). */
export async function replayFixtures(): Promise<FixtureReplay> {
  const ws = createWorkspace({ scope: "file" });
  // The bot's folders as a deployment has them: pedro's exists (permisos chowns it); ana's does not (ruta_inexistente makes it).
  ws.write("modelos/pedro/.keep", "");
  ws.write(BOT_LOG, readFileSync(join(REPO, "fixtures", "bot_central.log")));
  ws.write(BACKEND_LOG, readFileSync(join(REPO, "fixtures", "backend.log")));
  const vigia = await startVigia(ws, ["--from-start"]);
  const expectedEvents = FIXTURE_EXPECTATION.incidents.reduce((n, i) => n + i.events.length, 0);
  const settled = () => {
    const j = readJournal(ws);
    const folded = j.reduce((n, i) => n + i.ocurrencias, 0);
    return folded === expectedEvents && j.every((i) => i.error_type === "servidor_caido" || TERMINAL_ESTADOS.includes(i.estado)) && j;
  };
  const fixtureJournal = await waitFor(settled, {
    what: "every fixture event in the journal, and its fixes done",
    timeoutMs: 20_000,
    describe: () => `${JSON.stringify(readJournal(ws).map((i) => [i.error_type, i.estado, i.ocurrencias]))}\n${vigia.stderr()}`,
  });

  ws.append(BOT_LOG, formatPythonLine("ERROR", `FileNotFoundError: [Errno 2] No such file or directory: '${HOSTILE_DIR}/x.mp4'`, "2025-12-25 14:40:00,000"));
  ws.append(BOT_LOG, formatPythonLine("ERROR", "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/extra/20251225_144001_e2e001.mp4'", "2025-12-25 14:40:01,000"));
  await waitFor(() => readJournal(ws).filter((i) => i.error_type === "ruta_inexistente" && TERMINAL_ESTADOS.includes(i.estado)).length === 3, {
    what: "the two extra ruta_inexistente incidents to end",
    describe: vigia.stderr,
  });
  const stopResult = await vigia.stop();
  return { ws, fixtureJournal, finalJournal: readJournal(ws), stopResult };
}

/** Removes HOSTILE_DIR should a broken path guard have created it (a test must not leave it in /etc). */
export function removeHostileDir(): void {
  rmSync(HOSTILE_DIR, { recursive: true, force: true });
}
