/**
 * A regex must never freeze vigia. Nested bounded repetition (`^(?:(?:a?){9}){9}$`) looks linear to a ReDoS
 * checker yet held a daemon at 100 % CPU for minutes on one 11-byte line: `vigia check` refuses it, naming
 * the file and line.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { cleanUpTest, createWorkspace, runVigia } from "../e2e/vigia-harness.js";

afterEach(cleanUpTest);

describe("a rule that can freeze the matcher", () => {
  it("is refused by `vigia check` with file:line, whether its nested bounds repeat letters or digits", async () => {
    const ws = createWorkspace();
    ws.write(
      "rules/zz-lento.yaml",
      [
        "rules:", //                                          1
        "  - id: as_anidadas", //                             2
        "    match: '^(?:(?:a?){9}){9}$'", //                 3
        "  - id: digitos_anidados", //                        4
        "    severity: info", //                              5
        "    match: '^(\\d{1,9}){1,9}x$'", //                 6
        "",
      ].join("\n"),
    );
    const r = await runVigia(ws.dir, ["check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\S*rules\/zz-lento\.yaml:3: rules\[0\]\.match: regex can backtrack catastrophically: nested bounded repetition/m);
    expect(r.stdout).toMatch(/^\S*rules\/zz-lento\.yaml:6: rules\[1\]\.match: regex can backtrack catastrophically: nested bounded repetition/m);
  });
});
