import { describe, expect, it } from "@jest/globals";
import { suggestRule } from "../../src/discover/suggest-rule.js";
import { maskVariableParts } from "../../src/discover/mask-template.js";
import { parseSampleLog } from "../../src/rules/parse-sample-log.js";
import type { UnknownTemplate } from "../../src/discover/unknown-error-store.js";

function templateOf(ejemplos: string[]): UnknownTemplate {
  const lines = ejemplos[0]!.split("\n").filter((l) => l.trim() !== "");
  const plantilla = (lines.length > 1 ? [lines[0]!, lines.at(-1)!] : [lines[0]!]).map(maskVariableParts).join("\n");
  return { id: "t1", plantilla, total: ejemplos.length, primera_vez: "", ultima_vez: "", fuentes: ["bot"], ejemplos, avisado: false };
}

/**
 * The ReDoS check's budget here only guards against a hang: on a loaded machine a check can outlast the commands'
 * 30 s, and an undecided check changes the suggestion (the first-line regex is tried instead).
 */
const REDOS_BUDGET_MS = 600_000;

describe("suggestRule", () => {
  it("captures a quoted path, two numbers and a video, and writes samples the samples parser reads back", () => {
    const line = "2025-12-25 14:30:20,118 - bot - ERROR - No se pudo mover '/data/modelos/ana/x y.mp4' a 20251225_143020_a3f2b1.mp4 tras 3 intentos (12.5 s)";
    const s = suggestRule(templateOf([line]), new Set(), REDOS_BUDGET_MS);
    if (!s.ok) throw new Error(s.reason);
    expect(s.id).toBe("no_se_pudo_mover_a");
    const found = new RegExp(s.rule.match).exec(line);
    expect(found?.groups).toEqual({ path: "/data/modelos/ana/x y.mp4", video: "20251225_143020_a3f2b1.mp4" });
    const parsed = parseSampleLog(s.sampleLog, "x.log");
    expect(parsed.problems).toEqual([]);
    expect(parsed.events.map((e) => [e.text, e.expect.rule, e.expect.fields])).toEqual([[line, s.id, found?.groups]]);
  });

  it("matches a traceback by its first and last line whatever the frames, and takes a free id", () => {
    const tb = (frame: string) =>
      ["2025-12-25 14:30:20,131 - bot - ERROR - Fallo en el lote 7", "Traceback (most recent call last):", `  File "/app/${frame}.py", line 3, in x`, "KeyError: 'hash'"].join("\n");
    const s = suggestRule(templateOf([tb("a"), tb("b")]), new Set(["keyerror"]), REDOS_BUDGET_MS);
    if (!s.ok) throw new Error(s.reason);
    expect(s.id).toBe("keyerror_2");
    expect(s.rule.match.startsWith("^")).toBe(true);
    expect(new RegExp(s.rule.match).test(tb("otro"))).toBe(true);
    expect(new RegExp(s.rule.match).test("2025-12-25 14:30:20,131 - bot - ERROR - Fallo en el lote 7")).toBe(false);
  });
});
