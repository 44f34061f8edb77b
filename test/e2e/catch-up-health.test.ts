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
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, botConfigWithStatus, cleanUpAll, createWorkspace, findFreePort, readHealth, REPO, startVigia } from "./vigia-harness.js";

interface HealthSample {
  lagBytes: number;
  openIncidents: number;
  remediation: { running: number; queued: number };
}

/** The figures this test compares, from one /health answer; null while nothing answers. */
async function sampleHealth(port: number): Promise<HealthSample | null> {
  const doc = await readHealth(port);
  if (!doc) return null;
  const openIncidents = Object.values(doc.incidents_open).reduce((sum, n) => sum + n, 0);
  return { lagBytes: doc.sources[0]!.lag_bytes, openIncidents, remediation: doc.remediation };
}

afterAll(() => cleanUpAll());

describe("/health during a catch-up", () => {
  it("counts as queued only the remediations of incidents still open", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({ config: botConfigWithStatus(port) });
    ws.write(BOT_LOG, "");
    execFileSync(process.execPath, [join(REPO, "bench", "generate-bot-log.mjs"), ws.at(BOT_LOG), "--lines", "400000"], { stdio: "ignore" });

    const samples: HealthSample[] = [];
    let stopSampling = false;
    const sampling = (async () => {
      while (!stopSampling) {
        const health = await sampleHealth(port);
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
