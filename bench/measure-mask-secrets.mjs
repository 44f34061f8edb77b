#!/usr/bin/env node
// Micro-benchmark of the secret masking every line goes through before matching: ns per line over a generated
// bot log (almost no secrets: the hot path), and over lines that all carry a token (the slow path).
// Run: node bench/measure-mask-secrets.mjs [LINES]   (builds dist/ when src/ is newer)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, REPO_ROOT, ensureBuild } from "./ensure-build.mjs";
import { generateBotLog } from "./generate-bot-log.mjs";

const LINES = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;

ensureBuild();
const { createSecretMasker } = await import(pathToFileURL(join(DIST, "util", "mask-secrets.js")).href);
const { loadRules } = await import(pathToFileURL(join(DIST, "rules", "load-rules.js")).href);
const { createRuleMatcher } = await import(pathToFileURL(join(DIST, "rules", "match-rules.js")).href);
const dir = mkdtempSync(join(tmpdir(), "vigia-mask-bench-"));
try {
  const file = join(dir, "bot.log");
  generateBotLog({ path: file, lines: LINES, seed: 7 });
  // Flat strings, as the line splitter makes them (slices of one big string are slower to search).
  const lines = readFileSync(file, "utf8").split("\n").map((l) => Buffer.from(l).toString());
  const tokenLines = lines.slice(0, 20_000).map((l, i) => `${l} request to https://api.telegram.org/bot${7000000000 + i}:AAE-abcdefghijklmnopqrstuvwxyz_01234/getMe failed`);
  const masker = createSecretMasker(["123456:ABCDEF_secret", "https://hooks.example/abcdef123"]);
  const measure = (name, input) => {
    let best = Infinity;
    let changed = 0;
    for (let r = 0; r < ROUNDS; r++) {
      changed = 0;
      const t0 = process.hrtime.bigint();
      for (const line of input) if (masker.maskText(line) !== line) changed++;
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / input.length);
    }
    console.log(`${name}: ${input.length} lines, ${changed} masked, best of ${ROUNDS}: ${best.toFixed(0)} ns/line`);
  };
  const baseline = (input) => {
    let best = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      let n = 0;
      const t0 = process.hrtime.bigint();
      for (const line of input) n += line.length;
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / input.length);
      if (n < 0) console.log(n);
    }
    console.log(`loop alone: ${best.toFixed(0)} ns/line`);
  };
  baseline(lines);
  // The stage it sits in front of, on the same lines and the same machine: the ratio is the figure that travels.
  const match = createRuleMatcher(loadRules(join(REPO_ROOT, "rules")).rules);
  const events = lines.map((text, i) => ({ source: "bot", file: "bot.log", fileId: "1:1", text, lineCount: 1, offset: i, endOffset: i + 1, readAtMs: 0 }));
  let bestMatch = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (const event of events) match(event);
    bestMatch = Math.min(bestMatch, Number(process.hrtime.bigint() - t0) / events.length);
  }
  console.log(`rule matching (shipped rules), for comparison: best of ${ROUNDS}: ${bestMatch.toFixed(0)} ns/line`);
  measure("generated bot log", lines);
  measure("every line with a token", tokenLines);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
