import { filter, map, type OperatorFunction } from "rxjs";
import type { MatchedBatch } from "../types.js";
import type { UnknownErrorStore } from "./unknown-error-store.js";

/**
 * Hands each batch's events that no rule claimed to the unknown-error store (it keeps the errors among them, by
 * template); emits the number it kept, for batches where it kept any.
 */
export function collectUnknownErrors(store: UnknownErrorStore): OperatorFunction<MatchedBatch, number> {
  return (batches$) =>
    batches$.pipe(
      map(({ events, matches }) => {
        const claimed = new Set(matches.map((m) => m.event));
        let kept = 0;
        for (const event of events) if (!claimed.has(event) && store.observe({ source: event.source, text: event.text, atMs: event.readAtMs })) kept++;
        return kept;
      }),
      filter((kept) => kept > 0),
    );
}
