import { describeError, describeFsErrorEs } from "../util/describe-error.js";
import { MissingFieldError } from "../util/template.js";
import { InvalidSpecError, OwnerLookupError } from "./errors.js";

/**
 * Why an action or a verification failed, in the admin's Spanish: the journal's `detalle` and the alert's `Motivo`.
 * An error written for the admin (it carries `englishMessage`: a failed command, a refused path) is said as it is;
 * a system call's error by its path and what went wrong (`modelos/ana/2025: una parte de la ruta no es una carpeta
 * (ENOTDIR)`); a rule's template or option the line cannot fill by what the admin can act on. vigia's own log keeps
 * the English whole (describeErrorInEnglish).
 */
export function describeFailureEs(error: unknown): string {
  if (typeof (error as { englishMessage?: unknown } | null)?.englishMessage === "string") return describeError(error);
  if (error instanceof MissingFieldError) return `la línea no nombra {${error.field}}, que la acción necesita`;
  if (error instanceof InvalidSpecError) return `acción mal escrita en la regla: ${error.specType}.${error.option} (detalle en monitor.log)`;
  if (error instanceof OwnerLookupError) return `propietario '${error.owner}' desconocido en este sistema (detalle en monitor.log)`;
  const fs = describeFsErrorEs(error);
  if (fs !== null) {
    const path = (error as { path?: unknown }).path;
    return typeof path === "string" && path !== "" ? `${path}: ${fs}` : fs;
  }
  return "error inesperado (detalle en monitor.log)";
}
