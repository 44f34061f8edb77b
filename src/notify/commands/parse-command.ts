/** A command as the admin typed it: `/silenciar@vigia_bot permisos 1h` → `{ name: "silenciar", args: ["permisos", "1h"] }`. */
export interface ParsedCommand {
  name: string;
  args: string[];
}

/** Reads a `/command arg…` message; null when the text is not a command. The `@botname` suffix of group chats is dropped. */
export function parseCommand(text: string): ParsedCommand | null {
  const m = /^\/([A-Za-z_áéíóúñ]+)(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  const args = (m[2] ?? "").trim();
  return { name: m[1]!.toLowerCase(), args: args === "" ? [] : args.split(/\s+/) };
}
