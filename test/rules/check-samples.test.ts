import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { checkRuleSamples, locateSamplesDir } from "../../src/rules/check-samples.js";
import { loadRules } from "../../src/rules/load-rules.js";
import { parseSampleLog } from "../../src/rules/parse-sample-log.js";
import { formatProblem } from "../../src/util/problems.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { writeIn } from "./rules-fixtures.js";

const RULES = `
rules:
  - id: ruta
    match: "No such file or directory: '(?<path>[^'\\n]+)'"
  - id: permisos
    match: "Permission denied(?:: '(?<path>[^'\\n]+)')?"
  - id: solo_backend
    match: 'Traceback'
    sources: [backend]
`;

describe("parseSampleLog", () => {
  it("groups non-comment lines up to the next annotation into one event", () => {
    const { events, problems } = parseSampleLog(
      [
        "# a comment",
        '# expect: {"rule": "ruta", "fields": {"path": "x"}}',
        "line one",
        "# a comment inside the event is skipped",
        "",
        "  line three after a blank line",
        "",
        "# expect: none",
        "other\r",
      ].join("\n"),
      "s.log",
    );
    expect(problems).toEqual([]);
    expect(events).toEqual([
      { expect: { rule: "ruta", fields: { path: "x" }, source: null }, annotationLine: 2, line: 3, text: "line one\n\n  line three after a blank line", lineCount: 3 },
      { expect: { rule: null, fields: {}, source: null }, annotationLine: 8, line: 9, text: "other", lineCount: 1 },
    ]);
  });

  it("reports unannotated events, bad annotations and annotations without an event", () => {
    const { events, problems } = parseSampleLog(
      ["stray line", "# expect: {rule: ruta}", "x", '# expect: {"rule": "a", "extra": 1}', "y", '# expect: {"rule": "a", "fields": {"n": 1}}', "z", "# expect: none"].join("\n"),
      "s.log",
    );
    expect(events).toEqual([]);
    expect(problems.map(formatProblem)).toEqual([
      "s.log:1: expect: event without a '# expect:' annotation before it",
      expect.stringMatching(/^s\.log:2: expect: annotation is neither 'none' nor JSON: /),
      "s.log:4: expect: unknown key 'extra' in annotation (expected rule, fields, source)",
      "s.log:6: expect: annotation's field 'n' must be a string",
      "s.log:8: expect: annotation without an event after it",
    ]);
  });
});

describe("checkRuleSamples", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
  });
  afterEach(() => cleanup());

  const setUp = (samples: Record<string, string>) => {
    writeIn(dir, "rules/r.yaml", RULES);
    for (const [name, content] of Object.entries(samples)) writeIn(dir, `rules/samples/${name}`, content);
    const { rules, problems } = loadRules(join(dir, "rules"));
    expect(problems).toEqual([]);
    return checkRuleSamples(rules, locateSamplesDir(join(dir, "rules"))).map((p) => formatProblem(p).split(`${dir}/`).join(""));
  };

  const good = {
    "ruta.log": [
      "# expect: {\"rule\": \"ruta\", \"fields\": {\"path\": \"modelos/ana/x.mp4\"}}",
      "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/x.mp4'",
      "# expect: none",
      "2025-01-01 INFO nothing to see",
    ].join("\n"),
    "permisos.log": ["# expect: {\"rule\": \"permisos\"}", "Permission denied"].join("\n"),
    "solo_backend.log": [
      '# expect: {"rule": "solo_backend", "source": "backend"}',
      "Traceback (most recent call last):",
      '# the source filter applies when the annotation names a source',
      '# expect: {"rule": null, "source": "bot"}',
      "Traceback (most recent call last):",
    ].join("\n"),
  };

  it("passes a complete, correct sample set", () => {
    expect(setUp(good)).toEqual([]);
  });

  it("fails a deliberately broken sample set, naming each problem", () => {
    const problems = setUp({
      // permisos.log is missing; solo_backend.log has no positive sample
      "ruta.log": [
        "unannotated first line",
        '# expect: {"rule": "ruta", "fields": {"path": "b"}}',
        "No such file or directory: 'a'",
        "# expect: none",
        "Permission denied: 'x'",
        '# expect: {"rule": "ruta"}',
        "nothing here",
        '# expect: {"rule": "nadie"}',
        "x",
        '# expect: {"rule": "ruta", "fields": {"path": "p"}}',
        "No such file or directory: 'p' and Permission denied",
      ].join("\n"),
      "solo_backend.log": ['# expect: none', "calm"].join("\n"),
      "huerfana.log": ['# expect: none', "calm"].join("\n"),
    });
    expect(problems).toEqual([
      "rules/samples/huerfana.log:0: -: sample file for unknown rule 'huerfana'",
      "rules/samples/ruta.log:1: expect: event without a '# expect:' annotation before it",
      `rules/samples/ruta.log:2: expect: event (line 3) fields differ: expected {"path":"b"}, got {"path":"a"}`,
      "rules/samples/ruta.log:4: expect: event (line 5) expected no match, got rule 'permisos'",
      "rules/samples/ruta.log:6: expect: event (line 7) expected rule 'ruta', got no match",
      "rules/samples/ruta.log:8: expect: annotation names unknown rule 'nadie'",
      "rules/samples/ruta.log:10: expect: event (line 11) is claimed by several rules: ruta, permisos",
      "rules/r.yaml:5: permisos: rule has no sample file (rules/samples/permisos.log)",
      "rules/samples/solo_backend.log:0: solo_backend: no sample in this file expects rule 'solo_backend'",
    ]);
  });
});
