/**
 * `vigia test-rules` never misses a match its rules' gates could hide: the gates in front of the rules (a scan for
 * each rule's required literals, a regex of them under `iu`, a combined regex for rules without literals) must let
 * through every event a rule matches. A generated log puts each rule's words where a gate could lose them: only in a
 * later line of a traceback, at the very start or end of an event, in another case (a match under `i`, a near miss
 * without it), next to characters whose low byte is an ASCII letter's (ţ is U+0163, like `c`), after an astral
 * character, and in near misses. The report must equal an independent reading (rule-oracle.ts: plain RegExps).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { cleanUpTest, createWorkspace, runVigia } from "./vigia-harness.js";
import { PYTHON_START, countByRule, groupEvents, matchEvents, readLogLines, readRules } from "./rule-oracle.js";

afterEach(cleanUpTest);

const RULES_YAML = String.raw`rules:
  # case-sensitive, many alternatives: the scanner's literals are short and several share characters
  - id: espacio
    match: 'No space left on device|\bENOSPC\b|[Dd]isk quota exceeded|[Tt]imed out|out of (?:memory|disk)'
    exclude: ['^[^\n]*\bDEBUG\b']
  # i without u, ASCII literals: scanned with ASCII case folding
  - id: permisos
    flags: i
    match: 'permission denied|access is denied'
  # i with a literal outside ASCII: a regex gate
  - id: conexion
    flags: i
    match: 'conexión rehusada'
  # iu: Unicode case folding (the Kelvin sign is a k)
  - id: kelvin
    flags: iu
    match: 'kelvin reached|ca[ií]da total'
  # no literal long enough: behind a combined regex
  - id: numeros
    match: '\d{6}x'
  # a backreference: tested alone
  - id: eco
    match: '\b(?<w>[a-z]{5,}) \k<w>\b'
`;

/** Words each rule must see, and near misses it must not (as the case-sensitive rules read them). */
const NEEDLES = [
  "No space left on device", "ENOSPC", "Disk quota exceeded", "disk quota exceeded", "Timed out", "timed out", "out of memory", "out of disk",
  "permission denied", "Access is denied", "conexión rehusada", "kelvin reached", "\u212aelvin reached", "caída total", "cada total",
  "123456x", "hola hola", "mundo mundo",
  "No space left on devic", "ENOSPCX", "Disk quota exceede", "TimedOut", "out of memor", "permission denie", "conexion rehusada", "kelvin reache",
  "12345x", "hola holas",
];
const FILLER = ["bot", "descarga", "vídeo", "ţĥĿ", "€", "😀", "modelos/ana/x.mp4", "c", "de", "ENO", "out", "rehusa", "K", "\u212a"];
const CASES: Array<(s: string) => string> = [(s) => s, (s) => s.toUpperCase(), (s) => s.toLowerCase(), (s) => s.replace(/^./, (c) => c.toUpperCase())];

/** A seeded log: events of one to four lines, a needle (or none) in the first line, a later line, or alone. */
function generateLog(events: number): string {
  let seed = 20251225;
  const next = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
  const pick = <T>(list: readonly T[]): T => list[next(list.length)]!;
  const words = (n: number): string => Array.from({ length: n }, () => pick(FILLER)).join(pick([" ", "", ": "]));
  // A first line without a timestamp is an event of its own: a word at its very first character.
  const lines: string[] = ["ENOSPC"];
  for (let e = 0; e < events; e++) {
    const level = pick(["INFO", "ERROR", "WARNING", "DEBUG"]);
    const needle = next(4) === 0 ? "" : pick(CASES)(pick(NEEDLES));
    const extra = next(4);
    const where = extra === 0 ? 0 : next(3);
    const body = Array.from({ length: extra }, () => `  File "x.py", line ${next(900)}, in ${words(2)}`);
    const stamp = `2025-12-25 14:${String(10 + next(50))}:${String(10 + next(50))},${String(100 + next(900))}`;
    let head = `${stamp} - bot - ${level} - ${words(next(5))}`;
    if (where === 0) head += next(2) === 0 ? needle : ` ${needle}${words(next(3))}`;
    else if (where === 1) body[body.length - 1] = needle + (next(2) === 0 ? "" : `: ${words(2)}`);
    else body[body.length - 1] += needle;
    lines.push(head, ...body);
  }
  return `${lines.join("\n")}\n`;
}

describe("vigia test-rules and the rules' gates", () => {
  it("finds every match of an independent reading: words in later lines, at the edges, in other cases, beside other scripts", async () => {
    const ws = createWorkspace();
    ws.write("gates.yaml", RULES_YAML);
    ws.write("logs/gates.log", generateLog(6000));
    const r = await runVigia(ws.dir, ["test-rules", ws.at("logs", "gates.log"), "--rules", ws.at("gates.yaml"), "--json"], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { events: number; counts: Record<string, number>; matches: Array<{ line: number; rule: string }> };

    const lines = readLogLines(ws.at("logs", "gates.log"));
    const events = groupEvents(lines, PYTHON_START);
    const rules = readRules(ws.at("gates.yaml"));
    const expected = matchEvents(events, rules, "bot");
    expect(report.events).toBe(events.length);
    expect(report.counts).toEqual(countByRule(expected, rules));
    expect(report.matches).toEqual(expected);
    // The log holds what it claims to: every rule matches, several times from a later line of a traceback.
    const firstLineOf = new Map(events.map((e) => [e.line, e.text.split("\n")[0]!]));
    for (const rule of rules) {
      const own = expected.filter((m) => m.rule === rule.id);
      const fromLaterLine = own.filter((m) => !new RegExp(rule.match, rule.flags ?? "").test(firstLineOf.get(m.line)!));
      expect([rule.id, own.length > 20, fromLaterLine.length > 5]).toEqual([rule.id, true, true]);
    }
  }, 180_000);
});
