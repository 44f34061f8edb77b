import type { PathGuard } from "./path-guard.js";
import type { OwnerResolver } from "./owner.js";
import type { GetDiskSpace } from "./disk-space.js";
import type { Clock } from "../util/clock.js";

/** Everything an action or a verification may use: the guard, the configured policy, and injectable clocks. */
export interface RemediationContext {
  guard: PathGuard;
  owners: OwnerResolver;
  /** `remediation.owner` ("user:group" or ids); null = the owner of the allowed root containing the path. */
  owner: string | null;
  /** Run chown through `sudo -n`. */
  sudo: boolean;
  /** Absolute or base-relative; null = cleanup deletes. */
  quarantineDir: string | null;
  /** vigia runs as root: folders it creates are given to the owner, and writability is judged from mode bits. */
  isRoot: boolean;
  actionTimeoutMs: number;
  killGraceMs: number;
  maxOutputBytes: number;
  getDiskSpace: GetDiskSpace;
  /** Time for file ages, durations and timeouts. */
  clock: Clock;
  /**
   * When the incident was detected (ms since epoch); null outside a job (re-verify). A file modified after it is
   * not the one the log line was about (cleanup leaves a new download alone).
   */
  detectedAtMs: number | null;
  /** Aborted when the job is cancelled; long actions stop early. */
  signal: AbortSignal;
}
