/**
 * `vigia status`: ask a running vigia for its /health and print it. Exit code 0 when it answered, 1 when it
 * could not be reached or answered something that is not a health report.
 */
import { formatHealthReport } from "./format-health-report.js";
import { classifyFetchFailure } from "../util/describe-fetch-error.js";

/** How long `vigia status` waits for /health. */
const STATUS_TIMEOUT_MS = 3000;

export interface PrintStatusOptions {
  /** The /health URL (see getStatusUrl). */
  url: string;
  /** status.token, sent as a bearer header; null when the server has none. */
  token?: string | null;
  /** Default 3000. */
  timeoutMs?: number;
  /** Where the table goes; default stdout. */
  write?: (text: string) => void;
  /** Where the "unreachable" message goes; default stderr. */
  writeError?: (text: string) => void;
  nowMs?: () => number;
  /** `json` prints /health's answer as it came (`vigia status --json`); default a table. */
  format?: "table" | "json";
}

/** Fetches and prints the report; resolves with the exit code (0 up, 1 unreachable or not a health report). */
export async function printStatus(options: PrintStatusOptions): Promise<number> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const writeError = options.writeError ?? ((text: string) => void process.stderr.write(text));
  const timeoutMs = options.timeoutMs ?? STATUS_TIMEOUT_MS;
  let body: string;
  try {
    const response = await fetch(options.url, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: "application/json", ...toAuthHeader(options.token) } });
    body = await response.text();
    if (!response.ok) {
      writeError(`vigia status: ${options.url} answered HTTP ${response.status}\n`);
      return 1;
    }
  } catch (error) {
    writeError(`vigia status: no vigia answering at ${options.url} (${describeStatusFailure(error, timeoutMs)})\n`);
    return 1;
  }
  let report: unknown;
  try {
    report = JSON.parse(body);
  } catch {
    writeError(`vigia status: ${options.url} did not answer with JSON (is it vigia's status port?)\n`);
    return 1;
  }
  write(options.format === "json" ? `${body.trimEnd()}\n` : formatHealthReport(report, (options.nowMs ?? Date.now)()));
  return 0;
}


/** fetch hides the socket error in `cause`; operators want "connection refused", not "fetch failed". */
function describeStatusFailure(error: unknown, timeoutMs: number): string {
  const failure = classifyFetchFailure(error);
  if (failure.kind !== "network") return `no answer within ${timeoutMs} ms`;
  if (failure.code === "ECONNREFUSED") return "connection refused: is `vigia run` running, and is status.listen the same?";
  if (failure.code === "ENOTFOUND" || failure.code === "EAI_AGAIN") return "host not found";
  return failure.reason;
}

/** The header that carries status.token, none without one. */
function toAuthHeader(token: string | null | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
