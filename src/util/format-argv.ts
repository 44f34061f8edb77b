/** Renders an argv array for humans (journal `accion`, logs). Display only: commands never run through a shell. */
export function formatArgv(argv: readonly string[], maxChars = 300): string {
  const text = argv.map(quoteArg).join(" ");
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

/** Shell-style quoting so an operator can read which words were separate arguments (display only). */
export function quoteArg(arg: string): string {
  if (arg !== "" && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  // JSON escapes control characters, which single quotes would print raw into the journal.
  if (/[\u0000-\u001f\u007f]/.test(arg)) return JSON.stringify(arg);
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
