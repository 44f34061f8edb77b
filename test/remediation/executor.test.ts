import { describe, it, expect, beforeEach, afterEach, jest } from "@jest/globals";
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ActionSpec } from "../../src/types.js";
import { createExecutor, type Executor, type ExecutorOptions, type RemediationStep } from "../../src/remediation/index.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { waitFor } from "../helpers/wait-for.js";
import { makeRule } from "../helpers/make-rule.js";
import { collectSteps, makePendingIncident, makeTraversableTempDir, snapshotTree } from "./helpers.js";

let base: string;
let cleanup: () => void;
const executors: Executor[] = [];
beforeEach(() => {
  ({ dir: base, cleanup } = makeTraversableTempDir());
  base = realpathSync(base);
  mkdirSync(join(base, "modelos"));
});
afterEach(async () => {
  await Promise.all(executors.splice(0).map((executor) => executor.stop()));
  cleanup();
});

function makeExecutor(options: Partial<ExecutorOptions> = {}): Executor {
  const executor = createExecutor({ allowedRoots: ["modelos"], baseDir: base, backoffMs: [10, 20, 40], ...options });
  executors.push(executor);
  return executor;
}

const never = () => new AbortController().signal;
const texts = (steps: RemediationStep[]) => steps.map((s) => `${s.estado} ${s.intento} ${s.accion}`);

