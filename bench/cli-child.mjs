// `vigia` as the benchmark measures it: the CLI of DIST (VIGIA_BENCH_DIST or dist/), so an experimental build is
// measured through the same commands users run.  node bench/cli-child.mjs test-rules FILE --config F
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DIST } from "./ensure-build.mjs";

const { main } = await import(pathToFileURL(join(DIST, "cli", "main.js")).href);
process.exitCode = await main(process.argv.slice(2));
