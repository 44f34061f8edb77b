/** Public API of the config stage. */
export { loadConfig, type LoadConfigOptions, type LoadedConfig } from "./load-config.js";
export { ConfigError } from "./config-error.js";
export { describeConfig, listConfigSecrets } from "./describe-config.js";
export { CONFIG_SCHEMA } from "./config-schema.js";
export { CONFIG_FILE_NAMES, type ConfigOrigin } from "./find-config-file.js";
export {
  DEFAULTS,
  DEFAULT_SOURCES,
  PYTHON_LOG_START,
  SOURCE_DEFAULTS,
  MULTILINE_DEFAULTS,
  BOT_API_DEFAULTS,
  HTTP_CHECK_DEFAULTS,
  PROCESS_CHECK_DEFAULTS,
  EXEC_CHECK_DEFAULTS,
  SUPERVISE_DEFAULTS,
} from "./defaults.js";
export type * from "./types.js";
