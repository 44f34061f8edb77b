import { setFlagsFromString } from "node:v8";

/**
 * After a full collection, the old generation of every thread may grow by 30 % of what survived before the next one,
 * instead of up to 4×: a catch-up's peak RSS drops by a third to a half, for a fifth to a half more CPU, most of it
 * off the main thread (bench/README.md). V8 reads this flag at each collection, so setting it at run time works
 * (unlike the young generation's size, a node flag of every start command: docs/cli.md#node-flags). Only the
 * long-running commands set it: the one-shot ones (test-rules) keep V8's faster default.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString("--heap-growing-percent=30");
}
