/**
 * The `corrupto` rule on REAL ffmpeg/ffprobe output: broken videos are made here (truncated, garbage, empty,
 * a cut .webm), in folders whose names have spaces and non-ASCII letters, the real tools are run on them, and
 * their stderr goes through the real `vigia test-rules --json` in every form a bot logs it. The rule must name
 * the file ffmpeg named (the path `cleanup` removes), exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { BASE_CONFIG_YAML, cleanUpAll, createWorkspace, runVigia, type Workspace } from "../e2e/vigia-harness.js";

const T = "2025-12-25 14:35:00,000 - bot - ERROR - ";

/** Whether ffmpeg and ffprobe can be run here (Debian: `apt-get install ffmpeg`). */
function hasFfmpeg(): boolean {
  return ["ffmpeg", "ffprobe"].every((tool) => spawnSync(tool, ["-version"], { stdio: "ignore" }).status === 0);
}
const FFMPEG = hasFfmpeg();

/** The live tests need the real tools; `npm test` installs them (scripts/ensure-test-deps.sh) or says so. */
function requireFfmpeg(): void {
  if (!FFMPEG) throw new Error("ffmpeg/ffprobe are not installed: apt-get install ffmpeg");
}

/** Broken videos by how they are broken; paths are relative to the workspace, as the bot passes them. */
const BROKEN = {
  truncated: "modelos/ana/20251225_143020_a3f2b1.mp4",
  garbage: "modelos/ana lópez/vídeo 1 (copia).mp4",
  empty: "modelos/josé maría/20251225_150000_c4d5e6.mp4",
  cutWebm: "modelos/ana/20251225_160000_0d0d0d.webm",
} as const;

/** An ffmpeg/ffprobe line that says the container is broken (it names no file). */
const BROKEN_CONTAINER = /moov atom not found|EBML header parsing failed|File ended prematurely/;

interface TestRulesJson {
  events: number;
  matches: Array<{ line: number; rule: string; fields: Record<string, string> }>;
}

/** One tool run on one broken file: what it printed on stderr, line by line. */
interface ToolRun {
  tool: "ffprobe" | "ffmpeg";
  path: string;
  stderr: string[];
}

let ws: Workspace;
let runs: ToolRun[] = [];

beforeAll(() => {
  ws = createWorkspace({ config: BASE_CONFIG_YAML, scope: "file" });
  if (!FFMPEG) return;
  const encode = (args: string[]) => execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args], { cwd: ws.dir });
  encode(["-f", "lavfi", "-i", "testsrc=d=1", "-pix_fmt", "yuv420p", "good.mp4"]);
  encode(["-f", "lavfi", "-i", "testsrc=d=1", "-c:v", "libvpx", "good.webm"]);
  const mp4 = readFileSync(ws.at("good.mp4"));
  ws.write(BROKEN.truncated, mp4.subarray(0, Math.floor(mp4.length / 2)));
  ws.write(BROKEN.garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  ws.write(BROKEN.empty, Buffer.alloc(0));
  ws.write(BROKEN.cutWebm, readFileSync(ws.at("good.webm")).subarray(0, 40));
  runs = Object.values(BROKEN).flatMap((path) => (["ffprobe", "ffmpeg"] as const).map((tool) => runTool(tool, path)));
}, 60_000);
afterAll(cleanUpAll);

/** ffprobe's or ffmpeg's stderr on `path`, run from the workspace as the bot runs them. */
function runTool(tool: "ffprobe" | "ffmpeg", path: string): ToolRun {
  const args = tool === "ffprobe" ? ["-hide_banner", path] : ["-hide_banner", "-i", path, "-f", "null", "-"];
  const r = spawnSync(tool, args, { cwd: ws.dir, encoding: "utf8" });
  return { tool, path, stderr: r.stderr.split("\n").filter((l) => l.trim() !== "") };
}

/** Runs `vigia test-rules --json` over `lines` written as a log. */
async function testRules(name: string, lines: readonly string[]): Promise<TestRulesJson> {
  ws.write(`logs/${name}.log`, `${lines.join("\n")}\n`);
  const r = await runVigia(ws.dir, ["test-rules", `logs/${name}.log`, "--json"], { timeoutMs: 120_000 });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as TestRulesJson;
}

/** The forms in which a bot logs a tool's stderr about `path`: each one an event of its own. */
function formatRecords({ path, stderr }: ToolRun): string[] {
  const last = stderr[stderr.length - 1]!;
  const message = last.slice(last.lastIndexOf(": ") + 2);
  const bracket = stderr.find((l) => l.startsWith("[") && BROKEN_CONTAINER.test(l))!;
  return [
    // the tool's stderr as continuation lines of the bot's record
    [`${T}ffprobe rechazó el archivo`, ...stderr].join("\n"),
    // the bot's own sentences
    `${T}Video corrupto ${path}: ${message}`,
    `${T}cannot analyze this video file ${path}`,
    // the file named before ffmpeg's bracket, on one line
    `${T}${path}: ${bracket}`,
  ];
}

