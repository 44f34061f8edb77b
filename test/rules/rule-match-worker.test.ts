/**
 * Matching in a worker thread: the same answers as the plain loop, in order; and the backstop: a rule
 * that keeps one event busy past the budget is disabled, the event goes on through the other rules, and
 * the events after it are matched.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { lastValueFrom, from, toArray } from "rxjs";
import { matchRulesInWorker } from "../../src/rules/match-rules-in-worker.js";
import { matchFirstRule } from "../../src/rules/match-rules.js";
import { RuleMatchWorker, type DisabledRule } from "../../src/rules/rule-match-worker.js";
import { makeRule } from "../helpers/make-rule.js";
import { makeEvent } from "../helpers/make-rule.js";
import { ANY_LINE } from "../../src/incidents/resolver-needle.js";

let worker: RuleMatchWorker | null = null;
afterEach(async () => {
  await worker?.close();
  worker = null;
});

describe("RuleMatchWorker", () => {
  it("answers batches in order with the matches the plain loop finds, fields and keys included", async () => {
    const rules = [
      makeRule({ id: "ruta_inexistente", match: /No such file or directory: '(?<path>[^']+)'/ }),
      makeRule({ id: "timeout", match: /Timed out/i, sources: new Set(["bot"]) }),
    ];
    worker = new RuleMatchWorker({ budgetMs: 60_000 });
    worker.setRules(rules);
    const batches = [
      [makeEvent("ERROR FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/v.mp4'"), makeEvent("INFO ok")],
      [makeEvent("telegram.error.TimedOut: Timed out", { source: "backend" }), makeEvent("httpx.ReadTimeout: Timed out")],
    ];
    const out = await lastValueFrom(from(batches).pipe(matchRulesInWorker(worker), toArray()));
    expect(out.map((b) => b.events)).toEqual(batches);
    const got = out.flatMap((b) => b.matches.map((m) => ({ rule: m.rule, event: m.event, fields: m.fields, key: m.key })));
    const expected = batches.flat().flatMap((e) => {
      const m = matchFirstRule(rules, e);
      return m ? [{ rule: m.rule, event: m.event, fields: m.fields, key: m.key }] : [];
    });
    expect(got).toEqual(expected);
    // The main thread's own objects come back, not clones.
    expect(got[0]!.rule).toBe(rules[0]);
    expect(got[0]!.event).toBe(batches[0]![0]);
  });

  it("with `forward`, hands back only the events downstream needs: matched, wanted, resolve_on candidates, the batch's last", async () => {
    const rules = [
      makeRule({ id: "timeout", match: /Timed out getting (?<video>\S+)/, resolveOn: "Descarga exitosa: {video}" }),
    ];
    worker = new RuleMatchWorker({ budgetMs: 60_000, forward: [/\bERROR\b/g] });
    worker.setRules(rules);
    const batch = [
      makeEvent("INFO polling"),
      makeEvent("ERROR Timed out getting v1.mp4"),
      makeEvent("INFO Descarga exitosa: v1.mp4"),
      makeEvent("ERROR KeyError: 'x'"),
      makeEvent("INFO polling again"),
      makeEvent("DEBUG the last one"),
    ];
    // Twice: a `g` pattern passed in must not remember where it stopped.
    for (let round = 0; round < 2; round++) {
      const out = await worker.match(batch);
      expect(out.eventCount).toBe(6);
      expect(out.events.map((e) => e.text)).toEqual(["ERROR Timed out getting v1.mp4", "INFO Descarga exitosa: v1.mp4", "ERROR KeyError: 'x'", "DEBUG the last one"]);
      expect(out.events[0]).toBe(batch[1]);
      expect(out.matches.map((m) => [m.rule.id, m.event, m.fields])).toEqual([["timeout", batch[1], { video: "v1.mp4" }]]);
    }
  });

  it("hands back a resolve_on candidate only when it names an incident that is open or matched before it in the batches sent", async () => {
    const rules = [makeRule({ id: "timeout", match: /Timed out getting (?<video>\S+)/, resolveOn: "Descarga exitosa: \\S*{video}" })];
    worker = new RuleMatchWorker({ budgetMs: 60_000, forward: [/\bERROR\b/] });
    worker.setRules(rules);
    const texts = async (batch: string[]) => (await worker!.match(batch.map((t) => makeEvent(t)))).events.map((e) => e.text);
    // A success for a video no incident waits for stays in the worker; one matched earlier in the batch goes.
    expect(await texts(["INFO Descarga exitosa: modelos/ana/v9.mp4 (3 MB)", "ERROR Timed out getting v1.mp4", "INFO Descarga exitosa: modelos/ana/v1.mp4 (3 MB)", "INFO last"])).toEqual([
      "ERROR Timed out getting v1.mp4",
      "INFO Descarga exitosa: modelos/ana/v1.mp4 (3 MB)",
      "INFO last",
    ]);
    // An incident the main thread holds open (resumed from the journal): its success goes, a longer name does not.
    worker.watchResolver("timeout", "v7.mp4", true);
    expect(await texts(["INFO Descarga exitosa: modelos/ana/xv7.mp4", "INFO Descarga exitosa: modelos/ana/v7.mp4.", "INFO last"])).toEqual([
      "INFO Descarga exitosa: modelos/ana/v7.mp4.",
      "INFO last",
    ]);
    // Closed: its lines stay in the worker again.
    worker.watchResolver("timeout", "v7.mp4", false);
    expect(await texts(["INFO Descarga exitosa: modelos/ana/v7.mp4", "INFO last"])).toEqual(["INFO last"]);
    // A key that is not a whole token (or an `i` rule): every line past the gate may close it.
    worker.watchResolver("timeout", ANY_LINE, true);
    expect(await texts(["INFO Descarga exitosa: modelos/ana/v3.mp4", "INFO polling", "INFO last"])).toEqual(["INFO Descarga exitosa: modelos/ana/v3.mp4", "INFO last"]);
  });

  it("an incident opened after batches were sent (reopened, retried) still gets their lines that may close it", async () => {
    const rules = [makeRule({ id: "timeout", match: /Timed out getting (?<video>\S+)/, resolveOn: "Descarga exitosa: \\S*{video}" })];
    worker = new RuleMatchWorker({ budgetMs: 60_000, forward: [/\bERROR\b/] });
    worker.setRules(rules);
    const sent = worker.match(["INFO Descarga exitosa: modelos/ana/v5.mp4", "INFO polling", "INFO last"].map((t) => makeEvent(t)));
    // Announced while the batch is in the worker, matched without it.
    worker.watchResolver("timeout", "v5.mp4", true);
    expect((await sent).events.map((e) => e.text)).toEqual(["INFO Descarga exitosa: modelos/ana/v5.mp4", "INFO last"]);
    const next = await worker.match(["INFO Descarga exitosa: modelos/ana/v5.mp4", "INFO last"].map((t) => makeEvent(t)));
    expect(next.events.map((e) => e.text)).toEqual(["INFO Descarga exitosa: modelos/ana/v5.mp4", "INFO last"]);
  });

  it("matches events of every source and any text, packed into one message (non-Latin-1, empty, NUL)", async () => {
    const rules = [makeRule({ id: "permisos", match: /Permission denied: '(?<path>[^']+)'/, sources: new Set(["backend"]) }), makeRule({ id: "vacío", match: /^$/ })];
    worker = new RuleMatchWorker({ budgetMs: 60_000 });
    worker.setRules(rules);
    const events = [
      makeEvent("PermissionError: Permission denied: 'modelos/ñandú 🎬/v.mp4'", { source: "backend" }),
      makeEvent("PermissionError: Permission denied: 'modelos/x.mp4'", { source: "bot" }),
      makeEvent(""),
      makeEvent("a\u0000b Permission denied: 'n\u0000l'", { source: "backend" }),
    ];
    const out = await worker.match(events);
    expect(out.events).toEqual(events);
    expect(out.matches.map((m) => [m.rule.id, m.event, m.fields])).toEqual([
      ["permisos", events[0], { path: "modelos/ñandú 🎬/v.mp4" }],
      ["vacío", events[2], {}],
      ["permisos", events[3], { path: "n\u0000l" }],
    ]);
  });

  it("with maskSecrets, masks each event before the rules see it: captures, keys and the events handed back hold no secret", async () => {
    const sendFailed = makeRule({ id: "envio_fallido", match: /request to (?<url>\S+) failed/ });
    worker = new RuleMatchWorker({ budgetMs: 60_000, forward: [/\bERROR\b/], maskSecrets: ["ABCDEF_secret_123"] });
    worker.setRules([sendFailed]);
    const events = [
      makeEvent("WARNING request to https://api.telegram.org/bot123456:ABCDEF_secret_123/getMe failed"),
      makeEvent("INFO clave ABCDEF_secret_123 en una línea que nadie quiere"),
      makeEvent("ERROR otro bot 7012345678:AAE-abcdefghijklmnopqrstuvwxyz_01234 rechazado"),
      makeEvent("ERROR sin secretos"),
      makeEvent("INFO la última, password=hunter22"),
    ];
    const texts = events.map((e) => e.text);
    const out = await worker.match(events);
    expect(out.matches.map((m) => [m.event.text, m.fields, m.key])).toEqual([
      ["WARNING request to https://api.telegram.org/bot123456:***/getMe failed", { url: "https://api.telegram.org/bot123456:***/getMe" }, "envio_fallido:url=https://api.telegram.org/bot123456:***/getMe"],
    ]);
    expect(out.events.map((e) => e.text)).toEqual([
      "WARNING request to https://api.telegram.org/bot123456:***/getMe failed",
      "ERROR otro bot *** rechazado",
      "ERROR sin secretos",
      "INFO la última, password=***",
    ]);
    expect(out.eventCount).toBe(5);
    // A clean event comes back as the main thread's own object; the events given are never modified.
    expect(out.events[2]).toBe(events[3]);
    expect(events.map((e) => e.text)).toEqual(texts);
  });

  it("with maskSecrets, masks on the main thread the events it hands on without the worker (after close)", async () => {
    worker = new RuleMatchWorker({ budgetMs: 60_000, maskSecrets: ["ABCDEF_secret_123"] });
    worker.setRules([makeRule({ id: "x", match: /x/ })]);
    await worker.close();
    const out = await worker.match([makeEvent("ERROR token ABCDEF_secret_123 x"), makeEvent("INFO ok")]);
    expect(out.events.map((e) => e.text)).toEqual(["ERROR token *** x", "INFO ok"]);
    expect(out.matches).toEqual([]);
  });

  it("disables a rule that keeps one event busy past the budget; the event goes on through the other rules and later events are matched", async () => {
    // Nested bounded repetition: minutes of backtracking on the 11-byte line (the load-time check refuses
    // it; here it is handed to the worker directly, as a rule the check could not judge would be).
    const runaway = makeRule({ id: "desbocada", match: /^(?:(?:a?){9}){9}$/ });
    const fallback = makeRule({ id: "termina_en_b", match: /b$/ });
    const disabled: DisabledRule[] = [];
    worker = new RuleMatchWorker({ budgetMs: 200, onRuleDisabled: (d) => disabled.push(d) });
    worker.setRules([runaway, fallback]);
    const stuck = makeEvent("aaaaaaaaaab");
    const first = worker.match([makeEvent("antes b"), stuck, makeEvent("después b")]);
    const second = worker.match([makeEvent("aaaaaaaaaab otra vez"), makeEvent("la última b")]);
    const [a, b] = await Promise.all([first, second]);
    expect(disabled.map((d) => [d.rule.id, d.event])).toEqual([["desbocada", stuck]]);
    expect(a.matches.map((m) => [m.rule.id, m.event.text])).toEqual([
      ["termina_en_b", "antes b"],
      ["termina_en_b", "aaaaaaaaaab"],
      ["termina_en_b", "después b"],
    ]);
    expect(b.matches.map((m) => m.event.text)).toEqual(["la última b"]);
    expect(worker.listDisabled().map((d) => d.rule.id)).toEqual(["desbocada"]);

    // Reloaded unchanged, it stays off; edited, it gets a new chance.
    worker.setRules([makeRule({ id: "desbocada", match: /^(?:(?:a?){9}){9}$/ }), fallback]);
    expect(worker.listDisabled()).toHaveLength(1);
    worker.setRules([makeRule({ id: "desbocada", match: /^a{1,81}$/ }), fallback]);
    expect(worker.listDisabled()).toHaveLength(0);
    expect((await worker.match([makeEvent("aaaa")])).matches.map((m) => m.rule.id)).toEqual(["desbocada"]);
  }, 60_000);
});
