/** Shared fixtures for the remediation tests: temp trees, hand-built rules and incidents, tree snapshots. */
import { mkdtempSync, rmSync, chmodSync, lstatSync, readdirSync, readlinkSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import type { ActionSpec, CompiledRule, Incident, VerifySpec } from "../../src/types.js";
import type { RemediationStep } from "../../src/remediation/index.js";

export const IS_ROOT = process.getuid?.() === 0;
export const NOBODY_UID = 65534;
export const NOBODY_GID = 65534;

/** True when tests can act as an unprivileged bot: root, a `nobody` user and util-linux `setpriv`. */
export const CAN_DROP_PRIVILEGES = IS_ROOT && hasCommand("setpriv") && hasNobody();

function hasCommand(name: string): boolean {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function hasNobody(): boolean {
  try {
    return execFileSync("id", ["-u", "nobody"]).toString().trim() === String(NOBODY_UID);
  } catch {
    return false;
  }
}

/** A fresh temp folder, traversable by everyone (mkdtemp makes 0700, which would stop the unprivileged bot). */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "vigia-rem-"));
  chmodSync(dir, 0o755);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
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

/** A CompiledRule with test defaults. */
export function makeRule(overrides: Partial<CompiledRule> & { actions?: ActionSpec[]; verify?: VerifySpec | null } = {}): CompiledRule {
  return {
    id: "prueba",
    match: /x/,
    exclude: [],
    sources: null,
    severity: "warning",
    keyTemplate: null,
    cooldownMs: 60_000,
    threshold: null,
    dependsOn: [],
    extract: [],
    actions: [],
    verify: null,
    resolveOn: null,
    retries: null,
    backoffMs: null,
    notify: "on_failure",
    notifyTemplate: null,
    file: "test.yaml",
    line: 1,
    ...overrides,
  };
}

let incidentCounter = 0;

/** An Incident with test defaults; `clave` is what the executor serialises on. */
export function makeIncident(clave = `k${++incidentCounter}`): Incident {
  const now = new Date().toISOString();
  return {
    timestamp: now,
    modelo: null,
    video: null,
    error_type: "prueba",
    error_message: "x",
    accion: null,
    estado: "pendiente",
    intento: 0,
    max_intentos: 3,
    id: `inc-${++incidentCounter}`,
    fuente: "bot",
    archivo: "bot.log",
    severidad: "warning",
    campos: {},
    ocurrencias: 1,
    ultima_ocurrencia: now,
    clave,
    transiciones: [],
    resuelto: null,
    duracion_ms: null,
  };
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
import { defaultTimers } from "../../src/remediation/timers.js";
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
    timers: defaultTimers,
    nowMs: Date.now,
    detectedAtMs: null,
    signal: new AbortController().signal,
    ...rest,
  };
}
