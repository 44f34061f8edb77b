import { setFlagsFromString } from "node:v8";

/**
 * After a full collection, the old generation of every thread may grow by 30 % of what survived before the next one,
 * instead of up to 4×: a catch-up's peak RSS about halves for about a fifth more CPU, spent by V8's collector threads
 * (bench/README.md). V8 reads this flag at each collection, so setting it at run time works (unlike the young
 * generation's size, a node flag of every start command: docs/cli.md#node-flags). Only the long-running commands set
 * it: the one-shot ones (test-rules) keep V8's faster default.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString("--heap-growing-percent=30");
}
