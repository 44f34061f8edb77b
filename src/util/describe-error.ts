/**
 * Any thrown value as one line for a log, a check result or the journal: the message's first line, prefixed with
 * the errno code when the message does not say it, followed by the message of an error it wraps (grammY's
 * `HttpError` keeps the network failure in `.error`). Duck-typed: errors from another realm (vm contexts, worker
 * threads, jest) fail `instanceof Error`. Secrets are not removed here: callers that may see a token mask it.
 */
export function describeError(error: unknown): string {
  if (!hasMessage(error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const first = firstLine(error.message) || String((error as { name?: unknown }).name ?? "Error");
  const head = typeof code === "string" && code !== "" && !first.includes(code) ? `${code}: ${first}` : first;
  const inner = (error as { error?: unknown }).error;
  return hasMessage(inner) && inner.message ? `${head} (${firstLine(inner.message)})` : head;
}

/**
 * describeError for vigia's own log: an error whose `message` is the admin's Spanish (it goes into the journal)
 * carries its English as `englishMessage`; any other error's message is English already (Node's, ours).
 */
export function describeErrorInEnglish(error: unknown): string {
  const english = (error as { englishMessage?: unknown } | null)?.englishMessage;
  return typeof english === "string" && english !== "" ? english : describeError(error);
}

function hasMessage(value: unknown): value is { message: string } {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string";
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

/** A file-system error in the words of `ls` and `cat` for the common cases, else its errno code (English: diagnostics). */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a folder";
  if (code === "ENOTREGULAR") return "not a regular file";
  return typeof code === "string" ? code : describeError(error);
}

const FS_ERRORS_ES: Record<string, string> = {
  ENOSPC: "sin espacio en el disco",
  EDQUOT: "cuota de disco agotada",
  EACCES: "permiso denegado",
  EPERM: "operación no permitida",
  EROFS: "sistema de ficheros de solo lectura",
  ENOENT: "la ruta no existe",
  ENOTDIR: "una parte de la ruta no es una carpeta",
  EISDIR: "es una carpeta",
  EEXIST: "ya existe",
  ENOTEMPTY: "la carpeta no está vacía",
  EBUSY: "en uso",
  ELOOP: "demasiados enlaces simbólicos",
  ENAMETOOLONG: "nombre demasiado largo",
  EMFILE: "demasiados archivos abiertos",
  ENFILE: "demasiados archivos abiertos en el sistema",
  EIO: "error de entrada/salida",
  ENOTREGULAR: "no es un archivo normal",
};

/**
 * A file-system error as the admin reads it, in Spanish, with its errno code (`sin espacio en el disco (ENOSPC)`);
 * `null` for an error that carries no errno code. The English counterpart for diagnostics is describeFsError.
 */
export function describeFsErrorEs(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^E[A-Z0-9]+$/.test(code)) return null;
  return FS_ERRORS_ES[code] ? `${FS_ERRORS_ES[code]} (${code})` : `error del sistema (${code})`;
}
