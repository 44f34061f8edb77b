import { map, type MonoTypeOperatorFunction } from "rxjs";
import type { MatchedBatch, RuleMatch } from "../types.js";
import type { OutageKeys } from "./outage-keys.js";

/**
 * Pipeline stage: log matches of an outage a periodic check also watches take the check's incident key (see
 * OutageKeys), so one outage is one incident; `askCheck` hears of each check that should look at once.
 */
export function correlateOutages(outageKeys: OutageKeys, askCheck: (checkId: string) => void): MonoTypeOperatorFunction<MatchedBatch> {
  return map((batch) => {
    if (batch.matches.length === 0) return batch;
    const matches: RuleMatch[] = [];
    for (const found of batch.matches) {
      const { match, askCheck: checkId } = outageKeys.correlate(found);
      matches.push(match);
      if (checkId) askCheck(checkId);
    }
    return { ...batch, matches };
  });
}
