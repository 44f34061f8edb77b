import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { ChecksConfig } from "../../src/config/types.js";
import { createOutageKeys, findMountPoint } from "../../src/engine/outage-keys.js";
import type { CompiledRule, LogEvent, RuleMatch } from "../../src/types.js";
import { itUnless } from "../helpers/environment.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { mountTmpfs, whyNoTmpfs } from "../helpers/tmpfs.js";

let base: string;
let unmount: (() => void) | null = null;
// Unmounted before the temp folders go (after-hooks run in the order they are declared).
afterEach(() => {
  unmount?.();
  unmount = null;
});
const newTempDir = useTempDirs("vigia-outage-");

beforeEach(() => {
  base = realpathSync(newTempDir());
  mkdirSync(join(base, "modelos"));
  mkdirSync(join(base, "logs"));
});

function makeMatch(ruleId: string, fields: Record<string, string> = {}): RuleMatch {
  const rule = { id: ruleId, actions: [], verify: { type: "disk_free" }, resolveOn: null } as unknown as CompiledRule;
  const event = { source: "bot", text: "OSError: [Errno 28] No space left on device" } as LogEvent;
  return { rule, event, fields, key: `${ruleId}:disco` };
}

function makeChecks(overrides: Partial<ChecksConfig>): ChecksConfig {
  return { intervalMs: 30_000, disk: null, botApi: null, localBotApi: { url: "http://localhost:8081", healthUrl: null }, http: [], process: [], silence: [], exec: [], flap: null, ...overrides } as ChecksConfig;
}

const disk = (paths: string[]) => ({ paths, warnGb: 5, criticalGb: 2, timeoutMs: 10_000, stopSupervised: true });

describe("one outage, one key", () => {
  it("servidor_caido takes the bot_api check's key only when that check runs", () => {
    const withCheck = createOutageKeys(makeChecks({ botApi: { url: "http://127.0.0.1:1", healthUrl: null, attempts: 3, everyMs: 10_000, timeoutMs: 5000 } }), { baseDir: base, downloadRoot: null });
    expect(withCheck.correlate(makeMatch("servidor_caido")).match.key).toBe("check:bot_api");
    const without = createOutageKeys(makeChecks({}), { baseDir: base, downloadRoot: null });
    expect(without.correlate(makeMatch("servidor_caido")).match.key).toBe("servidor_caido:disco");
  });

  it("disk checks on one filesystem share the first one's key; ENOSPC under it goes to that check", () => {
    const keys = createOutageKeys(makeChecks({ disk: disk([base, join(base, "logs")]) }), { baseDir: base, downloadRoot: join(base, "modelos") });
    expect(keys.keyOfCheck(`disk:${join(base, "logs")}`)).toBe(`check:disk:${base}`);
    const { match, askCheck } = keys.correlate(makeMatch("disco_lleno", { path: "modelos/ana/x.mp4" }));
    expect(match.key).toBe(`check:disk:${base}`);
    expect(askCheck).toBe(`disk:${base}`);
    expect(match.rule).toMatchObject({ verify: null, actions: [], closedExternally: true });
    expect(keys.isCheckOwned({ error_type: "disco_lleno", clave: match.key })).toBe(true);
  });

  itUnless(whyNoTmpfs())("a filesystem no check watches gets its mount point as key, with or without a path in the message", () => {
    unmount = mountTmpfs(join(base, "modelos"), "4m");
    expect(findMountPoint(join(base, "modelos", "ana", "x.mp4"))).toBe(join(base, "modelos"));
    const keys = createOutageKeys(makeChecks({ disk: disk([base]) }), { baseDir: base, downloadRoot: join(base, "modelos") });
    const named = keys.correlate(makeMatch("disco_lleno", { path: "modelos/ana/x.mp4" }));
    expect(named).toMatchObject({ askCheck: null, match: { key: `disco_lleno:${join(base, "modelos")}` } });
    expect(named.match.rule.verify).toEqual({ type: "disk_free" }); // the rule's own verify measures it
    expect(keys.correlate(makeMatch("disco_lleno")).match.key).toBe(`disco_lleno:${join(base, "modelos")}`);
    expect(keys.correlate(makeMatch("disco_lleno", { path: "logs/x.log" })).match.key).toBe(`check:disk:${base}`);
  });
});
