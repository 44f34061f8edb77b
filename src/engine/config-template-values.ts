import type { VigiaConfig } from "../config/types.js";
import { DEFAULTS } from "../config/defaults.js";
import type { ConfigTemplateName } from "../util/template.js";

/** The `{config.NAME}` values of a config, merged into the fields an action or verify is filled from. */
export function buildConfigTemplateValues(config: VigiaConfig): Record<ConfigTemplateName, string> {
  const disk = config.checks.disk;
  return {
    "config.bot_api_url": config.checks.localBotApi.url,
    "config.bot_api_health_url": config.checks.localBotApi.healthUrl ?? "",
    "config.download_root": config.remediation.allowedRoots[0] ?? config.baseDir,
    "config.disk_warn_gb": String(disk?.warnGb ?? DEFAULTS.checks.disk.warn_gb),
    "config.disk_critical_gb": String(disk?.criticalGb ?? DEFAULTS.checks.disk.critical_gb),
  };
}
