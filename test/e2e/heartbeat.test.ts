/**
 * Someone watching the watcher: with `notify.heartbeat`, a real `vigia run` calls a dead man's switch (here a
 * real HTTP server on 127.0.0.1 standing in for healthchecks.io) while it is healthy, stops calling while its
 * journal cannot be written (a real, full 64 KiB tmpfs) or while a pipeline stage holds work without moving it on
 * (the journal's disk frozen: its write neither ends nor fails), and calls again once it can. The switch's URL path
 * (its secret) never reaches monitor.log.
 */
import { afterEach, describe, expect } from "@jest/globals";
import { createServer, type Server } from "node:http";
import { rmSync } from "node:fs";
import { itUnless } from "../helpers/environment.js";
import { mountFreezableFs, whyNoFreezableFs, type FreezableFs } from "../helpers/frozen-fs.js";
import { fillFilesystem, mountTmpfs, whyNoTmpfs } from "../helpers/tmpfs.js";
import { waitFor } from "../helpers/wait-for.js";
import { BACKEND_LOG, BOT_LOG, cleanUpTest, createWorkspace, findFreePort, formatPythonLine, readJournal, startVigia, type Workspace } from "./vigia-harness.js";

interface Ping {
  method: string;
  url: string;
  body: string;
}

let server: Server | null = null;
let unmount: (() => void) | null = null;
let frozenFs: FreezableFs | null = null;
afterEach(async () => {
  // Thawed first: vigia's blocked write must end before it can be stopped, and the workspace removed.
  frozenFs?.remove();
  frozenFs = null;
  unmount?.(); // before the workspace goes: a mounted folder cannot be removed
  unmount = null;
  await cleanUpTest();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
});

