/**
 * The second half of a big file under `vigia test-rules`, in a worker thread: the two halves are read, split,
 * grouped and matched at the same time on two cores. It only computes; the main thread merges.
 */
import { parentPort, workerData } from "node:worker_threads";
import { testRulesOnRange, type RangeSpec } from "./test-rules-on-range.js";
import { describeError } from "../util/describe-error.js";

const spec = workerData as Omit<RangeSpec, "onProgress">;
testRulesOnRange(spec).then(
  (report) => parentPort!.postMessage({ report }),
  (error: unknown) => parentPort!.postMessage({ error: describeError(error) }),
);
