/**
 * The remediation queue on /metrics, scraped over HTTP from a real `vigia run` as Prometheus would: with one slot
 * (`remediation.concurrency: 1`) and an operator's hook that waits for a file before it ends, three incidents give one
 * job running and two waiting for the slot — the figures /health shows in the same moment — and both gauges go back
 * to 0 once the hook is let through.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readHealth, readJournal, startVigia } from "../e2e/vigia-harness.js";
import { parsePrometheusText } from "./metrics-prometheus-text.js";

afterEach(cleanUpTest);

const CONFIG = [
  "status: { listen: '127.0.0.1:0' }",
  "checks: { disk: null }",
  "rules: reglas",
  "remediation:",
  "  allowed_roots: [modelos]",
  "  concurrency: 1",
  "  max_retries: 0",
  "",
].join("\n");
/** A hook that ends only once `abierto` exists in vigia's base folder. */
const RULE = [
  "rules:",
  "  - id: reencolar",
  "    match: 'reencolar: (?<video>\\S+)'",
  "    actions:",
  "      - { type: exec, command: [sh, -c, 'until [ -e abierto ]; do sleep 0.05; done'] }",
  "",
].join("\n");

interface Load {
  running: number | undefined;
  queued: number | undefined;
}

describe("/metrics: the remediation queue", () => {
  it("shows the jobs running and waiting for a slot, as /health does, and 0 once they end", async () => {
    const ws = createWorkspace({ config: CONFIG, copyRules: false });
    ws.write("reglas/reencolar.yaml", RULE);
    const vigia = await startVigia(ws);
    const port = Number((await vigia.waitForLog(/status: http:\/\/127\.0\.0\.1:(\d+)\/health/))[1]);
    const scrapeLoad = async (): Promise<Load> => {
      const p = parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      return { running: p.valueOf("vigia_remediation_running"), queued: p.valueOf("vigia_remediation_queued") };
    };

    expect(await scrapeLoad()).toEqual({ running: 0, queued: 0 });
    for (const video of ["a.mp4", "b.mp4", "c.mp4"]) ws.append(BOT_LOG, formatPythonLine("ERROR", `reencolar: ${video}`));

    // The hook cannot end before `abierto` exists: one job holds the slot, two wait, and nothing moves meanwhile.
    const busy = await waitFor(
      async () => {
        const load = await scrapeLoad();
        return load.running === 1 && load.queued === 2 && load;
      },
      { what: "1 remediation running and 2 queued on /metrics", timeoutMs: 60_000, describe: vigia.stderr },
    );
    expect(busy).toEqual({ running: 1, queued: 2 });
    expect((await readHealth(port))?.remediation).toEqual({ running: 1, queued: 2 });

    ws.write("abierto", "");
    await waitFor(() => readJournal(ws).filter((i) => i.estado === "solucionado").length === 3, {
      what: "the three incidents solucionado",
      timeoutMs: 60_000,
      describe: () => `${JSON.stringify(readJournal(ws).map((i) => i.estado))}\n${vigia.stderr()}`,
    });
    const idle = await waitFor(
      async () => {
        const load = await scrapeLoad();
        return load.running === 0 && load.queued === 0 && load;
      },
      { what: "no remediation running or queued on /metrics", timeoutMs: 60_000, describe: vigia.stderr },
    );
    expect(idle).toEqual({ running: 0, queued: 0 });
    expect((await vigia.stop()).code).toBe(0);
  }, 120_000);
});
