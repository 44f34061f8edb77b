/**
 * The executor's error classes. Each carries the context a journal reader needs (which action, which option,
 * which exit code); `classifyFailure` decides retry vs give up from the class alone. A class whose `message` is the
 * admin's Spanish (it goes into the journal's `detalle`) also carries `englishMessage`, what vigia's own log says
 * (see describeErrorInEnglish).
 */

/** A rule's action or verify spec is unusable as written (bad option, template in a command name). Retrying cannot help. */
export class InvalidSpecError extends Error {
  override readonly name = "InvalidSpecError";
  constructor(
    readonly specType: string,
    readonly option: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`${specType}.${option}: expected ${expected}, got ${describeValue(got)}`);
  }
}

/** `remediation.owner` (or an action's `owner`) names a user or group that does not exist. Retrying cannot help. */
export class OwnerLookupError extends Error {
  override readonly name = "OwnerLookupError";
  constructor(readonly owner: string, readonly detail: string) {
    super(`owner '${owner}': ${detail}`);
  }
}

/** A command (exec action, exec_ok, sudo chown) ended badly: non-zero exit, signal, timeout or spawn failure. */
export class CommandFailedError extends Error {
  override readonly name = "CommandFailedError";
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly signal: string | undefined,
    readonly timedOut: boolean,
    readonly outputTail: string,
    message: string,
    readonly englishMessage: string,
  ) {
    super(message);
  }
}

/** An action found its target unusable and says why in both voices (a path that exists but is no folder). */
export class ActionFailedError extends Error {
  override readonly name = "ActionFailedError";
  constructor(
    message: string,
    readonly englishMessage: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A filesystem action did not finish within its timeout (the executor moves on; the operation may still complete). */
export class ActionTimeoutError extends Error {
  override readonly name = "ActionTimeoutError";
  readonly englishMessage: string;
  constructor(readonly action: string, readonly timeoutMs: number) {
    super(`${action}: sin respuesta tras ${timeoutMs} ms`);
    this.englishMessage = `${action}: no answer after ${timeoutMs} ms`;
  }
}

/** The target of a cleanup is not something cleanup may remove (a folder, a device, a socket). Retrying cannot help. */
export class NotRegularFileError extends Error {
  override readonly name = "NotRegularFileError";
  readonly englishMessage: string;
  constructor(readonly path: string, readonly kind: string) {
    super(`${path}: es ${kind}, no un archivo regular`);
    this.englishMessage = `${path}: not a regular file`;
  }
}

/** A captured value in a command argument would be read as an option (it begins with `-`). Retrying cannot help. */
export class UnsafeArgumentError extends Error {
  override readonly name = "UnsafeArgumentError";
  constructor(
    readonly specType: string,
    readonly argument: string,
    readonly field: string,
    readonly value: string,
  ) {
    super(`argumento rechazado: ${specType}.${argument}: el valor capturado {${field}} = ${describeValue(value)} empieza por '-' (se leería como opción)`);
    this.englishMessage = `argument refused: ${specType}.${argument}: the captured value {${field}} = ${describeValue(value)} begins with '-' (it would be read as an option)`;
  }
  readonly englishMessage: string;
}

/** The job was cancelled (resolve_on closed the incident, or the executor is stopping). */
export class RemediationAbortedError extends Error {
  override readonly name = "RemediationAbortedError";
  readonly englishMessage = "cancelled";
  constructor() {
    super("cancelado");
  }
}

/** Short, single-line rendering of an unexpected value for messages. */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
