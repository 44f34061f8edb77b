import { runCommand, type CommandOutcome, type RunCommandOptions } from "../util/run-command.js";
import { formatDurationMs } from "../util/format-duration-ms.js";
import { CommandFailedError, RemediationAbortedError } from "./errors.js";

/**
 * A command's outcome with one line on it in both voices: the journal's (`python3 x.py: código de salida 2: <last
 * stderr line>`) and vigia's log's (`python3 x.py: exit code 2: <last stderr line>`).
 */
interface ActionCommandOutcome extends CommandOutcome {
  shortMessage: string;
  englishMessage: string;
}

/** runCommand for remediation: the outcome plus what the journal (Spanish) and the log (English) say of it. Never rejects. */
export async function runActionCommand(argv: readonly string[], options: RunCommandOptions): Promise<ActionCommandOutcome> {
  const outcome = await runCommand(argv, options);
  const [shortMessage, englishMessage] = describeOutcome(outcome, options.timeoutMs);
  return { ...outcome, shortMessage, englishMessage };
}

/** runActionCommand for actions: a cancelled run throws RemediationAbortedError, a failed one CommandFailedError. */
export async function runCommandOrThrow(argv: readonly string[], options: RunCommandOptions): Promise<ActionCommandOutcome> {
  const outcome = await runActionCommand(argv, options);
  if (outcome.aborted) throw new RemediationAbortedError();
  if (!outcome.ok) {
    const { command, exitCode, signal, timedOut, stderrTail, shortMessage, englishMessage } = outcome;
    throw new CommandFailedError(command, exitCode, signal, timedOut, stderrTail, shortMessage, englishMessage);
  }
  return outcome;
}

/**
 * One line for the journal and one for the log: what ended the command, plus the last line it printed on stderr
 * (or stdout), quoted as it is in both.
 */
function describeOutcome(outcome: CommandOutcome, timeoutMs: number): [string, string] {
  const lastLine = getLastLine(outcome.stderrTail) || getLastLine(outcome.stdoutTail);
  const suffix = lastLine ? `: ${lastLine}` : "";
  const { command } = outcome;
  if (outcome.timedOut) {
    const signal = outcome.signal ?? "SIGKILL";
    return [`${command}: superó ${formatDurationMs(timeoutMs)} y se mató (${signal})`, `${command}: killed (${signal}) after ${formatDurationMs(timeoutMs)}`];
  }
  if (outcome.aborted) return [`${command}: cancelado`, `${command}: cancelled`];
  if (command === "") return ["comando vacío", "empty command"];
  if (outcome.spawnFailure) return [`${command}: no se pudo ejecutar: ${outcome.spawnFailure}`, `${command}: could not be run: ${outcome.spawnFailure}`];
  if (outcome.signal) return [`${command}: terminó por ${outcome.signal}${suffix}`, `${command}: killed by ${outcome.signal}${suffix}`];
  if (outcome.exitCode === 0) return [`${command}: código de salida 0`, `${command}: exit code 0`];
  return [`${command}: código de salida ${outcome.exitCode}${suffix}`, `${command}: exit code ${outcome.exitCode}${suffix}`];
}

function getLastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const last = lines.at(-1) ?? "";
  return last.length > 200 ? `${last.slice(0, 199)}…` : last;
}