describe("corrupto on real ffmpeg/ffprobe output, through vigia test-rules --json", () => {
  it("the tools name each broken file, and complain about its container", () => {
    requireFfmpeg();
    for (const run of runs) {
      expect([run.tool, run.path, run.stderr.some((l) => l.startsWith(`${run.path}: `))]).toEqual([run.tool, run.path, true]);
      expect([run.tool, run.path, run.stderr.some((l) => BROKEN_CONTAINER.test(l))]).toEqual([run.tool, run.path, true]);
    }
  });

  it("raw stderr (no timestamps, a line per event): the line naming the file gives its path", async () => {
    requireFfmpeg();
    // as the tools print it, plus the file named before the bracket (`<file>: [mov,mp4… @ 0x…] moov atom not found`)
    const lines = runs.flatMap((r) => [...r.stderr, `${r.path}: ${r.stderr.find((l) => l.startsWith("[") && BROKEN_CONTAINER.test(l))!}`]);
    const report = await testRules("raw", lines);
    expect(report.events).toBe(lines.length);
    const byLine = new Map(report.matches.map((m) => [m.line, m]));
    const got = lines.map((line, i) => [line, byLine.get(i + 1)?.rule ?? null, byLine.get(i + 1)?.fields["path"] ?? null]);
    const expected = lines.map((line) => {
      const run = runs.find((r) => r.stderr.includes(line) || line.startsWith(`${r.path}: [`))!;
      if (line.startsWith(`${run.path}: `)) return [line, "corrupto", run.path];
      if (BROKEN_CONTAINER.test(line)) return [line, "corrupto", null];
      return [line, null, null];
    });
    expect(got).toEqual(expected);
  }, 150_000);

  it("the bot's records (stderr as continuation lines, its own sentences, path before the bracket)", async () => {
    requireFfmpeg();
    const records = runs.flatMap((run) => formatRecords(run).map((text) => ({ run, text })));
    const report = await testRules("records", records.map((r) => r.text));
    expect(report.events).toBe(records.length);
    let next = 1;
    const got = records.map(({ text }) => {
      const m = report.matches.find((x) => x.line === next);
      next += text.split("\n").length;
      return [text.split("\n")[0], m?.rule ?? null, m?.fields["path"] ?? null];
    });
    expect(got).toEqual(records.map(({ run, text }) => [text.split("\n")[0], "corrupto", run.path]));
    // modelo and video come from the bot's layout, spaces and accents included
    for (const m of report.matches) {
      const [, modelo, video] = /^modelos\/([^/]+)\/(.+)$/.exec(m.fields["path"]!)!;
      expect([m.fields["path"], m.fields["modelo"], m.fields["video"]]).toEqual([m.fields["path"], modelo, video!.endsWith(".mp4") ? video : undefined]);
    }
  }, 150_000);

  it("an absolute path with spaces, as a bot passes it to ffprobe", async () => {
    requireFfmpeg();
    const absolute = ws.at(BROKEN.garbage);
    const run = runTool("ffprobe", absolute);
    const report = await testRules("absolute", [[`${T}ffprobe falló`, ...run.stderr].join("\n")]);
    expect(report.matches.map((m) => [m.rule, m.fields["path"], m.fields["modelo"]])).toEqual([["corrupto", absolute, "ana lópez"]]);
  }, 150_000);
});

describe("corrupto on the recorded wordings of ffmpeg 7 and MoviePy", () => {
  const cases: Array<[string, string]> = [
    // ffmpeg ≥ 7 names the file in its own sentence; its last line names no file
    [
      [
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5616d0a4e8c0] moov atom not found",
        "[in#0 @ 0x5616d0a4e6c0] Error opening input: Invalid data found when processing input",
        "Error opening input file modelos/ana lópez/vídeo 1.mp4.",
        "Error opening input files: Invalid data found when processing input",
      ].join("\n"),
      "modelos/ana lópez/vídeo 1.mp4",
    ],
    [`OSError: MoviePy error: failed to read the duration of file modelos/ana/20251225_143020_a3f2b1.mp4.`, "modelos/ana/20251225_143020_a3f2b1.mp4"],
    [
      `OSError: MoviePy error: failed to read the first frame of video file modelos/ana lópez/vídeo 1.mp4. That might mean that the file is corrupted.`,
      "modelos/ana lópez/vídeo 1.mp4",
    ],
  ];
  it("captures the file from each (one record each, as the bot logs them)", async () => {
    const report = await testRules("recorded", cases.map(([text]) => `${T}ffmpeg falló\n${text}`));
    expect(report.matches.map((m) => [m.rule, m.fields["path"]])).toEqual(cases.map(([, path]) => ["corrupto", path]));
  }, 150_000);
});
