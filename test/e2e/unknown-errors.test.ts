/**
 * An ERROR no rule foresaw: a real `vigia run` counts it by template in logs/desconocidos.json and tells the admin
 * once, on the fake Bot API, when it reached notify.new_error_after occurrences.
 */
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { existsSync, readdirSync } from "node:fs";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait-for.js";
import { cleanUpTest, createWorkspace, readJournal, runVigia, startVigia } from "./vigia-harness.js";

jest.setTimeout(180_000);

const fakes: FakeTelegram[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
  await cleanUpTest();
});

const QUOTA_LINE = (modelo: string, second: number): string =>
  `2025-12-25 14:30:${String(second).padStart(2, "0")},000 - bot - ERROR - ValueError: cuota de Telegram agotada para modelo ${modelo}\n`;

interface StoredTemplate {
  plantilla: string;
  total: number;
  fuentes: string[];
  ejemplos: string[];
  primera_vez: string;
  ultima_vez: string;
}

/** A workspace whose bot log vigia tails, alerting to a fake Bot API; `notify` adds keys before `telegram`. */
async function startWorkspace(notify = ""): Promise<{ fake: FakeTelegram; ws: ReturnType<typeof createWorkspace> }> {
  const fake = await FakeTelegram.start();
  fakes.push(fake);
  const ws = createWorkspace({
    config: [
      "status: null",
      "checks: { disk: null }",
      "sources: [{ name: bot, path: logs/bot_central.log }]",
      "remediation: { allowed_roots: [modelos] }",
      `notify: { ${notify}telegram: { token: '123:abc', chat_id: '42', api_root: '${fake.apiRoot}' } }`,
      "",
    ].join("\n"),
  });
  return { fake, ws };
}

