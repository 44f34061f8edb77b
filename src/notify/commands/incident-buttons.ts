import type { Incident } from "../../types.js";
import type { MessageButton } from "../message-channel.js";
import type { ParsedCommand } from "./parse-command.js";

/** Telegram's limit for a button's callback data, in bytes. */
const MAX_CALLBACK_DATA_BYTES = 64;
/** How long "Silenciar 1 h" silences. */
const BUTTON_SILENCE_DURATION = "1h";

/**
 * The buttons under an incident's alert: "Silenciar 1 h" (its error_type) always, "Reintentar" once it failed.
 * Their data is the command they stand for, shortened (`r<id>`, `s<error_type>`) to fit Telegram's 64 bytes; a
 * button whose data would not fit is left out rather than cut.
 */
export function listIncidentButtons(incident: Incident): MessageButton[] {
  const buttons: MessageButton[] = [];
  // Nothing to retry while vigia still works on it, nor once it is fixed.
  if (incident.estado === "fallido") buttons.push({ text: "🔁 Reintentar", data: `r${incident.id}` });
  buttons.push({ text: "🔕 Silenciar 1 h", data: `s${incident.error_type}` });
  return buttons.filter((b) => Buffer.byteLength(b.data) <= MAX_CALLBACK_DATA_BYTES);
}

/** The command a button press stands for; null for data vigia did not put there. */
export function parseButtonData(data: string): ParsedCommand | null {
  const value = data.slice(1);
  if (value === "") return null;
  if (data.startsWith("r")) return { name: "reintentar", args: [value] };
  if (data.startsWith("s")) return { name: "silenciar", args: [value, BUTTON_SILENCE_DURATION] };
  return null;
}
