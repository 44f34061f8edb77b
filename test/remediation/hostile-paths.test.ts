import { describe, it, expect, beforeAll, afterAll } from "@jest/globals";
import { mkdirSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ActionSpec, VerifySpec } from "../../src/types.js";
import { createExecutor, createPathGuard, PathRefusedError, type Executor } from "../../src/remediation/index.js";
import { makeRule } from "../helpers/make-rule.js";
import { makePendingIncident, makeTraversableTempDir, snapshotTree } from "./helpers.js";

/**
 * Log lines are written by whoever controls the bot's input. Here 100+ hostile values reach every path-taking
 * action and verification through a `{p}` template: each must be refused (incident fallido with the reason, at the
 * first attempt) and nothing outside the allowed root may change — checked on a snapshot of the temp tree and on
 * the system files the paths aim at.
 */
describe("hostile paths", () => {
  let base: string;
  let cleanup: () => void;
  let root: string;
  let executor: Executor;

  beforeAll(() => {
    ({ dir: base, cleanup } = makeTraversableTempDir());
    base = realpathSync(base);
    root = join(base, "modelos");
    mkdirSync(join(root, "ana"), { recursive: true });
    mkdirSync(join(base, "outside"));
    writeFileSync(join(base, "outside/secret.txt"), "secreto");
    writeFileSync(join(base, "victim.mp4"), "víctima");
    symlinkSync("/", join(root, "to-root"));
    symlinkSync("/etc", join(root, "to-etc"));
    symlinkSync(join(base, "outside"), join(root, "to-outside"));
    symlinkSync(join(base, "outside/secret.txt"), join(root, "to-secret.mp4"));
    symlinkSync(join(base, "nowhere"), join(root, "dangling"));
    hostile = buildHostilePaths();
    executor = createExecutor({ allowedRoots: ["modelos"], baseDir: base, owner: "65534:65534", backoffMs: [5], concurrency: 4 });
  });
  afterAll(async () => {
    await executor.stop();
    cleanup();
  });

  function buildHostilePaths(): string[] {
    const paths = new Set<string>([
      "", " ", "/", "/etc", "/etc/passwd", "/etc/shadow", "/root/.ssh/authorized_keys", "/dev/null", "/tmp", "/proc/self/root/etc/passwd",
      "modelos/..", "modelos/../..", "modelos/./../x", "modelos/ana/..", "modelos/ana/../../outside/secret.txt",
      "modelos/to-root", "modelos/to-root/etc/passwd", "modelos/to-etc", "modelos/to-etc/hostname", "modelos/to-outside",
      "modelos/to-outside/secret.txt", "modelos/to-outside/new/dir", "modelos/dangling", "modelos/dangling/x",
      "outside", "outside/secret.txt", "victim.mp4", "./victim.mp4", ".", "./", "modelos2/x", "modelosX", "~/.ssh/id_rsa",
      "file:///etc/passwd", `${base}/outside/secret.txt`, `${base}/victim.mp4`, `${base}/modelos/../outside`, base,
      "modelos/x\0", "modelos/\0../../etc", "\0", "modelos\0/ana", "modelos/ana/v.mp4\0.txt",
      "modelos/a\nb", "modelos/ana/\r\n", "modelos/\u001b[31mrojo", "modelos/tab\there",
      "..\\..\\etc\\passwd", "modelos\\..\\..\\etc", "modelos/..\\..\\outside",
      "%2e%2e/%2e%2e/etc/passwd", "modelos/%2e%2e%2f%2e%2e%2fetc", "modelos/..%2foutside", "modelos/%2E%2E/outside",
      "modelos/%00", "modelos/ana%5c..%5c..%5coutside",
      "modelos/" + "a".repeat(256), "modelos/" + "x/".repeat(2100), "/" + "a/".repeat(3000),
    ]);
    for (let depth = 1; paths.size < 130 && depth <= 12; depth += 1) {
      const up = "../".repeat(depth);
      paths.add(`${up}etc/passwd`);
      paths.add(`modelos/${up}etc/x`);
      paths.add(`modelos/ana/${up}outside/secret.txt`);
      paths.add(`./${up}tmp/vigia-pwned`);
      paths.add(`modelos/${"%2e%2e/".repeat(depth)}outside`);
      paths.add(`modelos/ana/${"..%2f".repeat(depth)}victim.mp4`);
    }
    return [...paths];
  }
  // Built in beforeAll: some values embed the temp folder's absolute path.
  let hostile: string[] = [];

  const actionSpecs: ActionSpec[] = [
    { type: "mkdir", path: "{p}" },
    { type: "mkdir", path: "{p}", mode: "0777" },
    { type: "chown", path: "{p}" },
    { type: "chown", path: "{p}", recursive: true },
    { type: "cleanup", path: "{p}" },
    { type: "prune", dir: "{p}", glob: "*", older_than_days: 0, target_free_gb: 1e9 },
    { type: "exec", command: ["touch", "pwned-by-cwd"], cwd: "{p}" },
  ];
  const verifySpecs: VerifySpec[] = [
    { type: "path_exists", path: "{p}" },
    { type: "path_writable", path: "{p}" },
    { type: "file_absent", path: "{p}" },
    { type: "file_min_size", path: "{p}", bytes: 1 },
    // disk_free is not here: it only measures free space (statfs), so any folder may be asked; it touches nothing.
  ];

  let guardAcceptedSomething = true;

  it("has at least 100 distinct hostile values, and the guard refuses each in both modes", async () => {
    expect(hostile.length).toBeGreaterThanOrEqual(100);
    const guard = createPathGuard({ allowedRoots: ["modelos"], baseDir: base });
    const accepted: string[] = [];
    for (const path of hostile) {
      for (const destructive of [false, true]) {
        const error = await guard.resolvePath(path, { destructive }).then(() => null, (e: unknown) => e);
        if (!(error instanceof PathRefusedError)) accepted.push(`${JSON.stringify(path)} destructive=${destructive}`);
      }
    }
    expect(accepted).toEqual([]);
    guardAcceptedSomething = accepted.length > 0;
  });

  it("every action and verification is refused at the first attempt, with zero effects outside the root", async () => {
    // Only run real actions once the guard alone was shown to refuse everything (this test runs as root).
    if (guardAcceptedSomething) throw new Error("the guard accepted a hostile path; not running real actions with it");
    const outsideBefore = snapshotTree(base, [root]);
    const rootBefore = snapshotTree(root);
    const etcBefore = readdirSync("/etc").sort();
    const passwdBefore = statSync("/etc/passwd");

    const rules = [
      ...actionSpecs.map((spec) => makeRule({ actions: [spec] })),
      ...verifySpecs.map((spec) => makeRule({ actions: [], verify: spec })),
    ];
    const jobs = hostile.flatMap((p) =>
      rules.map(async (rule) => {
        const steps: Array<{ estado: string; detalle: string | null; intento: number }> = [];
        const outcome = await executor.submit({
          incident: makePendingIncident(),
          rule,
          fields: { p },
          signal: new AbortController().signal,
          report: (step) => steps.push(step),
        });
        return { p, type: rule.actions[0]?.type ?? rule.verify?.type, outcome, steps };
      }),
    );
    const results = await Promise.all(jobs);
    expect(results.length).toBe(hostile.length * rules.length);
    const notRefused = results.filter(
      (r) => r.outcome.estado !== "fallido" || r.outcome.intento !== 0 || !/ruta rechazada/.test(r.outcome.detalle ?? ""),
    );
    expect(notRefused.map((r) => ({ p: r.p, type: r.type, outcome: r.outcome }))).toEqual([]);
    // The fix only: a refusal is never retried.
    expect(results.every((r) => r.steps.every((s) => s.intento === 0) && r.steps.at(-1)?.estado === "fallido")).toBe(true);

    expect(snapshotTree(base, [root])).toEqual(outsideBefore);
    expect(snapshotTree(root)).toEqual(rootBefore);
    expect(readdirSync("/etc").sort()).toEqual(etcBefore);
    const passwdAfter = statSync("/etc/passwd");
    expect([passwdAfter.uid, passwdAfter.gid, passwdAfter.mode, passwdAfter.mtimeMs]).toEqual([passwdBefore.uid, passwdBefore.gid, passwdBefore.mode, passwdBefore.mtimeMs]);
  });

  it("the root itself may be created or chowned but never cleaned; links inside are never deleted through", async () => {
    for (const p of ["modelos", "modelos/.", `${base}/modelos`, "modelos/to-secret.mp4", "modelos/to-root"]) {
      const outcome = await executor.submit({
        incident: makePendingIncident(),
        rule: makeRule({ actions: [{ type: "cleanup", path: "{p}" }] }),
        fields: { p },
        signal: new AbortController().signal,
        report: () => undefined,
      });
      expect({ p, estado: outcome.estado, refused: /ruta rechazada \((is_root|symlink)\)/.test(outcome.detalle ?? "") }).toEqual({ p, estado: "fallido", refused: true });
    }
    expect(statSync(join(base, "outside/secret.txt")).size).toBe("secreto".length);
  });
});
