import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { loadRules, listRuleFiles } from "../../src/rules/load-rules.js";
import { formatProblem } from "../../src/util/problems.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import { writeIn } from "./rules-fixtures.js";

// ReDoS verdicts are computed for real here (no on-disk cache), so these tests exercise recheck itself.
const options = { redosCacheFile: null };

describe("loadRules", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
  });
  afterEach(() => cleanup());

  const load = (yaml: string, name = "r.yaml") => {
    const file = writeIn(dir, name, yaml);
    return { file, ...loadRules(dir, options) };
  };

  it("compiles a valid rule, applying defaults once and converting seconds to milliseconds", () => {
    const { rules, problems, files, file } = load(
      [
        "rules:",
        "  - id: ruta_inexistente",
        "    description: Missing folder",
        "    match: \"No such file or directory: '(?<path>[^'\\n]+)'\"",
        "    threshold: { count: 3, within: 60 }",
        "    backoff: [1, 2.5]",
        "    actions:",
        "      - { type: mkdir, path: '{path}', parent: true, timeout: 5 }",
        "    verify: { type: path_exists, path: '{path}' }",
        "  - id: otra",
        "    match: boom",
        "    flags: i",
        "    severity: critical",
        "    cooldown: 0.5",
        "    sources: [backend]",
        "    notify: always",
        "    max_reopen: 1",
        "    retries: 2",
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(files).toEqual([{ file, rules: 2 }]);
    const [a, b] = rules;
    expect(a).toMatchObject({
      id: "ruta_inexistente",
      description: "Missing folder",
      severity: "warning",
      keyTemplate: null,
      cooldownMs: 60_000,
      threshold: { count: 3, withinMs: 60_000 },
      dependsOn: [],
      exclude: [],
      extract: [],
      sources: null,
      actions: [{ type: "mkdir", path: "{path}", parent: true, timeout: 5 }],
      verify: { type: "path_exists", path: "{path}" },
      resolveOn: null,
      retries: null,
      backoffMs: [1000, 2500],
      notify: "on_failure",
      notifyTemplate: null,
      maxReopen: 3,
      file,
      line: 2,
    });
    expect(a!.match.exec("No such file or directory: 'modelos/ana/x.mp4'")?.groups?.path).toBe("modelos/ana/x.mp4");
    expect(b).toMatchObject({ severity: "critical", cooldownMs: 500, notify: "always", maxReopen: 1, retries: 2, line: 10 });
    expect(b!.match.flags).toBe("i");
    expect([...b!.sources!]).toEqual(["backend"]);
  });

  it("reports an unknown key with its file, line and field path", () => {
    const { problems, file, rules } = load(["rules:", "  - id: a", "    match: x", "    exlude: [y]"].join("\n"));
    expect(problems.map(formatProblem)).toEqual([`${file}:4: rules[0].exlude: unknown key 'exlude'`]);
    expect(rules).toEqual([]);
  });

  it("reports an unknown key inside an action, and an unknown action type", () => {
    const { problems, file } = load(
      [
        "rules:",
        "  - id: a",
        "    match: x",
        "    actions:",
        "      - { type: mkdir, path: p, paren: true }",
        "      - { type: rmrf, path: p }",
      ].join("\n"),
    );
    expect(problems.map(formatProblem)).toEqual([
      `${file}:5: rules[0].actions[0].paren: unknown key 'paren'`,
      `${file}:6: rules[0].actions[1].type: expected one of "mkdir", "chown", "cleanup", "prune", "exec", "wait", got "rmrf"`,
    ]);
  });

  it("checks each action's and verification's own keys", () => {
    const { problems, file } = load(
      [
        "rules:",
        "  - id: a",
        "    match: x",
        "    actions:",
        "      - { type: exec, command: [] }",
        "      - { type: chown, path: p, owner: 'bot:bot:x' }",
        "      - { type: prune, dir: d, glob: '*.part', older_than_days: 2 }",
        "      - { type: exec, command: [ls], env: { A: 1 } }",
        "    verify: { type: disk_free, path: '.', min_gb: 2, url: x }",
      ].join("\n"),
    );
    expect(problems.map(formatProblem)).toEqual([
      `${file}:5: rules[0].actions[0].command: must NOT have fewer than 1 items, got []`,
      `${file}:6: rules[0].actions[1].owner: must match pattern "^[^:\\s]+(:[^:\\s]+)?$", got "bot:bot:x"`,
      `${file}:7: rules[0].actions[2].target_free_gb: missing required key 'target_free_gb'`,
      `${file}:8: rules[0].actions[3].env.A: expected string, got 1`,
      `${file}:9: rules[0].verify.url: unknown key 'url'`,
    ]);
  });

  it("reports wrong types and enum values with what was expected and what was got", () => {
    const { problems, file } = load(
      ["rules:", "  - id: a", "    match: x", "    cooldown: soon", "    severity: fatal", "    flags: ig"].join("\n"),
    );
    expect(problems.map(formatProblem).sort()).toEqual(
      [
        `${file}:4: rules[0].cooldown: expected number, got "soon"`,
        `${file}:5: rules[0].severity: expected one of "info", "warning", "critical", got "fatal"`,
        `${file}:6: rules[0].flags: must match pattern "^[imsu]*$", got "ig"`,
      ].sort(),
    );
  });

  it("reports a rule without id at the rule's line", () => {
    const { problems, file } = load(["rules:", "  - id: ok", "    match: x", "  - match: y", "    severity: info"].join("\n"));
    expect(problems.map(formatProblem)).toEqual([`${file}:4: rules[1].id: missing required key 'id'`]);
  });

  it("reports an id that is not a lowercase identifier", () => {
    const { problems, file } = load(["rules:", "  - id: Ruta-1", "    match: x"].join("\n"));
    expect(problems.map(formatProblem)).toEqual([`${file}:2: rules[0].id: must match pattern "^[a-z][a-z0-9_]*$", got "Ruta-1"`]);
  });

  it("reports an invalid regex with the RegExp constructor's message, for match, exclude and extract", () => {
    const { problems, file } = load(
      ["rules:", "  - id: a", "    match: '(unclosed'", "    exclude: ['ok', '[z-a]']", "    extract: ['(?<n>a)(?<n>b)']"].join("\n"),
    );
    expect(problems.map(formatProblem)).toEqual([
      `${file}:3: rules[0].match: Invalid regular expression: /(unclosed/: Unterminated group`,
      `${file}:4: rules[0].exclude[1]: Invalid regular expression: /[z-a]/: Range out of order in character class`,
      `${file}:5: rules[0].extract[0]: Invalid regular expression: /(?<n>a)(?<n>b)/: Duplicate capture group name`,
    ]);
  });

  it("reports repeated flags on the flags key", () => {
    const { problems, file } = load(["rules:", "  - id: a", "    match: x", "    flags: ii"].join("\n"));
    expect(problems.map(formatProblem)).toEqual([`${file}:4: rules[0].flags: Invalid flags supplied to RegExp constructor 'ii'`]);
  });

  it("refuses a regex with catastrophic backtracking, naming the complexity", () => {
    const { problems, file, rules } = load(
      ["rules:", "  - id: redos", "    match: 'ok|(a+)+$'", "  - id: quadratic", "    match: '\\s*x\\s*$'"].join("\n"),
    );
    expect(rules).toEqual([]);
    expect(problems).toHaveLength(2);
    expect(formatProblem(problems[0]!)).toMatch(
      new RegExp(`^${escape(file)}:3: rules\\[0\\]\\.match: regex can backtrack catastrophically in alternative '\\(a\\+\\)\\+\\$': exponential time on input like `),
    );
    expect(formatProblem(problems[1]!)).toMatch(
      new RegExp(`^${escape(file)}:5: rules\\[1\\]\\.match: regex can backtrack catastrophically: 2nd degree polynomial time on input like `),
    );
  });

  it("refuses a vulnerable resolve_on template (checked with its fields filled in)", () => {
    const { problems, file } = load(
      ["rules:", "  - id: a", "    match: 'x (?<video>\\S+)'", "    resolve_on: 'Descarga exitosa: .*{video}'"].join("\n"),
    );
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.field}`)).toEqual([`${file}:4: rules[0].resolve_on`]);
    expect(problems[0]!.message).toMatch(/polynomial/);
  });

  it("rejects duplicate ids across files, naming both places", () => {
    writeIn(dir, "a.yaml", ["rules:", "  - id: uno", "    match: x"].join("\n"));
    writeIn(dir, "b.json", JSON.stringify({ rules: [{ id: "dos", match: "y" }, { id: "uno", match: "z" }] }, null, 2));
    const { rules, problems, files } = loadRules(dir, options);
    expect(rules.map((r) => r.id)).toEqual(["uno", "dos"]);
    expect(problems.map(formatProblem)).toEqual([
      `${dir}/b.json:8: rules[1].id: duplicate id 'uno': already declared at ${dir}/a.yaml:2`,
    ]);
    expect(files).toEqual([
      { file: `${dir}/a.yaml`, rules: 1 },
      { file: `${dir}/b.json`, rules: 1 },
    ]);
  });

  it("rejects templates naming fields that neither match nor extract capture", () => {
    const { problems, file } = load(
      [
        "rules:",
        "  - id: a",
        "    match: \"denied: '(?<path>[^']+)'\"",
        "    extract: ['modelos/(?<modelo>[^/]+)/']",
        "    key: '{modelo}-{video}'",
        "    actions:",
        "      - { type: exec, command: [echo, '{path}', '{user}'] }",
        "    verify: { type: path_exists, path: '{dir}' }",
        "    resolve_on: 'ok {modelo}'",
      ].join("\n"),
    );
    expect(problems.map(formatProblem)).toEqual([
      `${file}:5: rules[0].key: template names field 'video', which neither match nor extract captures (captured: modelo, path)`,
      `${file}:7: rules[0].actions[0].command[2]: template names field 'user', which neither match nor extract captures (captured: modelo, path)`,
      `${file}:8: rules[0].verify.path: template names field 'dir', which neither match nor extract captures (captured: modelo, path)`,
    ]);
  });

  it("rejects depends_on naming unknown rules, itself, or a cycle", () => {
    const { problems, file } = load(
      [
        "rules:",
        "  - id: a",
        "    match: x",
        "    depends_on: [b, nadie]",
        "  - id: b",
        "    match: y",
        "    depends_on: [a]",
        "  - id: c",
        "    match: z",
        "    depends_on: [c]",
      ].join("\n"),
    );
    expect(problems.map(formatProblem)).toEqual([
      `${file}:10: rules[2].depends_on: rule 'c' cannot depend on itself`,
      `${file}:4: rules[0].depends_on[0]: dependency cycle: 'b' depends back on 'a'`,
      `${file}:4: rules[0].depends_on[1]: depends on unknown rule 'nadie'`,
      `${file}:7: rules[1].depends_on[0]: dependency cycle: 'a' depends back on 'b'`,
    ]);
  });

  it("reports YAML syntax errors and duplicate keys with their line, and keeps loading other files", () => {
    writeIn(dir, "a.yaml", ["rules:", "  - id: a", "    match: x", "    match: y"].join("\n"));
    writeIn(dir, "b.yml", ["rules:", "  - id: b", "    match: [unclosed"].join("\n"));
    writeIn(dir, "c.yaml", ["rules:", "  - id: c", "    match: z"].join("\n"));
    const { rules, problems } = loadRules(dir, options);
    expect(rules.map((r) => r.id)).toEqual(["c"]);
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual([`${dir}/a.yaml:4`, `${dir}/b.yml:3`]);
    expect(problems[0]!.message).toMatch(/unique/i);
  });

  it("keeps the sound rules of a file whose other rules are broken", () => {
    const { rules, problems } = load(["rules:", "  - id: a", "    match: x", "  - id: b", "    match: 3"].join("\n"));
    expect(rules.map((r) => r.id)).toEqual(["a"]);
    expect(problems).toHaveLength(1);
  });

  it("never throws: missing path, empty folder, folder without rules key, a list of files", () => {
    expect(loadRules(`${dir}/nope`, options).problems.map(formatProblem)).toEqual([`${dir}/nope:0: -: no such file or directory`]);
    expect(loadRules(dir, options).problems.map(formatProblem)).toEqual([
      `${dir}:0: -: no rule files (.yaml, .yml, .json) in this folder`,
    ]);
    const f = writeIn(dir, "x.yaml", "reglas: []\n");
    expect(loadRules([f], options).problems.map(formatProblem)).toEqual([
      `${f}:1: rules: missing required key 'rules'`,
      `${f}:1: reglas: unknown key 'reglas'`,
    ]);
    expect(loadRules([`${dir}/missing.yaml`], options).problems.map(formatProblem)).toEqual([
      `${dir}/missing.yaml:0: -: no such file or directory`,
    ]);
  });
});

describe("listRuleFiles", () => {
  it("lists the top-level .yaml/.yml/.json files of a folder, sorted by name, ignoring samples/", () => {
    const { dir, cleanup } = makeTempDir();
    try {
      for (const n of ["b.yml", "a.yaml", "c.json", "notes.txt", "samples/x.yaml", "Z.YAML"]) writeIn(dir, n, "rules: []\n");
      expect(listRuleFiles(dir).files).toEqual(["Z.YAML", "a.yaml", "b.yml", "c.json"].map((n) => `${dir}/${n}`));
    } finally {
      cleanup();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
