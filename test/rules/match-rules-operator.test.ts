import { describe, expect, it } from "@jest/globals";
import { TestScheduler } from "rxjs/testing";
import { matchRules } from "../../src/rules/match-rules-operator.js";
import type { RuleMatcher } from "../../src/rules/match-rules.js";
import type { CompiledRule, LogEvent, RuleMatch } from "../../src/types.js";
import { makeEvent } from "../helpers/make-rule.js";

/** A matcher claiming events whose text contains `word`, as rule `id`. */
function matcherFor(id: string, word: string): RuleMatcher {
  const rule = { id } as CompiledRule;
  return (event: LogEvent): RuleMatch | null => (event.text.includes(word) ? { rule, event, fields: {}, key: id } : null);
}

const ids = (matches: RuleMatch[]): string[] => matches.map((m) => `${m.rule.id}:${m.event.text}`);

describe("matchRules operator", () => {
  it("maps each batch of events to its matches, in order, dropping batches without any", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold("-a-b-c|", {
        a: [makeEvent("x error 1"), makeEvent("fine"), makeEvent("error 2")],
        b: [makeEvent("fine"), makeEvent("still fine")],
        c: [makeEvent("error 3")],
      });
      const matcher = matcherFor("r", "error");
      const out = source.pipe(matchRules(() => matcher));
      expectObservable(out).toBe("-a---c|", {
        a: [
          expect.objectContaining({ event: expect.objectContaining({ text: "x error 1" }) }),
          expect.objectContaining({ event: expect.objectContaining({ text: "error 2" }) }),
        ],
        c: [expect.objectContaining({ event: expect.objectContaining({ text: "error 3" }) })],
      });
      expectSubscriptions(source.subscriptions).toBe("^-----!");
    });
  });

  it("asks for the matcher once per batch, so a hot reload applies from the next batch", () => {
    let current = matcherFor("viejo", "a");
    let asked = 0;
    const seen: string[][] = [];
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold }) => {
      const source = cold("-x-y|", { x: [makeEvent("a1"), makeEvent("b1")], y: [makeEvent("a2"), makeEvent("b2")] });
      source
        .pipe(
          matchRules(() => {
            asked++;
            const m = current;
            current = matcherFor("nuevo", "b"); // a reload lands while batch x is being matched
            return m;
          }),
        )
        .subscribe((m) => seen.push(ids(m)));
    });
    expect(seen).toEqual([["viejo:a1"], ["nuevo:b2"]]);
    expect(asked).toBe(2);
  });
});
