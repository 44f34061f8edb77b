/**
 * /health during a catch-up, scraped over HTTP as an operator's monitor would: the remediation queue it shows is
 * work still to do. Every job running or waiting belongs to an open incident, so at every instant
 * `running + queued` is at most the open incidents `incidents_open` counts in the same answer; an incident that a
 * later line closed (`resolve_on`) while its job waited for a slot is no longer queued work. The backlog is the
 * benchmark's generated bot log: downloads, timeouts resolved by the next successful download, corrupt files,
 * missing folders.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { get } from "node:http";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpAll, createWorkspace, findFreePort, REPO, startVigia } from "./vigia-harness.js";

interface HealthSample {
  lagBytes: number;
  openIncidents: number;
  remediation: { running: number; queued: number };
}

/** GET /health, or null while nothing answers. */
function readHealth(port: number): Promise<HealthSample | null> {
  return new Promise((resolve) => {
    const request = get({ host: "127.0.0.1", port, path: "/health", timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => {
        try {
          const doc = JSON.parse(body) as { sources: Array<{ lag_bytes: number }>; incidents_open: Record<string, number>; remediation: { running: number; queued: number } };
          const openIncidents = Object.values(doc.incidents_open).reduce((sum, n) => sum + n, 0);
          resolve({ lagBytes: doc.sources[0]!.lag_bytes, openIncidents, remediation: doc.remediation });
        } catch {
          resolve(null);
        }
      });
    });
    request.on("error", () => resolve(null));
    request.on("timeout", () => request.destroy());
  });
}

afterAll(() => cleanUpAll());

describe("/health during a catch-up", () => {
  it("counts as queued only the remediations of incidents still open", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({
      config: [
        "sources:",
        "  - { name: bot, path: logs/bot_central.log, multiline: { start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}' } }",
        `status: { listen: '127.0.0.1:${port}' }`,
        "checks: { disk: null }",
        "remediation: { allowed_roots: [modelos] }",
        "",
      ].join("\n"),
    });
    ws.write(BOT_LOG, "");
    execFileSync(process.execPath, [join(REPO, "bench", "generate-bot-log.mjs"), ws.at(BOT_LOG), "--lines", "400000"], { stdio: "ignore" });

    const samples: HealthSample[] = [];
    let stopSampling = false;
    const sampling = (async () => {
      while (!stopSampling) {
        const health = await readHealth(port);
        if (health) samples.push(health);
      }
    })();
    const vigia = await startVigia(ws, ["--from-start", "--dry-run"]);
    try {
      await waitFor(() => samples.some((s) => s.lagBytes > 0) && samples.at(-1)!.lagBytes === 0 && samples.at(-1)!.remediation.queued === 0, {
        what: "the backlog read and its remediations ended",
        timeoutMs: 240_000,
        describe: () => JSON.stringify(samples.slice(-3)),
      });
    } finally {
      stopSampling = true;
      await sampling;
      await vigia.stop("SIGINT");
    }
    // The remediation was busy while the backlog was read: the check below is about something.
    expect(samples.some((s) => s.remediation.running + s.remediation.queued > 0)).toBe(true);
    const overcounted = samples.filter((s) => s.remediation.running + s.remediation.queued > s.openIncidents);
    expect(overcounted.slice(0, 3)).toEqual([]);
  });
});
