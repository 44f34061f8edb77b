import type { ChecksConfig } from "../../src/config/types.js";

/** A checks config with every check off: for engine tests about lines, rules and incidents alone. */
export const NO_CHECKS: ChecksConfig = {
  intervalMs: 30_000,
  disk: null,
  botApi: null,
  localBotApi: { url: "http://127.0.0.1:8081", healthUrl: null },
  http: [],
  process: [],
  silence: [],
  exec: [],
  flap: null,
  historyDays: 0,
};
