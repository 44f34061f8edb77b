import { filter, map, type OperatorFunction } from "rxjs";
import type { LogEvent, RuleMatch } from "../types.js";
import type { RuleMatcher } from "./match-rules.js";

/**
 * Pipeline stage: a batch of events in, the batch's matches out (in event order; batches without any match
 * are dropped). `getMatcher` is asked once per batch, so a hot reload that swaps the matcher takes effect
 * at the next batch and never inside one.
 */
export function matchRules(getMatcher: () => RuleMatcher): OperatorFunction<LogEvent[], RuleMatch[]> {
  return (source) =>
    source.pipe(
      map((events) => {
        const matcher = getMatcher();
        const out: RuleMatch[] = [];
        for (const event of events) {
          const m = matcher(event);
          if (m) out.push(m);
        }
        return out;
      }),
      filter((matches) => matches.length > 0),
    );
}
