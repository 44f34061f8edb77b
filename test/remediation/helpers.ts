/** Shared fixtures for the remediation tests: traversable temp trees, incidents as the executor gets them, tree snapshots. */
import { chmodSync, lstatSync, readdirSync, readlinkSync, existsSync } from "node:fs";
import { IS_ROOT, hasCommand } from "../helpers/environment.js";
import { join, relative } from "node:path";
import { execFileSync } from "node:child_process";
import type { Incident } from "../../src/types.js";
import { makeIncident } from "../helpers/make-incident.js";
import { makeTempDir } from "../helpers/temp-dir.js";
import type { RemediationStep } from "../../src/remediation/index.js";

export const NOBODY_UID = 65534;
export const NOBODY_GID = 65534;

/** True when tests can act as an unprivileged bot: root, a `nobody` user and util-linux `setpriv`. */
export const CAN_DROP_PRIVILEGES = IS_ROOT && hasCommand("setpriv") && hasNobody();

export const NEEDS_BOT_USER = "needs root, the nobody user and setpriv to act as the unprivileged bot";

function hasNobody(): boolean {
  try {
    return execFileSync("id", ["-u", "nobody"]).toString().trim() === String(NOBODY_UID);
  } catch {
    return false;
  }
}

/** A fresh temp folder, traversable by everyone (mkdtemp makes 0700, which would stop the unprivileged bot). */
export function makeTraversableTempDir(): { dir: string; cleanup(): void } {
  const temp = makeTempDir("vigia-rem-");
  chmodSync(temp.dir, 0o755);
  return temp;
}

/**
 * A Python the unprivileged bot can run (a pyenv shim under /root is not one), or null. Tried as nobody, in a
 * folder everyone can enter.
 */
export const BOT_PYTHON: string | null = CAN_DROP_PRIVILEGES
  ? (["/usr/bin/python3", "/usr/local/bin/python3", "python3"].find((candidate) => runAsNobody([candidate, "-c", "pass"], "/").code === 0) ?? null)
  : null;

/** Runs argv as `nobody` (the bot's stand-in); returns exit code and stderr. */
export function runAsNobody(argv: string[], cwd: string): { code: number; stderr: string } {
  try {
    execFileSync("setpriv", [`--reuid=${NOBODY_UID}`, `--regid=${NOBODY_GID}`, "--clear-groups", ...argv], { cwd, stdio: "pipe" });
    return { code: 0, stderr: "" };
  } catch (error) {
    const err = error as { status?: number; stderr?: Buffer };
    return { code: err.status ?? -1, stderr: err.stderr?.toString() ?? "" };
  }
}

/** An incident as the executor receives it: pendiente, detected now; `clave` is what the executor serialises on. */
export function makePendingIncident(clave?: string): Incident {
  const now = new Date().toISOString();
  return makeIncident({ estado: "pendiente", timestamp: now, ultima_ocurrencia: now, transiciones: [], ...(clave === undefined ? {} : { clave }) });
}

/** Collects reported steps; `steps` in order. */
export function collectSteps(): { steps: RemediationStep[]; report: (step: RemediationStep) => void } {
  const steps: RemediationStep[] = [];
  return { steps, report: (step) => steps.push(step) };
}

/**
 * Every entry below `top` except those under `excluded` (absolute), with the metadata an action could change:
 * type, mode, owner, size, mtime, link target. Two equal snapshots = nothing was touched.
 */
export function snapshotTree(top: string, excluded: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    if (excluded.some((ex) => path === ex || path.startsWith(ex + "/"))) return;
    const st = lstatSync(path);
    const kind = st.isSymbolicLink() ? `link->${readlinkSync(path)}` : st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
    out[relative(top, path) || "."] = `${kind} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.mtimeMs}`;
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  if (existsSync(top)) walk(top);
  return out;
}

import { createPathGuard } from "../../src/remediation/path-guard.js";
import { createOwnerResolver } from "../../src/remediation/owner.js";
import { systemClock } from "../../src/util/clock.js";
import { getDiskSpace } from "../../src/remediation/disk-space.js";
import type { RemediationContext } from "../../src/remediation/remediation-context.js";

/** A context for running one action or verification directly, roots `modelos` under `base` unless overridden. */
export function makeContext(base: string, overrides: Partial<RemediationContext> & { allowedRoots?: string[] } = {}): RemediationContext {
  const { allowedRoots = ["modelos"], ...rest } = overrides;
  return {
    guard: createPathGuard({ allowedRoots, baseDir: base }),
    owners: createOwnerResolver(),
    owner: null,
    sudo: false,
    quarantineDir: null,
    isRoot: IS_ROOT,
    actionTimeoutMs: 10_000,
    killGraceMs: 300,
    maxOutputBytes: 4096,
    getDiskSpace,
    clock: systemClock,
    detectedAtMs: null,
    signal: new AbortController().signal,
    ...rest,
  };
}
