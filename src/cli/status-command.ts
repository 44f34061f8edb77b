import { getStatusUrl } from "../observe/listen-address.js";
import { describeStatusFailure, printStatus, toAuthHeader, STATUS_TIMEOUT_MS } from "../observe/print-status.js";
import { loadCliConfig } from "./load-cli-config.js";

/** `vigia status`: prints a running vigia's /health; exit 0 up, 1 unreachable. */
export async function runStatusCommand(values: Record<string, unknown>): Promise<number> {
  let url: string;
  let token = process.env["VIGIA_STATUS_TOKEN"] || null;
  if (typeof values["url"] === "string") url = values["url"].replace(/\/$/, "") + (/\/health$/.test(values["url"]) ? "" : "/health");
  else {
    const loaded = await loadCliConfig(values["config"]);
    if (!loaded) return 1;
    const status = loaded.config.status;
    if (!status) {
      process.stderr.write("vigia status: status.listen is off in the config\n");
      return 1;
    }
    url = getStatusUrl({ host: status.host, port: status.port });
    token = status.token;
  }
  if (values["json"]) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS), headers: toAuthHeader(token) });
      process.stdout.write(`${await res.text()}\n`);
      return res.ok ? 0 : 1;
    } catch (error) {
      process.stderr.write(`vigia status: no vigia answering at ${url} (${describeStatusFailure(error, STATUS_TIMEOUT_MS)})\n`);
      return 1;
    }
  }
  return printStatus({ url, token });
}
