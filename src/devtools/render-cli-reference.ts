import { CLI_COMMANDS, formatUsage, listExitCodes, type CommandSpec } from "../cli/cli-spec.js";
import { toCell } from "./render-schema-table.js";

/** The command reference (docs/cli.md): one section per sub-command, from the table the parser and `--help` read. */
export function renderCliReference(commands: readonly CommandSpec[] = CLI_COMMANDS): string {
  const out: string[] = [];
  for (const c of commands) {
    out.push(`### vigia ${c.name}`, "", `${capitalize(c.summary)}.`, "", "```", formatUsage(c), "```", "", c.details, "");
    if (c.flags.length > 0) {
      out.push("| flag | default | description |", "|---|---|---|");
      for (const f of c.flags) {
        const name = `${f.short ? `\`-${f.short}\`, ` : ""}\`--${f.name}${f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""}\``;
        out.push(`| ${name} | ${toCell(f.default ?? "off")} | ${toCell(f.description)} |`);
      }
      out.push("");
    }
    out.push("| exit | meaning |", "|---|---|");
    for (const e of listExitCodes(c)) out.push(`| ${e.code} | ${toCell(e.meaning)} |`);
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/** The README's command table: command and arguments, summary, exit codes; each linked to its section of docs/cli.md. */
export function renderCliTable(commands: readonly CommandSpec[] = CLI_COMMANDS): string {
  const lines = ["| command | does | exit |", "|---|---|---|"];
  for (const c of commands) {
    const codes = listExitCodes(c).map((e) => e.code).join(", ");
    const call = ["vigia", c.name, c.args].filter(Boolean).join(" ");
    lines.push(`| [\`${toCell(call)}\`](docs/cli.md#vigia-${c.name}) | ${toCell(c.summary)} | ${codes} |`);
  }
  return lines.join("\n");
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
