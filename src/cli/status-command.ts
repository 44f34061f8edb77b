import { getStatusUrl } from "../observe/listen-address.js";
import { printStatus } from "../observe/print-status.js";
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
  return printStatus({ url, token, format: values["json"] ? "json" : "table" });
}
