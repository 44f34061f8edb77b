/**
 * `disk` check: free space on the filesystem holding `path`. Below `warn_gb` is a warning, below `critical_gb`
 * critical. Hysteresis keeps it from flapping around the critical line: once critical, the check stays critical
 * until the free space is back above the *warning* level, and only then is the incident `solucionado`.
 */
import { resolve } from "node:path";
import checkDiskSpaceModule from "check-disk-space";
import type { Check, CheckProbe } from "./check.js";
import { CHECK_DEFAULTS_MS } from "../config/defaults.js";

type ReadDiskSpace = (path: string) => Promise<DiskSpace>;

// The package's types describe its CommonJS build (default = the module object); at run time the ESM build's
// default export is the function itself. Accept both so neither the compiler nor Node is lied to.
const checkDiskSpace: ReadDiskSpace =
  typeof checkDiskSpaceModule === "function"
    ? (checkDiskSpaceModule as unknown as ReadDiskSpace)
    : (checkDiskSpaceModule as unknown as { default: ReadDiskSpace }).default;

export interface DiskSpace {
  free: number;
  size: number;
  /** Mount point or drive that holds the path. */
  diskPath: string;
}

export interface DiskCheckSpec {
  path: string;
  /** How the path is named in the id and messages (as configured, before resolving); default `path`. */
  label?: string;
  /** Defaults: `checks.disk` (config/defaults.ts). */
  warnGb?: number;
  criticalGb?: number;
  /** A hung network mount must not hang the check. */
  timeoutMs?: number;
  /** Reads free space; default check-disk-space (`df` on Linux). */
  readDiskSpace?: ReadDiskSpace;
}

/** The rule id of a disk check's failure. */
export const DISK_ERROR_TYPE = "disco_lleno";

const BYTES_PER_GB = 1024 ** 3;

type DiskLevel = "ok" | "warning" | "critical";

/** Builds the check for one path; the id is `disk:<label>`. */
export function createDiskCheck(spec: DiskCheckSpec): Check {
  const warnGb = spec.warnGb ?? CHECK_DEFAULTS_MS.disk.warnGb;
  const criticalGb = spec.criticalGb ?? CHECK_DEFAULTS_MS.disk.criticalGb;
  const readDiskSpace = spec.readDiskSpace ?? ((path: string) => checkDiskSpace(path));
  const absolutePath = resolve(spec.path);
  const label = spec.label ?? spec.path;
  let level: DiskLevel = "ok";

  async function probe(): Promise<CheckProbe> {
    const space = await readDiskSpace(absolutePath);
    const freeGb = space.free / BYTES_PER_GB;
    level = decideDiskLevel(freeGb, level, warnGb, criticalGb);
    const free = `${formatGb(freeGb)} GB free on ${label}`;
    const libres = `${formatGb(freeGb)} GB libres en ${label}`;
    const fields = {
      path: label,
      disk: space.diskPath,
      free_gb: formatGb(freeGb),
      size_gb: formatGb(space.size / BYTES_PER_GB),
      level,
    };
    if (level === "critical") {
      const below = freeGb < criticalGb;
      const why = below ? `critical below ${criticalGb} GB` : `critical until above ${warnGb} GB`;
      const porque = below ? `crítico por debajo de ${criticalGb} GB` : `crítico hasta superar ${warnGb} GB`;
      return { ok: false, severity: "critical", message: `${free} (${why})`, motivo: `${libres} (${porque})`, fields };
    }
    if (level === "warning") {
      return { ok: false, severity: "warning", message: `${free} (warning below ${warnGb} GB)`, motivo: `${libres} (aviso por debajo de ${warnGb} GB)`, fields };
    }
    return { ok: true, message: free, motivo: libres, fields };
  }

  return {
    id: `disk:${label}`,
    kind: "disk",
    errorType: DISK_ERROR_TYPE,
    severity: "critical",
    timeoutMs: spec.timeoutMs ?? CHECK_DEFAULTS_MS.disk.timeoutMs,
    failureThreshold: 1,
    probe,
  };
}

/** The next level given free space and the previous level: leaving `critical` needs more than `warnGb` free. */
export function decideDiskLevel(freeGb: number, previous: DiskLevel, warnGb: number, criticalGb: number): DiskLevel {
  if (freeGb < criticalGb) return "critical";
  if (freeGb < warnGb) return previous === "critical" ? "critical" : "warning";
  return "ok";
}

function formatGb(gb: number): string {
  return gb >= 100 ? gb.toFixed(0) : gb.toFixed(1);
}