describe("the attempt loop", () => {
  it("runs the actions, verifies, and reports each step: detectado's fix in one attempt", async () => {
    const executor = makeExecutor();
    const { steps, report } = collectSteps();
    const rule = makeRule({
      actions: [{ type: "mkdir", path: "{path}", parent: true }],
      verify: { type: "path_exists", path: "modelos/{modelo}" },
    });
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule,
      fields: { path: "modelos/ana/20251225_143020_a3f2b1.mp4", modelo: "ana" },
      signal: never(),
      report,
    });
    expect(outcome).toMatchObject({ estado: "solucionado", intento: 0, accion: "mkdir -p modelos/ana" });
    // Each step in both voices: the journal's Spanish, and the English of vigia's log.
    expect(steps).toEqual([
      {
        estado: "pendiente",
        accion: "mkdir -p modelos/ana",
        intento: 0,
        detalle: expect.stringMatching(/^creadas: modelos\/ana/),
        message: expect.stringMatching(/^mkdir -p modelos\/ana: created: modelos\/ana/),
        atMs: expect.any(Number),
      },
      {
        estado: "solucionado",
        accion: "mkdir -p modelos/ana",
        intento: 0,
        detalle: "verificado: existe modelos/ana",
        message: "mkdir -p modelos/ana: verified: modelos/ana exists",
        atMs: expect.any(Number),
      },
    ]);
    expect(statSync(join(base, "modelos/ana")).isDirectory()).toBe(true);
  });

  it("the fix at once, then retries after each backoff delay, the last repeating; fallido after the last (manual clock)", async () => {
    // Time moves only when a timer fires: each retry is then due exactly its delay after the previous.
    const clock = new VirtualClock();
    const startMs = clock.now();
    const executor = makeExecutor({ clock, backoffMs: [1000, 2000, 4000], actionTimeoutMs: 777_000 });
    const { steps, report } = collectSteps();
    const rule = makeRule({ retries: 5, actions: [{ type: "wait" }], verify: { type: "path_exists", path: "modelos/nunca" } });
    const done = executor.submit({ incident: makePendingIncident(), rule, fields: {}, signal: never(), report });
    const attempts = () => steps.filter((s) => s.estado === "reintentando" && s.accion.startsWith("reintento")).length;
    for (const [index, ms] of [1000, 2000, 4000, 4000, 4000].entries()) {
      await clock.advanceToTimer(ms);
      expect(attempts()).toBeGreaterThanOrEqual(index + 1); // the retry waited for this timer
      expect(attempts()).toBeLessThanOrEqual(index + 1);
    }
    const outcome = await done;
    expect(outcome).toMatchObject({ estado: "fallido", intento: 5 });
    expect(steps.filter((s) => s.estado === "reintentando" && s.accion.startsWith("reintento")).map((s) => s.accion)).toEqual([
      "reintento 1/5", "reintento 2/5", "reintento 3/5", "reintento 4/5", "reintento 5/5",
    ]);
    expect(steps[0]).toEqual({ estado: "pendiente", accion: "esperar", intento: 0, detalle: null, message: "wait", atMs: startMs });
    // Each step carries its attempt's due time (a catch-up dates it so): +0, +1, +3, +7, +11, +15 s.
    expect([...new Set(steps.map((s) => s.atMs! - startMs))]).toEqual([0, 1000, 3000, 7000, 11_000, 15_000]);
    expect(steps.at(-1)).toEqual({
      estado: "fallido",
      accion: "reintento 5/5",
      intento: 5,
      detalle: "no verificado: existe modelos/nunca (modelos/nunca: ENOENT)",
      message: "retry 5/5: not verified: modelos/nunca exists (modelos/nunca: ENOENT)",
      atMs: startMs + 15_000,
    });
  });

  it("follows the backoff under jest fake timers", async () => {
    jest.useFakeTimers();
    try {
      const executor = makeExecutor({ backoffMs: [1000, 2000], maxRetries: 3 });
      const { steps, report } = collectSteps();
      // Only `wait` and no verify: nothing can confirm a fix, so every attempt runs and the last one fails.
      const done = executor.submit({ incident: makePendingIncident(), rule: makeRule({ actions: [{ type: "wait" }] }), fields: {}, signal: never(), report });
      const attempts = () => steps.filter((s) => s.accion.startsWith("reintento")).length;
      // The fix at +0, retries at +1 s, +3 s and +5 s (the last delay repeats).
      await jest.advanceTimersByTimeAsync(0);
      expect(attempts()).toBe(0);
      expect(steps).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(999);
      expect(attempts()).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(attempts()).toBe(1);
      await jest.advanceTimersByTimeAsync(1999);
      expect(attempts()).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(attempts()).toBe(2);
      await jest.advanceTimersByTimeAsync(1999);
      expect(attempts()).toBe(2);
      await jest.advanceTimersByTimeAsync(1);
      expect(await done).toMatchObject({ estado: "fallido", intento: 3, detalle: "sin confirmación: esperando resolve_on" });
    } finally {
      jest.useRealTimers();
    }
  });

  it("real time: no retry starts before its time (the delays added up from the job's start) and a fix found mid-way wins", async () => {
    const executor = makeExecutor({ backoffMs: [50, 100, 200] });
    const startedAt: number[] = [];
    const submittedAt = performance.now();
    const steps: RemediationStep[] = [];
    const rule = makeRule({ retries: 4, actions: [{ type: "wait" }], verify: { type: "path_exists", path: "modelos/listo" } });
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule,
      fields: {},
      signal: never(),
      report: (step) => {
        steps.push(step);
        if (step.accion.startsWith("reintento")) startedAt.push(performance.now());
        // The condition clears by itself just as attempt 3 starts.
        if (step.accion === "reintento 3/4") mkdirSync(join(base, "modelos/listo"));
      },
    });
    expect(outcome).toMatchObject({ estado: "solucionado", intento: 3 });
    // Retries are scheduled from the job's start (+50, +150, +350 ms): a late one on a busy machine does not push
    // the next back, so only "not before its time" holds whatever the load (less 2 ms of timer rounding).
    const sinceSubmit = startedAt.map((t) => t - submittedAt);
    expect(sinceSubmit.length).toBeGreaterThanOrEqual(3);
    expect(sinceSubmit[0]).toBeGreaterThanOrEqual(48);
    expect(sinceSubmit[1]).toBeGreaterThanOrEqual(148);
    expect(sinceSubmit[2]).toBeGreaterThanOrEqual(348);
  });

  it("stops at the first failing action of an attempt", async () => {
    const executor = makeExecutor({ maxRetries: 2 });
    const { steps, report } = collectSteps();
    const rule = makeRule({ actions: [{ type: "exec", command: ["node", "-e", "process.exit(7)"] }, { type: "mkdir", path: "modelos/despues" }] });
    const outcome = await executor.submit({ incident: makePendingIncident(), rule, fields: {}, signal: never(), report });
    expect(outcome).toMatchObject({ estado: "fallido", intento: 2, detalle: expect.stringContaining("código de salida 7") });
    expect(steps.some((s) => s.accion.startsWith("mkdir"))).toBe(false);
    expect(existsSync(join(base, "modelos/despues"))).toBe(false);
  });

  it("without verify, actions that did something are the confirmation", async () => {
    const executor = makeExecutor();
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/x" }] }),
      fields: {},
      signal: never(),
      report: () => undefined,
    });
    expect(outcome).toMatchObject({ estado: "solucionado", detalle: "acciones completadas" });
  });

  it("a refused path fails at once: no retries, no backoff, nothing touched", async () => {
    const clock = new VirtualClock();
    const executor = makeExecutor({ clock, actionTimeoutMs: 777_000 });
    const { steps, report } = collectSteps();
    const before = snapshotTree(base);
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule: makeRule({ actions: [{ type: "mkdir", path: "{path}" }], verify: { type: "path_exists", path: "{path}" } }),
      fields: { path: "../../etc/vigia-x" },
      signal: never(),
      report,
    });
    expect(outcome).toMatchObject({ estado: "fallido", intento: 0 });
    expect(steps.at(-1)).toEqual({
      estado: "fallido",
      accion: 'mkdir "../../etc/vigia-x"',
      intento: 0,
      detalle: `ruta rechazada (dot_dot): "../../etc/vigia-x": contiene un segmento '..'`,
      message: `mkdir "../../etc/vigia-x": failed: path refused (dot_dot): "../../etc/vigia-x": contains a '..' segment`,
      atMs: clock.now(),
    });
    // Ended with time standing still and no timer left: no backoff was ever waited for.
    expect(clock.pendingTimers()).toBe(0);
    expect(snapshotTree(base)).toEqual(before);
  });

  it("a template field the line did not capture fails at once", async () => {
    const executor = makeExecutor();
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/{modelo}" }] }),
      fields: {},
      signal: never(),
      report: () => undefined,
    });
    expect(outcome).toMatchObject({ estado: "fallido", intento: 0, detalle: "la línea no nombra {modelo}, que la acción necesita" });
  });

  it("resumes at the recorded attempt (restart-safe)", async () => {
    const executor = makeExecutor();
    const { steps, report } = collectSteps();
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule: makeRule({ actions: [{ type: "wait" }], verify: { type: "path_exists", path: "modelos/no" } }),
      fields: {},
      startAttempt: 3,
      signal: never(),
      report,
    });
    expect(outcome).toMatchObject({ estado: "fallido", intento: 3 });
    expect(texts(steps)).toEqual(["reintentando 3 reintento 3/3", "reintentando 3 esperar", "fallido 3 reintento 3/3"]);
    expect(executor.getMaxRetries(makeRule({ retries: 5 }))).toBe(5);
    expect(executor.getMaxRetries(makeRule())).toBe(3);
  });

  it("a report() that throws does not break the job", async () => {
    const executor = makeExecutor();
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/y" }] }),
      fields: {},
      signal: never(),
      report: () => {
        throw new Error("journal roto");
      },
    });
    expect(outcome.estado).toBe("solucionado");
  });
});

