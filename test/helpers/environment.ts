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

/** The reporter finds skip reasons by this mark in a test's full name. */
function markSkipped(name: string, reason: string): string {
  return `${name} [skipped: ${reason}]`;
}

/** `describe` where `condition` holds, else a skipped block whose name says `reason`. */
export function describeIf(condition: boolean, reason: string): (name: string, fn: () => void) => void {
  return (name, fn) => (condition ? describe(name, fn) : describe.skip(markSkipped(name, reason), fn));
}

type TestFn = Parameters<typeof it>[1];

/** `it` where `condition` holds, else a skipped test whose name says `reason`. */
export function itIf(condition: boolean, reason: string): (name: string, fn: TestFn, timeoutMs?: number) => void {
  return (name, fn, timeoutMs) => (condition ? it(name, fn, timeoutMs) : it.skip(markSkipped(name, reason), fn, timeoutMs));
}

export const NEEDS_ROOT = `needs root (running as uid ${process.getuid?.()})`;
