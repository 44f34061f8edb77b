/**
 * The whole composed pipeline, as the engine builds it, with its real stages: lines in, secrets masked, a Python
 * traceback grouped into one event (flushed when its idle time passes on a virtual clock), matched in the worker
 * thread, folded into an incident, remediated by the real executor (mkdir in a temp folder), and the incident changes
 * out; a periodic check's verdicts fold into the same stream. Nothing is bounded by wall-clock time: the grouper runs
 * on a VirtualTimeScheduler, the rest is awaited.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { filter, firstValueFrom, ignoreElements, lastValueFrom, Subject, toArray, VirtualTimeScheduler } from "rxjs";
import { NO_CHECKS } from "../helpers/no-checks.js";
import { fromCheckTransition } from "../../src/engine/check-incidents.js";
import { composePipeline } from "../../src/engine/compose-pipeline.js";
import { createOutageKeys } from "../../src/engine/outage-keys.js";
import { remediateIncidents } from "../../src/engine/remediate-incidents.js";
import { groupMultiline } from "../../src/events/group-multiline.js";
import type { IncidentChange } from "../../src/incidents/incident-change.js";
import type { IncidentInput } from "../../src/incidents/incident-input.js";
import { IncidentManager } from "../../src/incidents/incident-manager.js";
import { createConsoleLogger } from "../../src/observe/logger.js";
import { createExecutor } from "../../src/remediation/index.js";
import { judgeHeartbeat } from "../../src/notify/heartbeat.js";
import type { HealthReport, HealthStage } from "../../src/observe/health-report.js";
import { PipelineWatch } from "../../src/observe/pipeline-watch.js";
import { RuleMatchWorker, type DisabledRule } from "../../src/rules/rule-match-worker.js";
import type { CheckResult, MatchedBatch, SourceLine } from "../../src/types.js";
import { makeRule } from "../helpers/make-rule.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { clockOn } from "../helpers/virtual-clock.js";
import { waitFor } from "../helpers/wait-for.js";

const newTempDir = useTempDirs("vigia-pipeline-");
const T0 = Date.parse("2025-12-25T14:30:20Z");
const FLUSH_IDLE_MS = 100;
const TOKEN = "123456:PIPELINE-secret-token";

const missingFolder = makeRule({
  id: "ruta_inexistente",
  match: /No such file or directory: '(?<path>modelos\/[^/']+)\/[^']+'/,
  keyTemplate: "{path}",
  actions: [{ type: "mkdir", path: "{path}" }],
  verify: { type: "path_exists", path: "{path}" },
});

let offset = 0;
function botLines(texts: string[]): SourceLine[] {
  return texts.map((text) => {
    const line = { source: "bot", file: "logs/bot_central.log", fileId: "1:1", text, offset, endOffset: offset + text.length + 1, readAtMs: T0 };
    offset = line.endOffset;
    return line;
  });
}

function checkDown(ok: boolean): CheckResult {
  const message = ok ? "HTTP 200" : "HTTP 500";
  return { check: "http:backend", kind: "http", ok, severity: "critical", errorType: "servicio_caido", message, motivo: message, durationMs: 3, fields: {}, atMs: T0 };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the composed pipeline", () => {
  it("turns lines into incident changes: a traceback grouped on idle time, matched, remediated; a check's verdicts in the same stream", async () => {
    const baseDir = newTempDir();
    const scheduler = new VirtualTimeScheduler();
    scheduler.frame = T0;
    const logger = createConsoleLogger({ consoleLevel: "error" });
    const matchWorker = new RuleMatchWorker({ budgetMs: 60_000, maskSecrets: [TOKEN] });
    matchWorker.setRules([missingFolder]);
    const manager = new IncidentManager({ clock: clockOn(scheduler), sweepIntervalMs: 0 }); // flush() runs the clock dry: no endless timer on it
    const executor = createExecutor({ allowedRoots: ["modelos"], baseDir, logger });
    cleanups.push(() => matchWorker.close());
    const outageKeys = createOutageKeys(NO_CHECKS, { baseDir, downloadRoot: null });
    const lines$ = new Subject<SourceLine[]>();
    const checks$ = new Subject<IncidentInput>();
    const { matched$, changes$, countStages } = composePipeline(lines$, checks$, {
      countLines: () => undefined,
      grouper: groupMultiline({ startPatterns: new Map([["bot", /^\d{4}-\d{2}-\d{2} /]]), flushIdleMs: FLUSH_IDLE_MS }, clockOn(scheduler)),
      countEvents: () => undefined,
      matchWorker,
      outageKeys,
      askCheck: () => undefined,
      manager,
      onError: (error) => {
        throw error;
      },
    });
    const batches: MatchedBatch[] = [];
    const linesDone = lastValueFrom(matched$.pipe(ignoreElements()), { defaultValue: undefined });
    const subscription = matched$.subscribe((batch) => batches.push(batch));
    const allChanges = lastValueFrom(changes$.pipe(toArray()));
    const remediation = remediateIncidents(changes$, { executor, manager, configValues: {}, outageKeys, logger });
    cleanups.push(async () => {
      subscription.unsubscribe();
      remediation.unsubscribe();
    });
    const solved = firstValueFrom(changes$.pipe(filter((c) => c.type === "transition" && c.incident.estado === "solucionado" && c.incident.error_type === "ruta_inexistente")));

    lines$.next(
      botLines([
        "2025-12-25 14:30:19,900 - bot - INFO - Descargando video para modelo ana",
        `2025-12-25 14:30:20,123 - bot - ERROR - Error descargando (token ${TOKEN})`,
        "Traceback (most recent call last):",
        '  File "main.py", line 10, in descargar',
        "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/20251225_143020_a3f2b1.mp4'",
      ]),
    );
    // The INFO line went on when the ERROR line started the next event; the traceback waits for more lines.
    await waitFor(() => batches.length >= 1, "the INFO line's batch out of matching");
    expect(batches[0]!.matches).toEqual([]);
    expect(manager.listOpen()).toEqual([]);

    scheduler.flush(); // FLUSH_IDLE_MS pass without a line: the traceback is one event
    expect(scheduler.now()).toBe(T0 + FLUSH_IDLE_MS);
    const { incident } = (await solved) as Extract<IncidentChange, { type: "transition" }>;
    expect(existsSync(join(baseDir, "modelos/ana"))).toBe(true);
    expect(incident.error_message.split("\n")).toHaveLength(4);
    expect(incident.error_message).not.toContain(TOKEN);
    expect(incident.campos).toEqual({ path: "modelos/ana" });

    // A periodic check goes down and comes back: its incident opens and closes in the same stream.
    const down = checkDown(false);
    for (const input of fromCheckTransition({ check: down.check, state: "down", result: down }, { findRule: () => undefined })) checks$.next(input);
    const up = checkDown(true);
    for (const input of fromCheckTransition({ check: up.check, state: "up", result: up }, { findRule: () => undefined })) checks$.next(input);

    lines$.complete();
    checks$.complete();
    await linesDone;
    await executor.drain();
    manager.shutdown();
    const changes = await allChanges;
    // Every stage handed on what it took in: 5 lines into 2 events, both matched, folded with the 2 verdicts.
    expect(countStages()).toEqual([
      { stage: "group", unit: "lines", in: 5, out: 5 },
      { stage: "match", unit: "events", in: 2, out: 2 },
      { stage: "fold", unit: "inputs", in: 4, out: 4 },
    ]);
    const story = changes.map((c) => describeChange(c));
    expect(story).toEqual([
      "opened ruta_inexistente detectado",
      "remediate ruta_inexistente",
      "transition ruta_inexistente pendiente (mkdir -p modelos/ana)",
      "transition ruta_inexistente solucionado (mkdir -p modelos/ana)",
      "opened servicio_caido detectado",
      "transition servicio_caido solucionado (recuperado)",
    ]);
  });
});

describe("the composed pipeline's stages, as /health and the heartbeat judge them", () => {
  it("a matching worker held by one event is a stuck match stage while the stages around it are idle; it moves once the watchdog disables the rule", async () => {
    // The worker's watchdog and the judgement run on one injected clock; the regex really holds the worker thread.
    const clock = new VirtualClock(T0);
    const budgetMs = 600_000;
    const disabled: DisabledRule[] = [];
    const matchWorker = new RuleMatchWorker({ budgetMs, clock, onRuleDisabled: (d) => disabled.push(d) });
    cleanups.push(() => matchWorker.close());
    // Nested bounded repetition: minutes of backtracking on an 11-byte line. The load-time check refuses it; here it
    // is handed to the worker directly, as a rule the check could not judge in its budget would be.
    matchWorker.setRules([makeRule({ id: "desbocada", match: /^(?:(?:a?){9}){9}$/ }), makeRule({ id: "termina_en_b", match: /b$/ })]);
    const lines$ = new Subject<SourceLine[]>();
    const { matched$, changes$, countStages } = composePipeline(lines$, new Subject<IncidentInput>(), {
      countLines: () => undefined,
      grouper: groupMultiline({ startPatterns: new Map() }),
      countEvents: () => undefined,
      matchWorker,
      outageKeys: createOutageKeys(NO_CHECKS, { baseDir: newTempDir(), downloadRoot: null }),
      askCheck: () => undefined,
      manager: new IncidentManager({ clock }),
      onError: (error) => {
        throw error;
      },
    });
    const batches: MatchedBatch[] = [];
    const subscriptions = [matched$.subscribe((batch) => batches.push(batch)), changes$.subscribe()];
    cleanups.push(async () => subscriptions.forEach((s) => s.unsubscribe()));
    const watch = new PipelineWatch(30_000);
    const look = () => watch.look(countStages(), clock.now()).stages;

    lines$.next(botLines(["2025-12-25 14:30:19,900 - bot - ERROR - primera b"]));
    await waitFor(() => batches.length === 1, "the first line matched");
    lines$.next(botLines(["aaaaaaaaaab"]));
    expect(look().map((s) => [s.stage, s.waiting, s.stuck])).toEqual([
      ["group", 0, false],
      ["match", 1, false],
      ["fold", 0, false],
    ]);
    await clock.advance(30_000); // the watchdog looks all along: the event is under way, not yet for its budget
    const stuck = look();
    expect(stuck[1]).toEqual({ stage: "match", unit: "events", in: 2, out: 1, waiting: 1, stalled_s: 30, stuck: true });
    expect(stuck.filter((s) => s.stuck).map((s) => s.stage)).toEqual(["match"]);
    expect(judgeHeartbeat(healthOf(stuck))).toEqual({ beat: false, reason: "pipeline stuck at match (1 event waiting, no progress for 30 s)" });

    // Time passes for the watchdog: the worker is restarted, the event matched rule by rule, the runaway rule
    // disabled, and the event goes on through the other rule.
    await waitFor(
      async () => {
        await clock.advance(budgetMs);
        return batches.length === 2;
      },
      { what: "the held event answered once the watchdog disabled its rule", everyMs: 50 },
    );
    expect(disabled.map((d) => d.rule.id)).toEqual(["desbocada"]);
    expect(batches[1]!.matches.map((m) => m.rule.id)).toEqual(["termina_en_b"]);
    const moving = look();
    expect(moving.map((s) => [s.stage, s.waiting, s.stuck])).toEqual([
      ["group", 0, false],
      ["match", 0, false],
      ["fold", 0, false],
    ]);
    expect(judgeHeartbeat(healthOf(moving))).toEqual({ beat: true });
  });
});

/** A /health document that is healthy but for its pipeline stages. */
function healthOf(stages: HealthStage[]): HealthReport {
  return {
    status: "ok",
    version: "0.0.0",
    uptime_s: 1,
    sources: [],
    rules: { loaded: 2, files: 1, last_reload: null, last_error: null },
    incidents_open: {},
    checks: [],
    notifier: { queued: 0, sent: 0, failed: 0, dropped: 0 },
    pipeline: { stuck_after_s: 30, stages },
  };
}

function describeChange(change: IncidentChange): string {
  switch (change.type) {
    case "opened":
      return `opened ${change.incident.error_type} ${change.incident.estado}`;
    case "transition":
      return `transition ${change.incident.error_type} ${change.incident.estado}${change.incident.accion ? ` (${change.incident.accion})` : ""}`;
    case "remediate":
      return `remediate ${change.request.rule.id}`;
    default:
      return change.type;
  }
}
