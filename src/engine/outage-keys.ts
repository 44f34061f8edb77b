/**
 * One outage, one incident: the bot's log and a periodic check often report the same problem — "All connection
 * attempts failed" and the `bot_api` check, "No space left on device" and the `disk` check. Both go under one
 * correlation key, so whichever sees it first opens the incident and the other is noted in its `transiciones`.
 *
 * - `servidor_caido` log matches take the key of the `bot_api` check (there is one local Bot API server).
 * - `disco_lleno` log matches take the key of the disk check whose filesystem holds the path that failed (the
 *   download root when the message names none); disk checks on one filesystem share the first one's key. Such an
 *   incident is then the disk check's: it stays open while the check says full and closes when space is back.
 *   With no disk check on that filesystem the key is its mount point (`disco_lleno:/srv/modelos`) and the rule's
 *   own verify measures it.
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BOT_API_ERROR_TYPE, DISK_ERROR_TYPE } from "../checks/index.js";
import type { ChecksConfig } from "../config/types.js";
import { findExistingAncestor } from "../util/find-existing-ancestor.js";
import type { CompiledRule, RuleMatch } from "../types.js";
import { getCheckKey } from "./check-incidents.js";

export interface OutageKeys {
  /** The incident key of a check: `check:<id>`, or the key of the first disk check on the same filesystem. */
  keyOfCheck(checkId: string): string;
  /**
   * A log match re-keyed onto the check that watches the same thing, or as it was; `askCheck`: the check that now
   * owns the incident and should look at once.
   */
  correlate(match: RuleMatch): { match: RuleMatch; askCheck: string | null };
  /** An incident (taken up from the journal too) that its check closes: no remediation of its own runs. */
  isCheckOwned(incident: { error_type: string; clave: string }): boolean;
}

export interface OutageKeysOptions {
  /** Relative paths in log lines resolve against it (the bot runs from the config's folder). */
  baseDir: string;
  /** Measured when a disk-full message names no path. */
  downloadRoot: string | null;
}

/** Builds the correlation for the checks of a config. */
export function createOutageKeys(checks: ChecksConfig, options: OutageKeysOptions): OutageKeys {
  const diskPaths = checks.disk?.paths ?? [];
  const checkOwnedRules = new WeakMap<CompiledRule, CompiledRule>();

  /** The first configured disk path on the filesystem of `absolute`, by device number; null when none. */
  const findDiskPath = (absolute: string): string | null => {
    const dev = readDevice(absolute);
    if (dev === null) return null;
    return diskPaths.find((p) => readDevice(p) === dev) ?? null;
  };

  /** The rule as the disk check's: no remediation of its own, closed by the check's recovery. */
  const toCheckOwned = (rule: CompiledRule): CompiledRule => {
    let owned = checkOwnedRules.get(rule);
    if (!owned) {
      owned = { ...rule, actions: [], verify: null, resolveOn: null, closedExternally: true };
      checkOwnedRules.set(rule, owned);
    }
    return owned;
  };

  return {
    keyOfCheck(checkId) {
      if (!checkId.startsWith("disk:")) return getCheckKey(checkId);
      const first = findDiskPath(checkId.slice("disk:".length));
      return getCheckKey(first ? `disk:${first}` : checkId);
    },
    correlate(match) {
      const ruleId = match.rule.id;
      if (ruleId === BOT_API_ERROR_TYPE && checks.botApi) {
        return { match: { ...match, key: getCheckKey("bot_api") }, askCheck: null };
      }
      if (ruleId === DISK_ERROR_TYPE && diskPaths.length > 0) {
        const failed = match.fields["path"] ? resolve(options.baseDir, match.fields["path"]) : options.downloadRoot;
        if (failed === null) return { match, askCheck: null };
        const diskPath = findDiskPath(failed);
        if (diskPath === null) return { match: keyByMountPoint(match, failed), askCheck: null };
        const checkId = `disk:${diskPath}`;
        return { match: { ...match, rule: toCheckOwned(match.rule), key: getCheckKey(checkId) }, askCheck: checkId };
      }
      if (ruleId === DISK_ERROR_TYPE) {
        const failed = match.fields["path"] ? resolve(options.baseDir, match.fields["path"]) : options.downloadRoot;
        return { match: failed === null ? match : keyByMountPoint(match, failed), askCheck: null };
      }
      return { match, askCheck: null };
    },
    isCheckOwned(incident) {
      return incident.error_type === DISK_ERROR_TYPE && diskPaths.length > 0 && incident.clave.startsWith(getCheckKey("disk:"));
    },
  };
}

/** Device number of the filesystem holding a path (or its nearest existing ancestor); null when unreadable. */
function readDevice(absolute: string): number | null {
  try {
    return statSync(findExistingAncestor(absolute)).dev;
  } catch {
    return null;
  }
}

/** One incident per filesystem when no disk check watches it: the key names the mount point of the path that failed. */
function keyByMountPoint(match: RuleMatch, absolute: string): RuleMatch {
  return { ...match, key: `${match.rule.id}:${findMountPoint(absolute)}` };
}

/** The mount point of a path's filesystem: its highest ancestor still on the same device. */
export function findMountPoint(absolute: string): string {
  let current = findExistingAncestor(absolute);
  const dev = readDevice(current);
  for (;;) {
    const parent = dirname(current);
    if (parent === current || readDevice(parent) !== dev) return current;
    current = parent;
  }
}