async function startSwitch(): Promise<{ pings: Ping[]; port: number }> {
  const pings: Ping[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (d: string) => (body += d));
    req.on("end", () => {
      pings.push({ method: req.method ?? "", url: req.url ?? "", body });
      res.end("OK");
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { pings, port: (server!.address() as { port: number }).port };
}

const SECRET_PATH = "/ping/5b1e0c9a-7d3f-4e21-9c44-heartbeat-uuid";

interface HeartbeatHealth {
  beats: number;
  skipped: number;
  paused: string | null;
  failing: boolean;
  target: string;
}

interface StageHealth {
  stage: string;
  source?: string;
  unit: string;
  in: number;
  out: number;
  waiting: number;
  stalled_s: number | null;
  stuck: boolean;
}

interface Health {
  status: string;
  reasons: string[];
  heartbeat: HeartbeatHealth;
  journal: { ok: boolean };
  pipeline: { stuck_after_s: number; stages: StageHealth[] };
}

/** A config with the journal in `diario/` (the disk the test breaks) and a heartbeat every second to the switch. */
function writeHeartbeatConfig(ws: Workspace, statusPort: number, switchPort: number, heartbeatKeys: string): void {
  ws.write(
    "vigia.config.yaml",
    [
      `status: { listen: '127.0.0.1:${statusPort}' }`,
      "journal: diario/descarga_errors.json",
      "checks: { disk: null }",
      "remediation: { allowed_roots: [modelos], backoff: [0.1, 0.2, 0.4] }",
      `notify: { heartbeat: { url: 'http://127.0.0.1:${switchPort}${SECRET_PATH}', every: 1, ${heartbeatKeys} } }`,
      "",
    ].join("\n"),
  );
}

describe("heartbeat (e2e)", () => {
  itUnless(whyNoTmpfs())("pings while healthy, stops while the journal cannot be written, pings again once it can", async () => {
    const ws = createWorkspace({ config: null });
    unmount = mountTmpfs(ws.at("diario"), "64k");
    const { pings, port: switchPort } = await startSwitch();
    const statusPort = await findFreePort();
    writeHeartbeatConfig(ws, statusPort, switchPort, "method: POST");
    ws.write(BOT_LOG, "");
    ws.write(BACKEND_LOG, "");
    const health = async () => ((await (await fetch(`http://127.0.0.1:${statusPort}/health`)).json()) as { heartbeat: HeartbeatHealth }).heartbeat;
    const vigia = await startVigia(ws);
    expect(vigia.stderr()).toContain(`heartbeat: on (every 1 s to 127.0.0.1:${switchPort})`);

    await waitFor(() => pings.length >= 2 || undefined, { what: "two heartbeats", timeoutMs: 60_000, describe: vigia.stderr });
    expect(pings[0]).toMatchObject({ method: "POST", url: SECRET_PATH });
    const body = JSON.parse(pings[0]!.body) as { status: string; sources: Record<string, { lag_bytes: number }> };
    expect(body.status).toBe("ok");
    expect(Object.keys(body.sources)).toContain("bot");

    // The disk under the journal fills up; the next incident cannot be written.
    fillFilesystem(ws.at("diario", "relleno"));
    ws.append(BOT_LOG, formatPythonLine("ERROR", "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/v1.mp4'"));
    const paused = await waitFor(
      async () => {
        const h = await health();
        return h.paused !== null && h.skipped >= 2 ? h : undefined;
      },
      { what: "the heartbeat paused for two beats", timeoutMs: 60_000, describe: vigia.stderr },
    );
    expect(paused.paused).toMatch(/^journal .*descarga_errors\.json cannot be written \(.*ENOSPC/);
    // No call went out while paused: every call received was counted as a beat before the pause.
    expect(pings).toHaveLength(paused.beats);

    // Space is back: the journal is written again, and so is the heartbeat.
    rmSync(ws.at("diario", "relleno"));
    await waitFor(() => readJournal(ws, "diario/descarga_errors.json").find((i) => i.modelo === "ana"), {
      what: "the incident written once space is back",
      timeoutMs: 60_000,
      describe: vigia.stderr,
    });
    const before = pings.length;
    await waitFor(() => pings.length > before || undefined, { what: "a heartbeat after recovery", timeoutMs: 60_000, describe: vigia.stderr });
    expect((await health()).paused).toBeNull();

    const stopped = await vigia.stop();
    expect(stopped.code).toBe(0);
    const monitorLog = ws.read("logs/monitor.log");
    expect(monitorLog).toMatch(new RegExp(`heartbeat to http://127\\.0\\.0\\.1:${switchPort} paused: journal`));
    expect(monitorLog).toContain(`heartbeat to http://127.0.0.1:${switchPort} resumed`);
    expect(monitorLog + stopped.stderr).not.toContain("heartbeat-uuid");
  });

  itUnless(whyNoFreezableFs())("stops while a stage holds work it does not move on (the journal's disk frozen), says which stage, and pings again once it moves", async () => {
    const ws = createWorkspace({ config: null });
    frozenFs = mountFreezableFs(ws.at("diario"), ws.at("diario.ext4"));
    const { pings, port: switchPort } = await startSwitch();
    const statusPort = await findFreePort();
    writeHeartbeatConfig(ws, statusPort, switchPort, "stuck_after: 1");
    ws.write(BOT_LOG, "");
    ws.write(BACKEND_LOG, "");
    const health = async () => (await (await fetch(`http://127.0.0.1:${statusPort}/health`)).json()) as Health;
    const journalStage = (h: Health) => h.pipeline.stages.find((s) => s.stage === "journal")!;
    const vigia = await startVigia(ws);
    await waitFor(() => pings.length >= 2 || undefined, { what: "two heartbeats", timeoutMs: 60_000, describe: vigia.stderr });
    const healthy = await health();
    expect(healthy.pipeline.stages.map((s) => s.stage + (s.source ? ` ${s.source}` : ""))).toEqual(["read bot", "read backend", "group", "match", "fold", "journal"]);
    expect(healthy.pipeline.stuck_after_s).toBe(1);

    // The journal's disk stops answering: its next write waits, and fails nothing (the journal counts as writable).
    frozenFs.freeze();
    ws.append(BOT_LOG, formatPythonLine("ERROR", "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/v1.mp4'"));
    const stuck = await waitFor(
      async () => {
        const h = await health();
        return h.heartbeat.paused !== null && journalStage(h).stuck ? h : undefined;
      },
      { what: "the heartbeat paused on the journal stage", timeoutMs: 60_000, describe: vigia.stderr },
    );
    expect(stuck.journal.ok).toBe(true);
    expect(stuck.heartbeat.paused).toMatch(/^pipeline stuck at journal \(\d+ changes waiting, no progress for \d+ s\)$/);
    expect(stuck.status).toBe("degraded");
    expect(stuck.reasons).toContainEqual(expect.stringMatching(/^pipeline stuck at journal \(/));
    // The stages before it moved the line on: it was read, grouped, matched and folded into an incident.
    expect(journalStage(stuck).waiting).toBeGreaterThan(0);
    for (const stage of stuck.pipeline.stages.filter((s) => s.stage !== "journal")) expect(stage).toMatchObject({ waiting: 0, stuck: false });
    // No call goes out while it stays stuck: two more beats are skipped, and every call received was a beat before.
    const skipped = await waitFor(
      async () => {
        const h = await health();
        return h.heartbeat.skipped >= stuck.heartbeat.skipped + 2 ? h : undefined;
      },
      { what: "two more beats skipped", timeoutMs: 60_000, describe: vigia.stderr },
    );
    expect(skipped.heartbeat.paused).not.toBeNull();
    expect(skipped.heartbeat.beats).toBe(stuck.heartbeat.beats);
    expect(pings).toHaveLength(skipped.heartbeat.beats);

    // The disk answers again: the waiting write ends, the stage moves, and so does the heartbeat.
    frozenFs.thaw();
    const before = pings.length;
    await waitFor(() => pings.length > before || undefined, { what: "a heartbeat once the journal moves", timeoutMs: 60_000, describe: vigia.stderr });
    const moving = await health();
    expect(moving.heartbeat.paused).toBeNull();
    expect(journalStage(moving)).toMatchObject({ waiting: 0, stuck: false });
    expect(readJournal(ws, "diario/descarga_errors.json").find((i) => i.modelo === "ana")).toBeDefined();

    const stopped = await vigia.stop();
    expect(stopped.code).toBe(0);
    const monitorLog = ws.read("logs/monitor.log");
    expect(monitorLog).toContain(`heartbeat to http://127.0.0.1:${switchPort} paused: pipeline stuck at journal (`);
    expect(monitorLog).toContain(`heartbeat to http://127.0.0.1:${switchPort} resumed`);
  });
});
