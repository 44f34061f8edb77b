/** Shared helpers of the rule tests: temp folders, rule files written on the fly, events. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { LogEvent } from "../../src/types.js";

/** A fresh temp folder and a function that removes it. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "vigia-rules-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `content` at `dir/name` (folders created) and returns the path. */
export function writeIn(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** An event as the multiline grouper emits it. */
export function makeEvent(text: string, source = "bot"): LogEvent {
  return { source, file: "test.log", fileId: "1:1", text, lineCount: text.split("\n").length, offset: 0, endOffset: text.length, readAtMs: 0 };
}