describe("unknown-error discovery", () => {
  it("five unclaimed ERRORs of one template send one 'error nuevo' message and are kept in desconocidos.json", async () => {
    const { fake, ws } = await startWorkspace();
    const vigia = await startVigia(ws);
    for (const [i, modelo] of ["ana", "bea", "ana", "cris", "ana", "dana", "eva"].entries()) ws.append("logs/bot_central.log", QUOTA_LINE(modelo, i));
    ws.append("logs/bot_central.log", "2025-12-25 14:31:00,000 - bot - INFO - Descarga iniciada para modelo ana\n");

    const message = await waitFor(() => fake.texts().find((t) => t.includes("error nuevo no previsto")), {
      what: "the 'error nuevo' message",
      timeoutMs: 60_000,
      describe: () => JSON.stringify(fake.texts()),
    });
    expect(message).toMatch(/ValueError: cuota de Telegram agotada para modelo &lt;MODELO&gt; × 5 en 10 min/);
    await vigia.stop();

    expect(fake.texts().filter((t) => t.includes("error nuevo no previsto"))).toHaveLength(1);
    const stored = JSON.parse(ws.read("logs/desconocidos.json")) as StoredTemplate[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ plantilla: "<TS> - bot - ERROR - ValueError: cuota de Telegram agotada para modelo <MODELO>", total: 7, fuentes: ["bot"] });
    expect(stored[0]!.ejemplos).toEqual([QUOTA_LINE("ana", 0), QUOTA_LINE("bea", 1), QUOTA_LINE("ana", 2)].map((l) => l.trimEnd()));

    // Reloaded at start: counts go on, no second alert for a known template.
    const again = await startVigia(ws);
    ws.append("logs/bot_central.log", QUOTA_LINE("ana", 9));
    await waitFor(() => (JSON.parse(ws.read("logs/desconocidos.json")) as StoredTemplate[])[0]?.total === 8 || undefined, {
      what: "the count going on after a restart",
      timeoutMs: 60_000,
      describe: () => ws.read("logs/desconocidos.json"),
    });
    await again.stop();
    expect(fake.texts().filter((t) => t.includes("error nuevo no previsto"))).toHaveLength(1);
  });

  it("an 'error nuevo' held back by flood control is not lost: the digest names it", async () => {
    const { fake, ws } = await startWorkspace("max_per_minute: 1, ");
    const vigia = await startVigia(ws);
    for (let i = 0; i < 5; i++) ws.append("logs/bot_central.log", QUOTA_LINE("ana", i));
    for (let i = 0; i < 5; i++) ws.append("logs/bot_central.log", `2025-12-25 14:30:1${i},000 - bot - ERROR - KeyError: 'hash' en el lote ${i}\n`);
    await vigia.waitForLog(/alert held by flood control \(rate_limited\), said in the next digest: new error template/);
    const stopped = await vigia.stop(); // a digest waiting is sent at stop
    expect(stopped.code).toBe(0);

    const texts = fake.texts();
    expect(texts.filter((t) => t.includes("error nuevo no previsto")).length).toBeGreaterThanOrEqual(1);
    const digest = texts.find((t) => t.includes("alertas agrupadas"));
    expect(digest).toBeDefined();
    expect(digest).toMatch(/error nuevo no previsto: .*KeyError: &lt;STR&gt; en el lote &lt;NUM&gt; × 5/);
  });

  it("suggest-rules over a log and its rotated predecessor counts one template once, with the samples of both", async () => {
    const ws = createWorkspace({ config: ["status: null", "checks: { disk: null }", "sources: [{ name: bot, path: logs/bot_central.log }]", ""].join("\n") });
    for (const [i, modelo] of ["ana", "bea"].entries()) ws.append("logs/bot_central.log.1", QUOTA_LINE(modelo, i));
    for (const [i, modelo] of ["cris", "dana", "eva"].entries()) ws.append("logs/bot_central.log", QUOTA_LINE(modelo, 10 + i));

    const result = await runVigia(ws.dir, ["suggest-rules", "logs/bot_central.log.1", "logs/bot_central.log", "--json"], { timeoutMs: 120_000 });
    expect(result.stderr).not.toMatch(/no stub/);
    expect(result.code).toBe(0);
    const { stubs } = JSON.parse(result.stdout) as { stubs: Array<{ id: string; total: number }> };
    expect(stubs.map((s) => [s.id, s.total])).toEqual([["valueerror_cuota_de_telegram_agotada", 5]]);
    const samples = ws.read("rules/samples/valueerror_cuota_de_telegram_agotada.log");
    expect(samples.match(/^# expect: /gm)).toHaveLength(3);
    expect(samples).toContain('"fields":{"modelo":"cris"}');
  });

  it("suggest-rules gives no stub for a regex the ReDoS check could not decide within its budget, and says why", async () => {
    const ws = createWorkspace({ config: ["status: null", "checks: { disk: null }", "sources: [{ name: bot, path: logs/bot_central.log }]", ""].join("\n") });
    // A word no earlier run has seen: no verdict on this template's regex is cached, so the check itself must decide.
    const word = [...Date.now().toString(36)].map((c) => String.fromCharCode(103 + (parseInt(c, 36) % 20))).join("");
    for (let i = 0; i < 3; i++) ws.append("logs/bot_central.log", `2025-12-25 14:30:0${i},000 - bot - ERROR - KeyError: clave ${word} ausente en el lote ${i}\n`);

    const bad = await runVigia(ws.dir, ["suggest-rules", "--redos-timeout=soon", "logs/bot_central.log"], { timeoutMs: 120_000 });
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("--redos-timeout: expected a number of seconds (0 or more), got 'soon'")]);

    // A budget of 0 s: the check gives up before deciding anything, whatever the machine's load.
    const yaml = await runVigia(ws.dir, ["suggest-rules", "--redos-timeout", "0", "logs/bot_central.log"], { timeoutMs: 120_000 });
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toBe("");
    expect(yaml.stderr).toContain(`no stub for template`);
    expect(yaml.stderr).toMatch(new RegExp(`KeyError: clave ${word} ausente en el lote <NUM>\\): the ReDoS check could not decide on the regex built from the template within 0 s \\(timeout\\); give it longer with --redos-timeout`));
    const samples = existsSync(ws.at("rules/samples")) ? readdirSync(ws.at("rules/samples")) : [];
    expect(samples.filter((f) => f.startsWith("keyerror"))).toEqual([]); // no stub, no sample file

    const json = await runVigia(ws.dir, ["suggest-rules", "--redos-timeout", "0", "--json", "logs/bot_central.log"], { timeoutMs: 120_000 });
    expect(json.code).toBe(0);
    const { stubs, skipped } = JSON.parse(json.stdout) as { stubs: unknown[]; skipped: Array<{ plantilla: string; total: number; reason: string }> };
    expect(stubs).toEqual([]);
    expect(skipped).toEqual([
      {
        plantilla: `<TS> - bot - ERROR - KeyError: clave ${word} ausente en el lote <NUM>`,
        total: 3,
        reason: expect.stringMatching(/^the ReDoS check could not decide on the regex built from the template within 0 s/),
      },
    ]);
  });

  it("suggest-rules turns the template into a stub that, saved into rules/, is hot-reloaded and claims the next line", async () => {
    const ws = createWorkspace({
      config: ["status: null", "checks: { disk: null }", "sources: [{ name: bot, path: logs/bot_central.log }]", "remediation: { allowed_roots: [modelos] }", ""].join("\n"),
    });
    for (const [i, modelo] of ["ana", "bea", "ana", "cris", "ana"].entries()) ws.append("logs/bot_central.log", QUOTA_LINE(modelo, i));

    const vigia = await startVigia(ws, ["--from-start"]);
    await waitFor(() => existsSync(ws.at("logs/desconocidos.json")) && (JSON.parse(ws.read("logs/desconocidos.json")) as StoredTemplate[])[0]?.total === 5, {
      what: "the template in desconocidos.json",
      timeoutMs: 60_000,
    });

    const fromStore = await runVigia(ws.dir, ["suggest-rules"], { timeoutMs: 120_000 });
    expect(fromStore.code).toBe(0);
    expect(fromStore.stdout).toMatch(/^rules:$/m);
    expect(fromStore.stdout).toContain("- id: valueerror_cuota_de_telegram_agotada");
    expect(fromStore.stdout).toContain("(?<modelo>");
    expect(fromStore.stdout).not.toMatch(/actions:/);
    expect(ws.read("rules/samples/valueerror_cuota_de_telegram_agotada.log")).toContain('# expect: {"rule":"valueerror_cuota_de_telegram_agotada","fields":{"modelo":"bea"}}');

    ws.write("rules/sugeridas.yaml", fromStore.stdout);
    await vigia.waitForLog(/rules reloaded: \d+ rule\(s\) from 2 file\(s\)/);
    ws.append("logs/bot_central.log", QUOTA_LINE("zoe", 30));
    const claimed = await waitFor(() => readJournal(ws).find((i) => i.error_type === "valueerror_cuota_de_telegram_agotada"), {
      what: "a journal entry of the suggested rule",
      timeoutMs: 60_000,
      describe: () => vigia.stderr(),
    });
    expect(claimed.modelo).toBe("zoe");
    await vigia.stop();

    const check = await runVigia(ws.dir, ["check", "--samples"], { timeoutMs: 120_000 });
    expect(check.stdout + check.stderr).toMatch(/every rule passes its samples/);
    expect(check.code).toBe(0);
    // Nothing left to suggest: the rule claims the log's lines now.
    const fromLog = await runVigia(ws.dir, ["suggest-rules", "logs/bot_central.log"], { timeoutMs: 120_000 });
    expect(fromLog.code).toBe(0);
    expect(fromLog.stdout).toBe("");
  });
});
