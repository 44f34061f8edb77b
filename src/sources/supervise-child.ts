import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { constants } from "node:os";
import { execa, type ResultPromise } from "execa";
import type { SourceLine } from "../types.js";
import { readLinesFromStream } from "./stream-lines.js";
import { systemClock, type Clock } from "../util/clock.js";
import { waitMs } from "../util/wait-ms.js";

/** One supervised command, as the config (or `supervise -- CMD`) describes it. */
export interface SupervisedChildSpec {
  name: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  logPath: string;
  restart: "never" | "on-failure" | "always";
  maxRestarts: number;
  restartBackoffMs: number[];
}

export interface SupervisedChildOptions {
  /** A line matching it already carries a timestamp; others get one in the log file. */
  timestampPattern: RegExp;
  maxLineBytes: number;
  onLines(lines: SourceLine[]): void;
  // The three callbacks below say it for the journal, in Spanish (`motivo`), and for vigia's log, in English
  // (`message`); the English lines about the child itself go to `logger`.
  /** The child ended unexpectedly; `motivo` has its exit status and last stderr lines. */
  onCrash(motivo: string): void;
  /** It was started again after a crash. */
  onRestarted(motivo: string, message: string): void;
  /** It crashed and will not be restarted (policy or max_restarts). */
  onGaveUp(motivo: string, message: string): void;
  logger: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** Start paused (the disk is full already): nothing runs until `resume()`. */
  startPaused?: boolean;
  /** The restart delays, the kill grace, run lengths. Default systemClock. */
  clock?: Clock;
}

export interface SupervisedChild {
  /** Resolves with the exit code of the last run once no restart follows. */
  readonly finished: Promise<number>;
  /** Forwards `signal`, then SIGKILL after `graceMs`; no restart follows. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
  /**
   * Stops the child on purpose (SIGTERM, SIGKILL after `graceMs`) and keeps it stopped until `resume()`: not a
   * crash, no restart slot used. Resolves once it has exited.
   */
  pause(graceMs: number): Promise<void>;
  /** Starts a paused child again. */
  resume(): void;
  /** True between `pause()` and `resume()`. */
  isPaused(): boolean;
}

/** Lines kept to explain a crash. */
const STDERR_TAIL_LINES = 10;
/** A run at least this long resets the restart count. */
const RESTART_BUDGET_RESET_MS = 10 * 60_000;
/** Lines that continue a Python traceback once one has started. */
const TRACEBACK_START = /^Traceback \(most recent call last\):/;
const TRACEBACK_BODY = /^(\s|$|During handling of the above|The above exception)/;
const CHAIN_NOTE = /^(During handling of the above|The above exception)/;

/**
 * Decides which lines of one stream get a timestamp: a line that has none, unless it belongs to a traceback
 * (its header, indented frames, blank lines, chaining notes, and the exception line that closes it), so the
 * traceback stays one event for the multiline grouper.
 */
function createTimestampDecider(timestampPattern: RegExp): (text: string) => boolean {
  // "frames": inside a traceback; "after": just past its exception line, where a chained traceback may follow.
  let state: "none" | "frames" | "after" = "none";
  return (text) => {
    if (timestampPattern.test(text)) {
      state = "none";
      return false;
    }
    if (TRACEBACK_START.test(text)) {
      state = "frames";
      return false;
    }
    if (state === "frames") {
      if (!TRACEBACK_BODY.test(text)) state = "after"; // the exception line closes the frames
      return false;
    }
    if (state === "after") {
      if (text.trim() === "" || CHAIN_NOTE.test(text)) return false;
      state = "none";
    }
    return true;
  };
}

/** `2025-12-25 14:30:20,123`: Python logging's asctime, so the timestamped lines look like the bot's own. */
function formatPythonTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

/**
 * Runs a command (argv, no shell) with its stdout/stderr appended to its log file and fed into the pipeline as
 * source `name`, restarting it per policy. A line without a timestamp gets one (tracebacks' continuation lines
 * excepted, so grouping still works), and the pipeline gets the lines exactly as the log file does.
 */
