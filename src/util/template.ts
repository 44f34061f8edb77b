/**
 * `{field}` templates. Values are inserted as plain strings: a template never reaches a shell, and the
 * result of a path template is checked by the path guard before use.
 *
 * `{config.NAME}` inserts a value of vigia's own configuration (the local Bot API's URL…) instead of a captured
 * field: one place configures the server, every rule that needs it names it. Capture names cannot hold a dot, so
 * the two never collide; the names are fixed (CONFIG_TEMPLATE_VALUES) so the rule loader can refuse a typo.
 */

const PLACEHOLDER = /\{((?:config\.)?[A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Prefix of the placeholders filled from the configuration. */
const CONFIG_TEMPLATE_PREFIX = "config.";

/** The configuration values a rule's actions and verify may name as `{config.NAME}`, with what each holds. */
export const CONFIG_TEMPLATE_VALUES = {
  "config.bot_api_url": "the local Bot API server: checks.bot_api.url, else TELEGRAM_BOT_API_LOCAL_URL, else http://localhost:8081",
  "config.bot_api_health_url": "checks.bot_api.health_url, or empty when none is configured",
  "config.download_root": "the first of remediation.allowed_roots (absolute)",
  "config.disk_warn_gb": "checks.disk.warn_gb (5): the free space that ends a disk-full incident",
  "config.disk_critical_gb": "checks.disk.critical_gb (2): below it the disk is full",
} as const;

export type ConfigTemplateName = keyof typeof CONFIG_TEMPLATE_VALUES;

/** True for `config.NAME` placeholders (known or not). */
export function isConfigTemplateName(name: string): boolean {
  return name.startsWith(CONFIG_TEMPLATE_PREFIX);
}

/** True for the `config.NAME` placeholders vigia can fill. */
export function isKnownConfigTemplateName(name: string): name is ConfigTemplateName {
  return Object.hasOwn(CONFIG_TEMPLATE_VALUES, name);
}

/** Thrown when a template names a field the match did not capture. */
export class MissingFieldError extends Error {
  constructor(readonly template: string, readonly field: string) {
    super(`template '${template}' needs field '${field}', which was not captured`);
    this.name = "MissingFieldError";
  }
}

/** Names of the fields a template refers to, in order of first use. */
export function listTemplateFields(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) names.add(m[1]!);
  return [...names];
}

/** Fills `{field}` placeholders; a missing field throws unless `missing` supplies a replacement. */
export function fillTemplate(
  template: string,
  fields: Readonly<Record<string, string>>,
  missing?: (field: string) => string,
): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = fields[name];
    if (value !== undefined) return value;
    if (missing) return missing(name);
    throw new MissingFieldError(template, name);
  });
}

/** Escapes a string for literal use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Fills a regex template (`resolve_on`): field values are regex-escaped so a captured value matches literally. */
export function fillRegExpTemplate(template: string, fields: Readonly<Record<string, string>>): string {
  // Only the values the template names are escaped, not every captured field.
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (value === undefined) throw new MissingFieldError(template, name);
    return escapeRegExp(value);
  });
}
