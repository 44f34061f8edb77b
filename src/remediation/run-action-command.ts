import { runCommand, type CommandOutcome, type RunCommandOptions } from "../util/run-command.js";
import { formatDurationMs } from "../util/format-duration-ms.js";
import { CommandFailedError, RemediationAbortedError } from "./errors.js";

/** A command's outcome with the journal's one line on it (`python3 x.py: código de salida 2: <last stderr line>`). */
interface ActionCommandOutcome extends CommandOutcome {
  shortMessage: string;
}

/** runCommand for remediation: the outcome plus what the journal says of it, in Spanish. Never rejects. */
export async function runActionCommand(argv: readonly string[], options: RunCommandOptions): Promise<ActionCommandOutcome> {
  const outcome = await runCommand(argv, options);
  return { ...outcome, shortMessage: describeOutcome(outcome, options.timeoutMs) };
}

/** runActionCommand for actions: a cancelled run throws RemediationAbortedError, a failed one CommandFailedError. */
export async function runCommandOrThrow(argv: readonly string[], options: RunCommandOptions): Promise<ActionCommandOutcome> {
  const outcome = await runActionCommand(argv, options);
  if (outcome.aborted) throw new RemediationAbortedError();
  if (!outcome.ok) {
    throw new CommandFailedError(outcome.command, outcome.exitCode, outcome.signal, outcome.timedOut, outcome.stderrTail, outcome.shortMessage);
  }
  return outcome;
}

/** One line for the journal: what ended the command, plus the last line it printed on stderr (or stdout). */
function describeOutcome(outcome: CommandOutcome, timeoutMs: number): string {
  const lastLine = getLastLine(outcome.stderrTail) || getLastLine(outcome.stdoutTail);
  const suffix = lastLine ? `: ${lastLine}` : "";
  if (outcome.timedOut) return `${outcome.command}: superó ${formatDurationMs(timeoutMs)} y se mató (${outcome.signal ?? "SIGKILL"})`;
  if (outcome.aborted) return `${outcome.command}: cancelado`;
  if (outcome.command === "") return "comando vacío";
  if (outcome.spawnFailure) return `${outcome.command}: no se pudo ejecutar: ${outcome.spawnFailure}`;
  if (outcome.signal) return `${outcome.command}: terminó por ${outcome.signal}${suffix}`;
  if (outcome.exitCode === 0) return `${outcome.command}: código de salida 0`;
  return `${outcome.command}: código de salida ${outcome.exitCode}${suffix}`;
}

function getLastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const last = lines.at(-1) ?? "";
  return last.length > 200 ? `${last.slice(0, 199)}…` : last;
}