export function superviseChild(spec: SupervisedChildSpec, options: SupervisedChildOptions): SupervisedChild {
  mkdirSync(dirname(spec.logPath), { recursive: true });
  const log: WriteStream = createWriteStream(spec.logPath, { flags: "a" });
  log.on("error", (e) => options.logger.error(`supervise ${spec.name}: log ${spec.logPath}: ${e.message}`));
  let child: ResultPromise | null = null;
  let stopping = false;
  let restarts = 0;
  let cancelWait: (() => void) | null = null;
  const clock = options.clock ?? systemClock;
  /** Set while paused: resolving it lets the loop start the child again. */
  let paused = null as { until: Promise<void>; release: () => void } | null;
  let lastCode = 0;
  if (options.startPaused) {
    let release!: () => void;
    paused = { until: new Promise<void>((r) => (release = r)), release };
  }
  const stderrTail: string[] = [];

  const deciders = { stdout: createTimestampDecider(options.timestampPattern), stderr: createTimestampDecider(options.timestampPattern) };
  // The pipeline sees exactly what the log file gets, so `supervise` and `run` over the same file agree.
  const writeLines = (lines: SourceLine[], stream: "stdout" | "stderr") => {
    let out = "";
    const needsStamp = deciders[stream];
    for (const l of lines) {
      if (stream === "stderr") {
        stderrTail.push(l.text);
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      }
      if (needsStamp(l.text)) l.text = `${formatPythonTimestamp(l.readAtMs)} - ${spec.name} - ${stream === "stderr" ? "ERROR" : "INFO"} - ${l.text}`;
      l.file = spec.logPath;
      out += `${l.text}\n`;
    }
    log.write(out);
    options.onLines(lines);
  };

  const runOnce = async (): Promise<number> => {
    const [file, ...args] = spec.command as [string, ...string[]];
    // Its own process group: a terminal's Ctrl+C (or systemd's stop) reaches vigia only, which forwards it once.
    const proc = execa(file, args, { cwd: spec.cwd, env: spec.env, reject: false, buffer: false, stdin: "ignore", detached: true });
    child = proc;
    const killOnExit = () => proc.kill("SIGKILL");
    process.once("exit", killOnExit);
    void proc.finally(() => process.off("exit", killOnExit));
    // stdout and stderr are separate streams: separate ids, so the grouper never joins lines across them.
    const reading = Promise.all([
      proc.stdout ? readLinesFromStream(proc.stdout, spec.name, (l) => writeLines(l, "stdout"), { file: `<child:${spec.name}:stdout>`, maxLineBytes: options.maxLineBytes }) : null,
      proc.stderr ? readLinesFromStream(proc.stderr, spec.name, (l) => writeLines(l, "stderr"), { file: `<child:${spec.name}:stderr>`, maxLineBytes: options.maxLineBytes }) : null,
    ]);
    const result = await proc;
    await reading.catch(() => undefined);
    child = null;
    if (result.failed && result.exitCode === undefined && !result.signal) {
      options.logger.error(`supervise ${spec.name}: cannot start ${file}: ${result.shortMessage}`);
      return 127;
    }
    return result.exitCode ?? 128 + (result.signal ? signalNumber(result.signal) : 0);
  };

  const finished = (async () => {
    for (;;) {
      if (paused) {
        await paused.until;
        if (stopping) return lastCode;
        options.logger.info(`supervise ${spec.name}: started again`);
      }
      const started = clock.now();
      const code = (lastCode = await runOnce());
      if (stopping) return code;
      if (paused) continue; // stopped on purpose: not a crash
      const crashed = code !== 0;
      const again = spec.restart === "always" || (spec.restart === "on-failure" && crashed);
      const tail = stderrTail.length ? `; últimas líneas de stderr: ${stderrTail.join(" | ")}` : "";
      if (crashed) options.onCrash(`${spec.name} terminó con código ${code} tras ${Math.round((clock.now() - started) / 1000)} s${tail}`);
      if (!again) {
        if (crashed) options.onGaveUp(`no reiniciado (restart: ${spec.restart})`, `not restarted (restart: ${spec.restart})`);
        return code;
      }
      if (restarts >= spec.maxRestarts) {
        options.logger.error(`supervise ${spec.name}: not restarted: ${restarts} restart(s) already (max_restarts ${spec.maxRestarts})`);
        options.onGaveUp(`no reiniciado (max_restarts ${spec.maxRestarts})`, `not restarted (max_restarts ${spec.maxRestarts})`);
        return code;
      }
      // A child that ran for a while before crashing starts a fresh restart budget: occasional crashes over days
      // must not exhaust max_restarts meant for a crash loop.
      if (clock.now() - started > RESTART_BUDGET_RESET_MS) restarts = 0;
      const delay = spec.restartBackoffMs[Math.min(restarts, spec.restartBackoffMs.length - 1)] ?? 1000;
      restarts++;
      options.logger.warn(`supervise ${spec.name}: exited with ${code}; restart ${restarts}/${spec.maxRestarts} in ${delay} ms`);
      const wait = new AbortController();
      cancelWait = () => wait.abort();
      await waitMs(delay, wait.signal, clock);
      cancelWait = null;
      if (stopping) return code;
      if (paused) continue;
      stderrTail.length = 0;
      options.onRestarted(`${spec.name} reiniciado (${restarts}/${spec.maxRestarts})`, `${spec.name} restarted (${restarts}/${spec.maxRestarts})`);
    }
  })().finally(() => new Promise<void>((r) => log.end(r)));

  /** Sends `signal` to the running child, SIGKILL after `graceMs`; resolves when that run has ended. */
  const endRun = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    const running = child;
    if (!running) return;
    running.kill(signal);
    const timer = clock.setTimeout(() => running.kill("SIGKILL"), graceMs);
    await running.catch(() => undefined);
    clock.clearTimeout(timer);
  };

  return {
    finished,
    async pause(graceMs) {
      if (paused || stopping) return;
      let release!: () => void;
      paused = { until: new Promise<void>((r) => (release = r)), release };
      cancelWait?.();
      options.logger.warn(`supervise ${spec.name}: stopping it until resumed`);
      await endRun("SIGTERM", graceMs);
    },
    resume() {
      const wasPaused = paused;
      paused = null;
      wasPaused?.release();
    },
    isPaused: () => paused !== null,
    async stop(signal, graceMs) {
      stopping = true;
      cancelWait?.();
      paused?.release();
      const running = child;
      if (running) {
        running.kill(signal);
        const timer = clock.setTimeout(() => running.kill("SIGKILL"), graceMs);
        await finished.catch(() => undefined);
        clock.clearTimeout(timer);
      }
      await finished.catch(() => undefined);
    },
  };
}

function signalNumber(signal: string): number {
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}
