/**
 * `vigia status` and /metrics against a running `vigia run`: the status port comes from the config (a free port
 * picked by the test), so `vigia status` finds it the way an operator's does, with no --url.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { BASE_CONFIG_YAML, BOT_LOG, cleanUpTest, createWorkspace, findFreePort, formatPythonLine, runVigia, startVigia } from "./vigia-harness.js";
import { readRules } from "./rule-oracle.js";

afterEach(cleanUpTest);

/** The value of one Prometheus sample (`name{labels} value`) in a /metrics text, or undefined. */
function readSample(metrics: string, name: string, labels: string): number | undefined {
  const line = metrics.split("\n").find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("vigia status and /metrics (e2e)", () => {
  it("status exits 0 and shows the sources while vigia runs, 1 once it stopped; /metrics counts the lines read and the rule matches", async () => {
    const port = await findFreePort();
    const ws = createWorkspace({ config: BASE_CONFIG_YAML.replace("status: null", `status: { listen: '127.0.0.1:${port}' }`) });
    const shippedRules = readRules(ws.at("rules", "descargas.yaml")).length;
    const vigia = await startVigia(ws);
    expect(vigia.stderr()).toContain(`status: http://127.0.0.1:${port}/health`);

    const lines = [
      formatPythonLine("INFO", "Bot iniciado"),
      formatPythonLine("INFO", "Descargando video para modelo ana: modelos/ana/20251225_143020_a3f2b1.mp4"),
      formatPythonLine("ERROR", "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/20251225_143020_a3f2b1.mp4'"),
    ];
    ws.append(BOT_LOG, lines.join(""));
    // The last record is held for the multiline idle flush before it is matched: wait for both counters.
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const read = readSample(text, "vigia_lines_read_total", 'source="bot"');
        const matched = readSample(text, "vigia_rule_matches_total", 'rule="ruta_inexistente"');
        return read === lines.length && matched === 1 && text;
      },
      { what: `vigia_lines_read_total{source="bot"} ${lines.length} and one ruta_inexistente match on /metrics`, describe: vigia.stderr },
    );
    expect(readSample(metrics, "vigia_lines_read_total", 'source="backend"') ?? 0).toBe(0);
    expect(metrics).toMatch(new RegExp(`^vigia_rules_loaded ${shippedRules}$`, "m"));

    const [human, json] = await Promise.all([runVigia(ws.dir, ["status"]), runVigia(ws.dir, ["status", "--json"])]);
    expect(human.code).toBe(0);
    // The backend's log does not exist: degraded, and the status line says why.
    expect(human.stdout).toMatch(/status: degraded \(source backend: \S*backend\.log does not exist\)/);
    expect(human.stdout).toMatch(/\bbot\b/);
    expect(human.stdout).toMatch(/\bbackend\b/);
    expect(human.stdout).toContain("bot_central.log");
    expect(json.code).toBe(0);
    const health = JSON.parse(json.stdout) as {
      status: string;
      reasons: string[];
      sources: Array<{ name: string; exists: boolean }>;
      rules: { loaded: number };
    };
    expect(health.status).toBe("degraded");
    expect(health.reasons).toEqual([`source backend: ${ws.at("logs", "backend.log")} does not exist`]);
    expect(health.sources.map((s) => [s.name, s.exists])).toEqual([
      ["bot", true],
      ["backend", false],
    ]);
    expect(health.rules.loaded).toBe(shippedRules);

    expect((await vigia.stop()).code).toBe(0);
    const down = await runVigia(ws.dir, ["status"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/no vigia answering|unreachable|refused/);
  });
});
