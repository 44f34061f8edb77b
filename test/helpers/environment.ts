/**
 * What this machine offers the tests (root, programs), and blocks that are skipped where it lacks something. A
 * skipped block's name carries the reason, which the skip-reasons reporter lists after the run.
 */
import { describe, it } from "@jest/globals";
import { execFileSync } from "node:child_process";

export const IS_ROOT = process.getuid?.() === 0;

/** Whether `name` is a program on PATH. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first line of what a program (mount, mkfs) said when it refused, for a skip reason; the probe's scratch folder
 * is named as such, so that every test skipped for one refusal shares one reason.
 */
export function describeRefusal(error: unknown, scratchDir: string): string {
  const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
  const firstLine = (stderr || (error as Error).message).split("\n")[0]!.trim();
  return firstLine.replaceAll(scratchDir, "<scratch folder>");
}

/** The reporter finds skip reasons by this mark in a test's full name. */
function markSkipped(name: string, reason: string): string {
  return `${name} [skipped: ${reason}]`;
}

/** `describe` where `condition` holds, else a skipped block whose name says `reason`. */
export function describeIf(condition: boolean, reason: string): (name: string, fn: () => void) => void {
  return (name, fn) => (condition ? describe(name, fn) : describe.skip(markSkipped(name, reason), fn));
}

/** `describe` where `whyNot` (what a probe found missing on this machine) is null, else a skipped block that says it. */
export function describeUnless(whyNot: string | null): (name: string, fn: () => void) => void {
  return describeIf(whyNot === null, whyNot ?? "");
}

type TestFn = Parameters<typeof it>[1];

/** `it` where `condition` holds, else a skipped test whose name says `reason`. */
export function itIf(condition: boolean, reason: string): (name: string, fn: TestFn, timeoutMs?: number) => void {
  return (name, fn, timeoutMs) => (condition ? it(name, fn, timeoutMs) : it.skip(markSkipped(name, reason), fn, timeoutMs));
}

/** `it` where `whyNot` (what a probe found missing on this machine) is null, else a skipped test that says it. */
export function itUnless(whyNot: string | null): (name: string, fn: TestFn, timeoutMs?: number) => void {
  return itIf(whyNot === null, whyNot ?? "");
}

export const NEEDS_ROOT = `needs root (running as uid ${process.getuid?.()})`;
