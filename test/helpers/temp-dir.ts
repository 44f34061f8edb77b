/** Temp folders for tests, under os.tmpdir(), removed afterwards. */
import { afterEach } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temp folder and the function that removes it. */
export function makeTempDir(prefix = "vigia-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => removeDir(dir) };
}

/** Removes a folder tree; nothing if it is gone already. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Returns a function making fresh temp folders, each removed after the test that made it. Call it at the top of a
 * test file or a describe block (it registers an afterEach there).
 */
export function useTempDirs(prefix = "vigia-"): () => string {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));
  return () => {
    const { dir } = makeTempDir(prefix);
    dirs.push(dir);
    return dir;
  };
}
