/**
 * Restart mid-stream: vigia is stopped while the bot keeps writing, and started again.
 * Its checkpoint (end of the last processed line) must make every matching line yield exactly one incident:
 * none lost across the gap, none read twice. Counted with real jq over the journal.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { waitFor } from "../helpers/wait-for.js";
import { BOT_LOG, cleanUpTest, createWorkspace, formatPythonLine, readJournal, runJq, startVigia } from "./vigia-harness.js";

afterEach(cleanUpTest);

/**
 * Line `n` of the bot's log: every 12th line is an error naming its own video in its own model folder
 * (ruta_inexistente is keyed by the folder: distinct folders, distinct incidents).
 */
function formatNumberedLine(n: number): { text: string; video: string | null } {
  const seconds = String(n % 60).padStart(2, "0");
  const time = `2025-12-25 15:${String(Math.floor(n / 60) % 60).padStart(2, "0")}:${seconds},${String(n % 1000).padStart(3, "0")}`;
  if (n % 12 === 0) {
    const video = `20251225_15${String(n).padStart(4, "0")}_r${String(n).padStart(5, "0")}.mp4`;
    return { text: formatPythonLine("ERROR", `FileNotFoundError: [Errno 2] No such file or directory: 'modelos/m${n}/${video}'`, time), video };
  }
  return { text: formatPythonLine("INFO", `linea ${n}: progreso de descarga ${n % 100} %`, time), video: null };
}

/** Appends lines [from, to) in small batches with a pause, like a live bot; returns the videos written. */
async function writeLines(append: (text: string) => void, from: number, to: number, onProgress?: (n: number) => void): Promise<string[]> {
  const videos: string[] = [];
  for (let n = from; n < to; n += 10) {
    let batch = "";
    for (let k = n; k < Math.min(n + 10, to); k++) {
      const line = formatNumberedLine(k);
      batch += line.text;
      if (line.video) videos.push(line.video);
    }
    append(batch);
    onProgress?.(n + 10);
    await new Promise((r) => setTimeout(r, 3));
  }
  return videos;
}

describe("restart mid-stream (e2e)", () => {
  it("every matching line yields exactly one incident across a SIGTERM and a restart while the bot keeps writing", async () => {
    const ws = createWorkspace();
    const first = await startVigia(ws);
    const append = (text: string) => ws.append(BOT_LOG, text);

    // 500 lines while vigia runs; SIGTERM arrives after the first 200, while the writer is still going.
    let stopping: ReturnType<typeof first.stop> | null = null;
    const videosFirst = await writeLines(append, 0, 500, (n) => {
      if (n >= 200 && !stopping) stopping = first.stop("SIGTERM");
    });
    const firstRun = await stopping!;
    expect(firstRun.code).toBe(0);
    expect(firstRun.stdout).toMatch(/ruta_inexistente/);
    const seenByFirst = readJournal(ws).length;

    // More lines while vigia is down, ending with one more error: its incident marks the end of the stream.
    const videosGap = await writeLines(append, 500, 620);
    const expected = [...videosFirst, ...videosGap];
    const lastVideo = expected[expected.length - 1]!;

    const second = await startVigia(ws);
    await waitFor(() => readJournal(ws).some((i) => i.video === lastVideo), {
      what: `the incident of the last line (${lastVideo})`,
      timeoutMs: 15_000,
      describe: () => `${readJournal(ws).length} incidents so far\n${second.stderr()}`,
    });
    expect((await second.stop()).code).toBe(0);

    // Both runs contributed: the first journaled some incidents, the second the rest.
    expect(seenByFirst).toBeGreaterThan(0);
    expect(seenByFirst).toBeLessThan(expected.length);
    const counted = Number(await runJq(["[.[] | select(.error_type == \"ruta_inexistente\")] | length", "logs/descarga_errors.json"], ws.dir));
    expect(counted).toBe(expected.length);
    const videos = (await runJq(["-r", ".[].video", "logs/descarga_errors.json"], ws.dir)).split("\n").sort();
    expect(videos).toEqual([...expected].sort());
    // A line read twice would fold into its incident (same key) instead of opening a new one: ocurrencias says so.
    expect(await runJq(["[.[] | select(.ocurrencias != 1)] | length", "logs/descarga_errors.json"], ws.dir)).toBe("0");
  });
});
