import { describe, it, expect, beforeEach, afterEach } from "@jest/globals";
import { mkdirSync, symlinkSync, writeFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { createPathGuard, PathRefusedError, type PathGuard, type PathRefusalReason } from "../../src/remediation/index.js";
import { makeTraversableTempDir } from "./helpers.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

describe("path guard", () => {
  let base: string;
  let cleanup: () => void;
  let guard: PathGuard;

  beforeEach(() => {
    ({ dir: base, cleanup } = makeTraversableTempDir());
    base = realpathSync(base);
    mkdirSync(join(base, "modelos/ana"), { recursive: true });
    mkdirSync(join(base, "outside"));
    writeFileSync(join(base, "modelos/ana/v.mp4"), "x");
    symlinkSync("/", join(base, "modelos/to-root"));
    symlinkSync(join(base, "outside"), join(base, "modelos/to-outside"));
    symlinkSync(join(base, "modelos/ana"), join(base, "modelos/to-ana"));
    symlinkSync(join(base, "modelos/ana/v.mp4"), join(base, "modelos/link-to-file"));
    symlinkSync(join(base, "missing-target"), join(base, "modelos/dangling"));
    guard = createPathGuard({ allowedRoots: ["modelos"], baseDir: base });
  });
  afterEach(() => cleanup());

  async function refusal(path: string, options?: { destructive?: boolean; parent?: boolean }): Promise<PathRefusalReason | "accepted"> {
    try {
      await guard.resolvePath(path, options);
      return "accepted";
    } catch (error) {
      if (error instanceof PathRefusedError) return error.reason;
      throw error;
    }
  }

  it("resolves relative paths against the base dir and reports a display form", async () => {
    const existing = await guard.resolvePath("modelos/ana/v.mp4");
    expect(existing).toMatchObject({ absolute: join(base, "modelos/ana/v.mp4"), root: join(base, "modelos"), exists: true, display: "modelos/ana/v.mp4" });
    const missing = await guard.resolvePath("modelos/pedro/nuevo/x.mp4");
    expect(missing).toMatchObject({ exists: false, existingAncestor: join(base, "modelos"), display: "modelos/pedro/nuevo/x.mp4" });
  });

  it("accepts absolute paths inside a root and follows links that stay inside", async () => {
    expect((await guard.resolvePath(join(base, "modelos/ana"))).exists).toBe(true);
    const viaLink = await guard.resolvePath("modelos/to-ana/v.mp4");
    expect(viaLink.absolute).toBe(join(base, "modelos/ana/v.mp4"));
  });

  const refusedCases: Array<[string, PathRefusalReason]> = [
    ["", "empty"],
    ["   ", "empty"],
    ["modelos/a\0b", "nul_byte"],
    ["modelos/a\nb", "control_char"],
    ["../../etc/x", "dot_dot"],
    ["modelos/../..", "dot_dot"],
    ["modelos/./../x", "dot_dot"],
    ["modelos/ana/..", "dot_dot"],
    ["modelos\\..\\..\\etc", "dot_dot"],
    ["modelos/%2e%2e/%2e%2e/etc", "encoded_traversal"],
    ["modelos/..%2f..%2fetc", "encoded_traversal"],
    ["modelos/" + "a".repeat(256), "too_long"],
    ["modelos/" + "a/".repeat(2100), "too_long"],
    ["/etc/passwd", "outside_roots"],
    ["outside/x", "outside_roots"],
    [".", "outside_roots"],
    ["modelos2/x", "outside_roots"],
    ["modelos/to-root/etc/passwd", "outside_roots"],
    ["modelos/to-outside/x", "outside_roots"],
    ["modelos/dangling/x", "symlink"],
  ];
  const labelled = refusedCases.map(([path, reason]) => [
    `${JSON.stringify(path.length > 40 ? `${path.slice(0, 30)}…` : path)} as ${reason}`,
    path,
    reason,
  ] as const);
  it.each(labelled)("refuses %s", async (_label, path, reason) => {
    expect(await refusal(path)).toBe(reason);
  });

  it("a root itself is fine for creating, never for deleting", async () => {
    expect(await refusal("modelos")).toBe("accepted");
    expect(await refusal("modelos", { destructive: true })).toBe("is_root");
    expect(await refusal("modelos/.", { destructive: true })).toBe("is_root");
    expect(await refusal(join(base, "modelos/"), { destructive: true })).toBe("is_root");
  });

  it("destructive use never goes through a final symlink, even one pointing inside", async () => {
    expect(await refusal("modelos/link-to-file", { destructive: true })).toBe("symlink");
    expect(await refusal("modelos/to-root", { destructive: true })).toBe("symlink");
    expect(await refusal("modelos/ana/v.mp4", { destructive: true })).toBe("accepted");
  });

  it("parent mode checks the whole text but resolves the folder", async () => {
    const parent = await guard.resolvePath("modelos/ana/nuevo.mp4", { parent: true });
    expect(parent.absolute).toBe(join(base, "modelos/ana"));
    expect(await refusal("modelos/ana/x\0", { parent: true })).toBe("nul_byte");
    expect(await refusal("modelos/ana/..", { parent: true })).toBe("dot_dot");
    expect(await refusal("x.mp4", { parent: true })).toBe("outside_roots");
  });

  it("a root that does not exist yet still bounds paths, and a prefix-sharing sibling is outside", async () => {
    const lateGuard = createPathGuard({ allowedRoots: ["late/modelos"], baseDir: base });
    expect((await lateGuard.resolvePath("late/modelos/a/b")).root).toBe(join(base, "late/modelos"));
    await expect(lateGuard.resolvePath("late/modelos-evil/a")).rejects.toMatchObject({ reason: "outside_roots" });
  });

  it("a root reached through a symlink is realpath'ed, and with no roots everything is refused", async () => {
    symlinkSync(join(base, "modelos"), join(base, "alias"));
    const aliased = createPathGuard({ allowedRoots: ["alias"], baseDir: base });
    expect((await aliased.resolvePath("modelos/ana")).root).toBe(join(base, "modelos"));
    const none = createPathGuard({ allowedRoots: [], baseDir: base });
    await expect(none.resolvePath("modelos/ana")).rejects.toMatchObject({ reason: "no_roots" });
  });

  it("reuses what the filesystem answered for reuseAnswersMs (a dry run), and asks again after it", async () => {
    const clock = new VirtualClock();
    const reusing = createPathGuard({ allowedRoots: ["modelos"], baseDir: base, reuseAnswersMs: 1000, clock });
    const fresh = createPathGuard({ allowedRoots: ["modelos"], baseDir: base });
    expect((await reusing.resolvePath("modelos/pedro")).exists).toBe(false);
    mkdirSync(join(base, "modelos/pedro"));
    clock.jump(999);
    expect((await reusing.resolvePath("modelos/pedro")).exists).toBe(false);
    expect((await fresh.resolvePath("modelos/pedro")).exists).toBe(true);
    clock.jump(1);
    expect((await reusing.resolvePath("modelos/pedro")).exists).toBe(true);
    // A link planted where a folder was is seen once the answers are renewed, and still refused.
    symlinkSync(join(base, "outside"), join(base, "modelos/pedro/escape"));
    clock.jump(1000);
    await expect(reusing.resolvePath("modelos/pedro/escape/x")).rejects.toMatchObject({ reason: "outside_roots" });
  });

  it("the error says why and quotes the untrusted path", async () => {
    const error = await guard.resolvePath("../../etc/x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PathRefusedError);
    expect((error as Error).message).toBe(`ruta rechazada (dot_dot): "../../etc/x": contiene un segmento '..'`);
  });
});