describe("cancellation (resolve_on closed the incident)", () => {
  it("aborting during the backoff ends the job at once, with nothing more reported", async () => {
    const clock = new VirtualClock();
    const executor = makeExecutor({ backoffMs: [60_000], clock });
    const controller = new AbortController();
    const { steps, report } = collectSteps();
    const rule = makeRule({ actions: [{ type: "wait" }] });
    const done = executor.submit({ incident: makePendingIncident(), rule, fields: {}, signal: controller.signal, report });
    await waitFor(() => clock.timersDue().includes(60_000), "the job in its 60 s backoff");
    controller.abort(); // virtual time does not move: only the abort ends the job
    expect(await done).toMatchObject({ estado: "cancelado", intento: 0 });
    expect(clock.pendingTimers()).toBe(0); // the backoff's timer went with it
    expect(texts(steps)).toEqual(["pendiente 0 esperar"]);
  });

  it("aborting kills a running command", async () => {
    const executor = makeExecutor();
    const controller = new AbortController();
    const rule = makeRule({ actions: [{ type: "exec", command: ["sleep", "600"] }] });
    const done = executor.submit({ incident: makePendingIncident(), rule, fields: {}, signal: controller.signal, report: () => undefined });
    setTimeout(() => controller.abort(), 100);
    expect((await done).estado).toBe("cancelado");
  });

  it("a job aborted while queued never starts", async () => {
    const executor = makeExecutor({ concurrency: 1 });
    const blocker = new AbortController();
    const first = executor.submit({
      incident: makePendingIncident("a"),
      rule: makeRule({ actions: [{ type: "exec", command: ["sleep", "600"] }] }),
      fields: {},
      signal: blocker.signal,
      report: () => undefined,
    });
    const queued = new AbortController();
    const { steps, report } = collectSteps();
    const second = executor.submit({ incident: makePendingIncident("b"), rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/z" }] }), fields: {}, signal: queued.signal, report });
    queued.abort();
    blocker.abort();
    expect((await first).estado).toBe("cancelado");
    expect(await second).toMatchObject({ estado: "cancelado" });
    expect(steps).toEqual([]);
    expect(existsSync(join(base, "modelos/z"))).toBe(false);
  });

  it("stop() cancels waits and commands, then refuses new jobs", async () => {
    const clock = new VirtualClock();
    const executor = makeExecutor({ backoffMs: [60_000], actionTimeoutMs: 600_000, clock });
    const waiting = executor.submit({ incident: makePendingIncident(), rule: makeRule({ actions: [{ type: "wait" }] }), fields: {}, signal: never(), report: () => undefined });
    const running = executor.submit({
      incident: makePendingIncident(),
      rule: makeRule({ actions: [{ type: "exec", command: ["sleep", "600"] }] }),
      fields: {},
      signal: never(),
      report: () => undefined,
    });
    // Both under way: one in its backoff, the other's command running against its timeout.
    await waitFor(() => [60_000, 600_000].every((ms) => clock.timersDue().includes(ms)), {
      what: "a backoff and a running command",
      describe: () => `timers due in ${clock.timersDue().join(", ")} ms`,
    });
    await executor.stop(); // virtual time does not move: only the cancellation lets it return
    expect((await waiting).estado).toBe("cancelado");
    expect((await running).estado).toBe("cancelado");
    const late = await executor.submit({ incident: makePendingIncident(), rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/tarde" }] }), fields: {}, signal: never(), report: () => undefined });
    expect(late.estado).toBe("cancelado");
    expect(existsSync(join(base, "modelos/tarde"))).toBe(false);
  });
});

describe("concurrency", () => {
  it("runs at most `concurrency` jobs at once, never two for one key, and submit() never blocks", async () => {
    const executor = makeExecutor({ concurrency: 3 });
    const active = new Map<string, number>(); // clave → running jobs
    let running = 0;
    let maxRunning = 0;
    const overlaps: string[] = [];
    // `wait` first: its step is reported before the command runs, marking the job's start.
    const rule = makeRule({ retries: 1, actions: [{ type: "wait" }, { type: "exec", command: ["sleep", "0.15"] }] });
    const jobs = ["a", "a", "b", "b", "c", "c", "d", "e"].map((clave, i) =>
      executor.submit({
        incident: makePendingIncident(clave),
        rule,
        fields: {},
        signal: never(),
        report: (step) => {
          if (step.accion === "esperar") {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            if ((active.get(clave) ?? 0) > 0) overlaps.push(`${clave}#${i}`);
            active.set(clave, (active.get(clave) ?? 0) + 1);
          }
          if (step.estado === "solucionado" || step.estado === "fallido") {
            running -= 1;
            active.set(clave, active.get(clave)! - 1);
          }
        },
      }),
    );
    expect(executor.getLoad().running + executor.getLoad().queued).toBe(8); // submit() returned before any job ended
    const outcomes = await Promise.all(jobs);
    expect(outcomes.every((o) => o.estado === "solucionado")).toBe(true);
    expect(maxRunning).toBe(3);
    expect(overlaps).toEqual([]);
    await executor.drain();
    expect(executor.getLoad()).toEqual({ running: 0, queued: 0 });
  });

  it("a dry run plans many incidents at once whatever `concurrency`: nothing is executed", async () => {
    let running = 0;
    let maxRunning = 0;
    const observer = { attemptStarted: () => (maxRunning = Math.max(maxRunning, ++running)), jobEnded: () => running-- };
    const executor = makeExecutor({ concurrency: 1, dryRun: true, observer });
    const rule = makeRule({ retries: 0, actions: [{ type: "mkdir", path: "{path}", parent: true }], verify: { type: "path_exists", path: "{path}" } });
    // Ten keys, two incidents of each.
    const claves = Array.from({ length: 20 }, (_, i) => `k${i % 10}`);
    const jobs = claves.map((clave, i) =>
      executor.submit({ incident: makePendingIncident(clave), rule, fields: { path: `modelos/v${i}` }, signal: never(), report: () => undefined }),
    );
    expect((await Promise.all(jobs)).map((o) => o.estado)).toEqual(claves.map(() => "fallido"));
    // Each key's first incident at once (its second follows it; a job counts as ended a turn after its slot is free).
    expect(maxRunning).toBeGreaterThanOrEqual(10);
    expect(existsSync(join(base, "modelos/v0"))).toBe(false);
  });

  it("a job waiting for its next attempt holds no slot: others run meanwhile", async () => {
    const clock = new VirtualClock();
    const executor = makeExecutor({ concurrency: 1, clock, backoffMs: [1000], actionTimeoutMs: 777_000 });
    const failing = makeRule({ retries: 1, actions: [{ type: "wait" }], verify: { type: "path_exists", path: "modelos/nunca" } });
    const first = executor.submit({ incident: makePendingIncident("a"), rule: failing, fields: {}, signal: never(), report: () => undefined });
    // The first job's attempt 0 failed: it waits for its retry.
    await waitFor(() => clock.timersDue().includes(1000), "the first job to wait for its retry");
    const fixing = makeRule({ actions: [{ type: "mkdir", path: "modelos/b" }] });
    const second = await executor.submit({ incident: makePendingIncident("b"), rule: fixing, fields: {}, signal: never(), report: () => undefined });
    expect(second.estado).toBe("solucionado");
    expect(executor.getLoad()).toEqual({ running: 0, queued: 1 });
    await clock.advanceToTimer(1000);
    expect((await first).estado).toBe("fallido");
  });

  it("a job whose incident is closed while it waits for a slot leaves the load at once, not when its turn comes", async () => {
    const clock = new VirtualClock();
    const executor = makeExecutor({ concurrency: 1, clock, actionTimeoutMs: 777_000 });
    // The one slot is held by a command that runs until the executor stops (its timeout is on a clock that stands).
    const running = executor.submit({ incident: makePendingIncident("a"), rule: makeRule({ actions: [{ type: "exec", command: ["sleep", "600"] }] }), fields: {}, signal: never(), report: () => undefined });
    await waitFor(() => clock.timersDue().includes(777_000), "the first job's command to run");
    const closed = new AbortController();
    const waiting = executor.submit({ incident: makePendingIncident("b"), rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/b" }] }), fields: {}, signal: closed.signal, report: () => undefined });
    expect(executor.getLoad()).toEqual({ running: 1, queued: 1 });
    closed.abort(); // a resolve_on line closed incident b
    expect(executor.getLoad()).toEqual({ running: 1, queued: 0 });
    await executor.stop();
    expect((await running).estado).toBe("cancelado");
    expect((await waiting).estado).toBe("cancelado");
    expect(existsSync(join(base, "modelos/b"))).toBe(false);
  });

  it("a hung action is killed at its timeout and the executor keeps serving others", async () => {
    const executor = makeExecutor({ concurrency: 1, actionTimeoutMs: 300, killGraceMs: 100 });
    const hung = executor.submit({
      incident: makePendingIncident("colgado"),
      rule: makeRule({ retries: 1, actions: [{ type: "exec", command: ["node", "-e", "process.on('SIGTERM',()=>{}); setInterval(()=>{}, 1000)"] }] }),
      fields: {},
      signal: never(),
      report: () => undefined,
    });
    const other = executor.submit({
      incident: makePendingIncident("otro"),
      rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/servido" }] }),
      fields: {},
      signal: never(),
      report: () => undefined,
    });
    expect(await hung).toMatchObject({ estado: "fallido", detalle: expect.stringMatching(/superó 300 ms y se mató/) });
    expect((await other).estado).toBe("solucionado");
  });
});

describe("work under way (what a catch-up's lines wait for)", () => {
  it("counts a job at work while it runs an attempt, not while it waits for the next one's time", async () => {
    const clock = new VirtualClock();
    const executor = makeExecutor({ clock, backoffMs: [1000] });
    const incident = makePendingIncident();
    const rule = makeRule({ retries: 1, actions: [{ type: "wait" }], verify: { type: "path_exists", path: "modelos/nunca" } });
    expect(executor.whenSettled()).toBeNull();
    const done = executor.submit({ incident, rule, fields: {}, signal: never(), report: () => undefined });
    expect(executor.isAtWork()).toBe(true);
    expect(executor.isAtWork(incident.id)).toBe(true);
    expect(executor.isAtWork("another")).toBe(false);
    expect(executor.whenSettled("another")).toBeNull();
    // The fix ends and the job waits for its retry: settled, though not ended.
    await executor.whenSettled(incident.id);
    expect(executor.isAtWork(incident.id)).toBe(false);
    expect(executor.whenSettled()).toBeNull();
    expect(clock.timersDue()).toEqual([1000]);
    await clock.advanceToTimer(1000);
    await done;
    expect(executor.isAtWork()).toBe(false);
  });
});

describe("dry-run", () => {
  it("journals what it would do and touches nothing", async () => {
    writeFileSync(join(base, "modelos/roto.mp4"), "x");
    mkdirSync(join(base, "modelos/viejo"));
    writeFileSync(join(base, "modelos/viejo/a.part"), "x");
    const executor = makeExecutor({ dryRun: true, owner: "nobody", getDiskSpace: async () => ({ free: 0, size: 1 }) });
    const before = snapshotTree(base);
    const { steps, report } = collectSteps();
    const actions: ActionSpec[] = [
      { type: "mkdir", path: "modelos/{modelo}" },
      { type: "chown", path: "modelos/{modelo}" },
      { type: "cleanup", path: "modelos/roto.mp4" },
      { type: "prune", dir: "modelos/viejo", glob: "*.part", older_than_days: 0, target_free_gb: 1 },
      { type: "exec", command: ["touch", join(base, "modelos/tocado")] },
    ];
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule: makeRule({ retries: 2, actions, verify: { type: "path_exists", path: "modelos/{modelo}" } }),
      fields: { modelo: "ana" },
      signal: never(),
      report,
    });
    expect(outcome.estado).toBe("fallido");
    expect(steps.filter((s) => s.intento === 0).map((s) => s.accion)).toEqual([
      "[dry-run] mkdir -p modelos/ana",
      "[dry-run] chown nobody modelos",
      "[dry-run] rm modelos/roto.mp4",
      "[dry-run] prune 'modelos/viejo/*.part' (> 0 días) hasta 1 GB libres",
      `[dry-run] touch ${join(base, "modelos/tocado")}`,
    ]);
    expect(snapshotTree(base)).toEqual(before);
  });

  it("does not pretend: no verify means no confirmation; a condition already fixed is solucionado", async () => {
    const executor = makeExecutor({ dryRun: true });
    const unverified = await executor.submit({ incident: makePendingIncident(), rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/a" }] }), fields: {}, signal: never(), report: () => undefined });
    expect(unverified).toMatchObject({ estado: "fallido", intento: 0, detalle: "dry-run: acciones no ejecutadas y la regla no tiene verify" });
    mkdirSync(join(base, "modelos/ya"));
    const fixed = await executor.submit({
      incident: makePendingIncident(),
      rule: makeRule({ actions: [{ type: "mkdir", path: "modelos/ya" }], verify: { type: "path_exists", path: "modelos/ya" } }),
      fields: {},
      signal: never(),
      report: () => undefined,
    });
    expect(fixed).toMatchObject({ estado: "solucionado", accion: "[dry-run] mkdir -p modelos/ya" });
    expect(readdirSync(join(base, "modelos"))).toEqual(["ya"]);
  });
});

describe("reverify (repeats folding into a solucionado incident)", () => {
  it("answers whether the fix still holds", async () => {
    const executor = makeExecutor();
    const rule = makeRule({ verify: { type: "path_exists", path: "modelos/{modelo}" } });
    mkdirSync(join(base, "modelos/ana"));
    expect(await executor.reverify(rule, { modelo: "ana" })).toBe(true);
    rmSync(join(base, "modelos/ana"), { recursive: true });
    expect(await executor.reverify(rule, { modelo: "ana" })).toBe(false);
    expect(await executor.reverify(makeRule(), {})).toBe(false);
  });
});

describe("options", () => {
  it("rejects unusable values with what was expected", () => {
    expect(() => createExecutor({ allowedRoots: ["modelos"], baseDir: base, concurrency: 0 })).toThrow("remediation option concurrency: expected an integer >= 1, got 0");
    expect(() => createExecutor({ allowedRoots: ["modelos"], baseDir: base, backoffMs: [-1] })).toThrow(/backoffMs/);
  });
});

describe("a cleared path waits for the new download (cleanup + resolve_on)", () => {
  const corruptRule = () =>
    makeRule({ retries: 2, actions: [{ type: "cleanup", path: "{path}" }], resolveOn: "Descarga exitosa: \\S*{video}" });

  it("removes the file once: a new download written before a retry is left alone", async () => {
    writeFileSync(join(base, "modelos/x.mp4"), "roto");
    const executor = makeExecutor({ backoffMs: [30] });
    const { steps, report } = collectSteps();
    const outcome = await executor.submit({
      incident: makePendingIncident(),
      rule: corruptRule(),
      fields: { path: "modelos/x.mp4", video: "x.mp4" },
      signal: never(),
      report: (step) => {
        report(step);
        // The bot downloads the video again right after the cleanup, before the retries.
        if (step.accion === "rm modelos/x.mp4") writeFileSync(join(base, "modelos/x.mp4"), "nuevo");
      },
    });
    expect(outcome).toMatchObject({ estado: "fallido", intento: 2, accion: "archivo eliminado; no llegó una nueva descarga" });
    expect(texts(steps)).toEqual([
      "pendiente 0 rm modelos/x.mp4",
      "reintentando 1 reintento 1/2",
      "reintentando 2 reintento 2/2",
      "fallido 2 archivo eliminado; no llegó una nueva descarga",
    ]);
    expect(readFileSync(join(base, "modelos/x.mp4"), "utf8")).toBe("nuevo");
  });

  it("a job resumed after a restart never deletes a file newer than the error (the new download)", async () => {
    const executor = makeExecutor({ backoffMs: [10] });
    const incident = { ...makePendingIncident(), timestamp: new Date(Date.now() - 60_000).toISOString() };
    writeFileSync(join(base, "modelos/x.mp4"), "nuevo"); // written now: a minute after the error
    const { steps, report } = collectSteps();
    const outcome = await executor.submit({ incident, rule: corruptRule(), fields: { path: "modelos/x.mp4", video: "x.mp4" }, startAttempt: 2, signal: never(), report });
    expect(outcome).toMatchObject({ estado: "fallido", accion: "el archivo ya había sido reemplazado; no llegó una nueva descarga" });
    expect(steps[1]).toMatchObject({ accion: "rm modelos/x.mp4", detalle: "no se borra: el archivo cambió después del error (nueva descarga)" });
    expect(readFileSync(join(base, "modelos/x.mp4"), "utf8")).toBe("nuevo");
  });

  it("quarantine: the final accion says where the file went", async () => {
    writeFileSync(join(base, "modelos/x.mp4"), "roto");
    const executor = makeExecutor({ backoffMs: [5], quarantineDir: "modelos/.cuarentena" });
    const outcome = await executor.submit({ incident: makePendingIncident(), rule: corruptRule(), fields: { path: "modelos/x.mp4", video: "x.mp4" }, signal: never(), report: () => undefined });
    expect(outcome).toMatchObject({ estado: "fallido", accion: "archivo movido a cuarentena; no llegó una nueva descarga" });
    expect(readdirSync(join(base, "modelos/.cuarentena"))).toEqual([expect.stringMatching(/-x\.mp4$/)]);
  });
});
