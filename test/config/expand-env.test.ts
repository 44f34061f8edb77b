import { describe, expect, it } from "@jest/globals";
import { expandEnvDeep } from "../../src/config/expand-env.js";

/** One string value through the config walk. */
const expandEnvString = (text: string, env: Record<string, string>) => expandEnvDeep(text, env).value;

describe("expanding one string value", () => {
  const env = { A: "alpha", EMPTY: "" };

  it("replaces ${VAR} with its value and an unset one with nothing", () => {
    expect(expandEnvString("x-${A}-${UNSET}-y", env)).toBe("x-alpha--y");
  });

  it("uses the :- default when the variable is unset or empty", () => {
    expect(expandEnvString("${UNSET:-d1} ${EMPTY:-d2} ${A:-d3} ${UNSET:-}", env)).toBe("d1 d2 alpha ");
  });

  it("keeps $${ as a literal ${, and lone dollars as written", () => {
    expect(expandEnvString("$${A} costs $5 ^end$", env)).toBe("${A} costs $5 ^end$");
  });

  it("never expands a value twice", () => {
    expect(expandEnvString("${B}", { B: "${A}", A: "no" })).toBe("${A}");
  });
});

describe("expandEnvDeep", () => {
  it("expands strings inside objects and arrays, leaves keys and other values alone", () => {
    const input = { "${A}": ["${A}", 3, true, null, { k: "${A:-x}" }] };
    const { value, issues } = expandEnvDeep(input, { A: "a" });
    expect(value).toEqual({ "${A}": ["a", 3, true, null, { k: "a" }] });
    expect(issues).toEqual([]);
    expect(input["${A}"][0]).toBe("${A}"); // the input is not modified
  });

  it("reports malformed references with their path", () => {
    const { issues } = expandEnvDeep({ a: ["ok", "${1BAD}"], b: "${OPEN" }, {});
    expect(issues.map((i) => i.path)).toEqual([["a", 1], ["b"]]);
  });
});
