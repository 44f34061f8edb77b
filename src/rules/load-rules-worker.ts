/**
 * The rule-loading worker thread: reads, validates, compiles and ReDoS-checks rule files off the main
 * thread. The check costs up to seconds per new regex (a 2 000-rule file: about a minute), and on the main
 * thread that time froze tailing, the journal and /health. Verdicts stay cached in this thread between loads.
 */
import { parentPort } from "node:worker_threads";
import { loadRules } from "./load-rules.js";
import type { FromRuleLoader, ToRuleLoader } from "./rule-loader-protocol.js";
import { describeError } from "../util/describe-error.js";

parentPort!.on("message", (message: ToRuleLoader) => {
  let reply: FromRuleLoader;
  try {
    reply = { id: message.id, result: loadRules(message.from, message.options) };
  } catch (error) {
    reply = { id: message.id, error: describeError(error) };
  }
  parentPort!.postMessage(reply);
});
