import { createOutputTail } from "./output-tail.js";
import { formatArgv } from "./format-argv.js";
import { systemClock, type Clock, type TimerHandle } from "./clock.js";

/**
 * Runs one command, for remediation (exec actions, exec_ok, sudo chown) and for exec checks alike. argv items go to
 * the program as they are: no shell ever sees them, so a captured value is one argument whatever it contains.
 *
 * The child runs in its own process group so a timeout or a cancel kills what it started too (a wrapper script and
 * its ffmpeg), first with SIGTERM, then SIGKILL after `killGraceMs`. Output is not buffered: only a bounded tail of
 * each stream is kept, so a command printing 100 MB cannot grow our memory.
 */
export interface RunCommandOptions {
  cwd?: string;
  /** Added to vigia's own environment. */
  env?: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Delay between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** Aborting kills the command (resolve_on closed the incident, a check's deadline, or vigia is stopping). */
  signal?: AbortSignal;
  /** Bytes of stdout and of stderr kept for messages. */
  maxOutputBytes: number;
  /** Times the command and its kill grace. Default systemClock. */
  clock?: Clock;
}

/** How a command ended; shaped like execa's result, failures included (they are data). Each caller words it. */
export interface CommandOutcome {
  ok: boolean;
  command: string;
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  stdoutTail: string;
  stderrTail: string;
  /** Bytes printed on stdout + stderr, including those not kept. */
  outputBytes: number;
  /** Why it never ran (ENOENT, EACCES, an empty argv): the spawn error's first line. */
  spawnFailure?: string;
}

/** After SIGKILL, how long to wait for the pipes to close before cutting them (a grandchild that left the group). */
const STREAM_CLOSE_GRACE_MS = 1000;

/** Process groups alive right now, killed if vigia itself exits abruptly so no remediation outlives it. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Runs argv[0] with argv[1..]; never rejects. */
export async function runCommand(argv: readonly string[], options: RunCommandOptions): Promise<CommandOutcome> {
  // Imported on the first command, not at start: a vigia that never runs one never loads execa.
  const { execa } = await import("execa");
  const clock = options.clock ?? systemClock;
  const command = formatArgv(argv);
  const started = clock.now();
  const stdoutTail = createOutputTail(options.maxOutputBytes);
  const stderrTail = createOutputTail(options.maxOutputBytes);
  const base = { command, stdoutTail: "", stderrTail: "", outputBytes: 0 };

  const [file, ...args] = argv;
  if (!file) return { ...base, ok: false, timedOut: false, aborted: false, durationMs: 0, spawnFailure: "empty command" };
  if (options.signal?.aborted) return { ...base, ok: false, timedOut: false, aborted: true, durationMs: 0 };

  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env ? { ...options.env } : undefined,
    extendEnv: true,
    stdin: "ignore",
    buffer: false,
    reject: false,
    detached: true,
    forceKillAfterDelay: false,
    stripFinalNewline: false,
    windowsHide: true,
  });
  subprocess.stdout?.on("data", (chunk: Buffer) => stdoutTail.push(chunk));
  subprocess.stderr?.on("data", (chunk: Buffer) => stderrTail.push(chunk));
  const pid = subprocess.pid;
  if (pid !== undefined) trackGroup(pid);

  let timedOut = false;
  let aborted = false;
  const handles: TimerHandle[] = [];
  const killGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      subprocess.kill(signal);
    }
  };
  let terminating = false;
  const terminate = () => {
    if (terminating) return;
    terminating = true;
    killGroup("SIGTERM");
    handles.push(
      clock.setTimeout(() => {
        killGroup("SIGKILL");
        handles.push(
          clock.setTimeout(() => {
            subprocess.stdout?.destroy();
            subprocess.stderr?.destroy();
          }, STREAM_CLOSE_GRACE_MS),
        );
      }, options.killGraceMs),
    );
  };
  handles.push(
    clock.setTimeout(() => {
      timedOut = true;
      terminate();
    }, options.timeoutMs),
  );
  const onAbort = () => {
    aborted = true;
    terminate();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    const result = await subprocess;
    const exitCode = typeof result.exitCode === "number" ? result.exitCode : undefined;
    const signal = result.signal ?? undefined;
    const ok = exitCode === 0 && !timedOut && !aborted;
    const outcome = {
      command,
      ok,
      exitCode,
      signal,
      timedOut,
      aborted,
      durationMs: Math.round(clock.now() - started),
      stdoutTail: stdoutTail.text(),
      stderrTail: stderrTail.text(),
      outputBytes: stdoutTail.totalBytes + stderrTail.totalBytes,
    };
    const spawnFailure = exitCode === undefined && signal === undefined ? (result.originalMessage ?? result.shortMessage) : undefined;
    return spawnFailure === undefined ? outcome : { ...outcome, spawnFailure: spawnFailure.split("\n")[0]!.trim() };
  } finally {
    for (const handle of handles) clock.clearTimeout(handle);
    options.signal?.removeEventListener("abort", onAbort);
    if (pid !== undefined) liveGroups.delete(pid);
  }
}

/** Remembers a live group; on vigia's own exit, every remaining group is killed. */
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const group of liveGroups) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  });
}
