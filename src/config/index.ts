/** Public API of the config stage. */
export { loadConfig, type LoadedConfig } from "./load-config.js";
export { ConfigError } from "./config-error.js";
export { listConfigSecrets } from "./list-config-secrets.js";
export type * from "./types.js";
