import { describe, it, expect, beforeEach, afterEach } from "@jest/globals";
import {
  chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, statSync, symlinkSync,
  utimesSync, writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import type { ActionSpec } from "../../src/types.js";
import {
  runAction, classifyFailure, PathRefusedError, NotRegularFileError, OwnerLookupError, InvalidSpecError, BYTES_PER_GB,
} from "../../src/remediation/index.js";
import { MissingFieldError } from "../../src/util/template.js";
import { CAN_DROP_PRIVILEGES, NEEDS_BOT_USER, NOBODY_GID, NOBODY_UID, makeContext, makeTraversableTempDir, runAsNobody } from "./helpers.js";
import { IS_ROOT, NEEDS_ROOT, describeIf, describeUnless } from "../helpers/environment.js";
import { mountTmpfs, whyNoTmpfs } from "../helpers/tmpfs.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const describeAsRoot = describeIf(IS_ROOT, NEEDS_ROOT);
const describeAsBot = describeIf(CAN_DROP_PRIVILEGES, NEEDS_BOT_USER);

let base: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: base, cleanup } = makeTraversableTempDir());
  base = realpathSync(base);
  mkdirSync(join(base, "modelos"));
});
afterEach(() => cleanup());

const run = (spec: ActionSpec, fields: Record<string, string> = {}, ctxOverrides: Parameters<typeof makeContext>[1] = {}) =>
  runAction(spec, fields, makeContext(base, ctxOverrides), { dryRun: false });

describe("mkdir", () => {
  it("creates the folder and its parents, one level at a time", async () => {
    const result = await run({ type: "mkdir", path: "modelos/{modelo}/sub" }, { modelo: "ana" });
    expect(result).toMatchObject({ ok: true, action: "mkdir", accion: "mkdir -p modelos/ana/sub" });
    expect(result.detalle).toMatch(/^creadas: modelos\/ana, modelos\/ana\/sub/);
    expect(statSync(join(base, "modelos/ana/sub")).isDirectory()).toBe(true);
  });

  it("parent: true creates the folder of a file path, not the file", async () => {
    const result = await run({ type: "mkdir", path: "{path}", parent: true }, { path: "modelos/ana/20251225_143020_a3f2b1.mp4" });
    expect(result.accion).toBe("mkdir -p modelos/ana");
    expect(statSync(join(base, "modelos/ana")).isDirectory()).toBe(true);
    expect(existsSync(join(base, "modelos/ana/20251225_143020_a3f2b1.mp4"))).toBe(false);
  });

  it("applies an explicit mode exactly, whatever the umask", async () => {
    const result = await run({ type: "mkdir", path: "modelos/privado", mode: "0700" });
    expect(result.accion).toBe("mkdir -p -m 0700 modelos/privado");
    expect(statSync(join(base, "modelos/privado")).mode & 0o7777).toBe(0o700);
  });

  it("an existing folder is success; an existing file in the way is a failure", async () => {
    mkdirSync(join(base, "modelos/ana"));
    expect(await run({ type: "mkdir", path: "modelos/ana" })).toMatchObject({ ok: true, detalle: "ya existía" });
    writeFileSync(join(base, "modelos/f"), "x");
    const blocked = await run({ type: "mkdir", path: "modelos/f" });
    expect(blocked.ok).toBe(false);
    expect(blocked.detalle).toContain("no es una carpeta");
  });

  it("a template field the line did not capture gives up at once", async () => {
    const result = await run({ type: "mkdir", path: "modelos/{modelo}" });
    expect(result.ok).toBe(false);
    expect(result.cause).toBeInstanceOf(MissingFieldError);
    expect(classifyFailure(result.cause)).toBe("give_up");
    expect(readdirSync(join(base, "modelos"))).toEqual([]);
  });

  describeAsRoot("as root", () => {
    it("gives the folders it creates (only those) to the configured owner", async () => {
      mkdirSync(join(base, "modelos/ana"));
      const result = await run({ type: "mkdir", path: "modelos/ana/a/b" }, {}, { owner: `${NOBODY_UID}:${NOBODY_GID}` });
      expect(result.detalle).toContain(`dueño ${NOBODY_UID}:${NOBODY_GID}`);
      expect(statSync(join(base, "modelos/ana/a")).uid).toBe(NOBODY_UID);
      expect(statSync(join(base, "modelos/ana/a/b")).gid).toBe(NOBODY_GID);
      expect(statSync(join(base, "modelos/ana")).uid).toBe(0);
    });

    it("-R skips hard-linked files (their other name may be outside the roots) and says so", async () => {
    mkdirSync(join(base, "modelos/ana"), { recursive: true });
    writeFileSync(join(base, "modelos/ana/v.mp4"), "x");
    writeFileSync(join(base, "victima"), "s");
    linkSync(join(base, "victima"), join(base, "modelos/ana/enlace-duro.mp4"));
    const result = await run({ type: "chown", path: "modelos/ana", recursive: true, owner: "nobody:nogroup" });
    expect(result).toMatchObject({ ok: true, detalle: "2 entradas; 1 enlaces duros omitidos" });
    expect(statSync(join(base, "modelos/ana/v.mp4")).uid).toBe(NOBODY_UID);
    expect(statSync(join(base, "victima")).uid).toBe(0);
  });

  it("a hard-linked file is refused, by chown and by cleanup, and gives up", async () => {
    writeFileSync(join(base, "victima"), "s");
    linkSync(join(base, "victima"), join(base, "modelos/v.mp4"));
    for (const spec of [{ type: "chown", path: "modelos/v.mp4", owner: "nobody:nogroup" }, { type: "cleanup", path: "modelos/v.mp4" }] as ActionSpec[]) {
      const result = await run(spec);
      expect(result).toMatchObject({ ok: false, detalle: expect.stringMatching(/^ruta rechazada \(hard_link\): "modelos\/v\.mp4": es un enlace duro \(2 nombres\)/) });
      expect(classifyFailure(result.cause)).toBe("give_up");
    }
    expect(statSync(join(base, "victima"))).toMatchObject({ uid: 0, nlink: 2 });
  });

  it("without an owner configured, uses the owner of the allowed root", async () => {
      chownSync(join(base, "modelos"), NOBODY_UID, NOBODY_GID);
      await run({ type: "mkdir", path: "modelos/pedro" });
      expect(statSync(join(base, "modelos/pedro")).uid).toBe(NOBODY_UID);
    });
  });

  describeAsBot("the bot's user after the fix", () => {
    it("can write into the folder vigia (root) created", async () => {
      chownSync(join(base, "modelos"), NOBODY_UID, NOBODY_GID);
      expect(runAsNobody(["touch", "modelos/ana/x.mp4"], base).code).not.toBe(0);
      await run({ type: "mkdir", path: "modelos/ana/x.mp4", parent: true }, {}, { owner: "nobody" });
      expect(runAsNobody(["touch", "modelos/ana/x.mp4"], base)).toEqual({ code: 0, stderr: "" });
    });
  });
});

describeAsRoot("chown", () => {
  it("gives an existing folder to the owner", async () => {
    mkdirSync(join(base, "modelos/ana"));
    const result = await run({ type: "chown", path: "modelos/ana" }, {}, { owner: "nobody:nogroup" });
    expect(result).toMatchObject({ ok: true, accion: "chown nobody:nogroup modelos/ana" });
    expect(statSync(join(base, "modelos/ana"))).toMatchObject({ uid: NOBODY_UID, gid: NOBODY_GID });
  });

  it("a file that could not be created: the deepest existing folder is chowned", async () => {
    mkdirSync(join(base, "modelos/pedro"));
    const result = await run({ type: "chown", path: "{path}" }, { path: "modelos/pedro/sub/x.mp4" }, { owner: "65534:65534" });
    expect(result).toMatchObject({ ok: true, accion: "chown 65534:65534 modelos/pedro" });
    expect(result.detalle).toBe("modelos/pedro/sub/x.mp4 no existe: se cambia la carpeta modelos/pedro");
    expect(statSync(join(base, "modelos/pedro")).uid).toBe(NOBODY_UID);
  });

  it("recursive changes the tree but never follows a symlink out of it", async () => {
    mkdirSync(join(base, "modelos/ana/sub"), { recursive: true });
    writeFileSync(join(base, "modelos/ana/sub/v.mp4"), "x");
    writeFileSync(join(base, "secreto"), "s");
    symlinkSync(join(base, "secreto"), join(base, "modelos/ana/enlace"));
    const result = await run({ type: "chown", path: "modelos/ana", recursive: true, owner: "nobody:nogroup" });
    expect(result).toMatchObject({ ok: true, accion: "chown -R nobody:nogroup modelos/ana", detalle: "4 entradas" });
    expect(statSync(join(base, "modelos/ana/sub/v.mp4")).uid).toBe(NOBODY_UID);
    expect(lstatSync(join(base, "modelos/ana/enlace")).uid).toBe(NOBODY_UID); // the link itself
    expect(statSync(join(base, "secreto")).uid).toBe(0); // not what it points to
  });

  it("without an owner configured, uses the owner of the allowed root", async () => {
    chownSync(join(base, "modelos"), NOBODY_UID, NOBODY_GID);
    mkdirSync(join(base, "modelos/ana"));
    const result = await run({ type: "chown", path: "modelos/ana" });
    expect(result.accion).toBe(`chown ${NOBODY_UID}:${NOBODY_GID} modelos/ana`);
    expect(statSync(join(base, "modelos/ana")).uid).toBe(NOBODY_UID);
  });

  it("an owner that does not exist gives up", async () => {
    mkdirSync(join(base, "modelos/ana"));
    const result = await run({ type: "chown", path: "modelos/ana" }, {}, { owner: "no_such_user_vigia:no_such_group" });
    expect(result.ok).toBe(false);
    expect(result.cause).toBeInstanceOf(OwnerLookupError);
    expect(classifyFailure(result.cause)).toBe("give_up");
  });

  it("a missing path whose nearest existing folder is outside the roots is refused", async () => {
    const ctx = { allowedRoots: ["modelos/todavia-no"] };
    const result = await run({ type: "chown", path: "modelos/todavia-no/x.mp4" }, {}, { ...ctx, owner: "nobody" });
    expect(result.cause).toBeInstanceOf(PathRefusedError);
    expect(statSync(join(base, "modelos")).uid).toBe(0);
  });

  it("with sudo: runs `sudo -n chown -h -- uid:gid path`, argv only", async () => {
    const bin = join(base, "bin");
    mkdirSync(bin);
    const log = join(base, "sudo-args.json");
    // A stand-in sudo that records its argv and runs the rest (we are root already).
    writeFileSync(join(bin, "sudo"), `#!/usr/bin/env node\nrequire("fs").writeFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)));\nconst r = require("child_process").spawnSync(process.argv[3], process.argv.slice(4), { stdio: "inherit" });\nprocess.exit(r.status ?? 1);\n`);
    chmodSync(join(bin, "sudo"), 0o755);
    mkdirSync(join(base, "modelos/con espacio; rm -rf"), { recursive: true });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
    try {
      const result = await run({ type: "chown", path: "modelos/{modelo}" }, { modelo: "con espacio; rm -rf" }, { owner: "65534:65534", sudo: true });
      expect(result).toMatchObject({ ok: true, accion: "sudo -n chown 65534:65534 'modelos/con espacio; rm -rf'", exitCode: 0 });
    } finally {
      process.env.PATH = savedPath;
    }
    expect(JSON.parse(readFileSync(log, "utf8"))).toEqual(["-n", "chown", "-h", "--", "65534:65534", join(base, "modelos/con espacio; rm -rf")]);
    expect(statSync(join(base, "modelos/con espacio; rm -rf")).uid).toBe(NOBODY_UID);
  });

  it("with sudo but no sudo binary: a failed attempt with the reason", async () => {
    mkdirSync(join(base, "modelos/ana"));
    const savedPath = process.env.PATH;
    process.env.PATH = join(base, "empty-bin");
    try {
      const result = await run({ type: "chown", path: "modelos/ana" }, {}, { owner: "65534:65534", sudo: true });
      expect(result.ok).toBe(false);
      expect(result.detalle).toContain("no se pudo ejecutar");
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describeAsBot("chown: the bot's user after the fix", () => {
  it("nobody cannot create the file before, can after", async () => {
    mkdirSync(join(base, "modelos/pedro"));
    const before = runAsNobody(["touch", "modelos/pedro/x.mp4"], base);
    expect(before.code).not.toBe(0);
    expect(before.stderr).toMatch(/Permission denied/);
    await run({ type: "chown", path: "{path}" }, { path: "modelos/pedro/x.mp4" }, { owner: `${NOBODY_UID}:${NOBODY_GID}` });
    expect(runAsNobody(["touch", "modelos/pedro/x.mp4"], base)).toEqual({ code: 0, stderr: "" });
  });
});

describe("cleanup", () => {
  it("deletes a regular file and reports the bytes", async () => {
    writeFileSync(join(base, "modelos/roto.mp4"), Buffer.alloc(2048));
    const result = await run({ type: "cleanup", path: "modelos/{video}" }, { video: "roto.mp4" });
    expect(result).toMatchObject({ ok: true, accion: "rm modelos/roto.mp4", freedBytes: 2048, detalle: "2.0 KB borrados" });
    expect(existsSync(join(base, "modelos/roto.mp4"))).toBe(false);
  });

  it("with a quarantine folder, moves the file there instead", async () => {
    writeFileSync(join(base, "modelos/roto.mp4"), "datos");
    const ctx = { quarantineDir: join(base, "modelos/.cuarentena"), clock: new VirtualClock(Date.parse("2025-12-25T14:30:20Z")) };
    const result = await run({ type: "cleanup", path: "modelos/roto.mp4" }, {}, ctx);
    expect(result).toMatchObject({ ok: true, accion: "mv modelos/roto.mp4 modelos/.cuarentena/" });
    expect(readdirSync(join(base, "modelos/.cuarentena"))).toEqual(["20251225T143020Z-roto.mp4"]);
    writeFileSync(join(base, "modelos/roto.mp4"), "otra vez");
    await run({ type: "cleanup", path: "modelos/roto.mp4" }, {}, ctx);
    expect(readdirSync(join(base, "modelos/.cuarentena")).sort()).toEqual(["20251225T143020Z-1-roto.mp4", "20251225T143020Z-roto.mp4"]);
  });

  it("a quarantine folder outside the roots is refused and the file stays", async () => {
    writeFileSync(join(base, "modelos/roto.mp4"), "datos");
    const result = await run({ type: "cleanup", path: "modelos/roto.mp4" }, {}, { quarantineDir: join(base, "fuera") });
    expect(result.cause).toBeInstanceOf(PathRefusedError);
    expect(existsSync(join(base, "modelos/roto.mp4"))).toBe(true);
  });

  it("never removes a folder, a FIFO, a root or anything through a symlink", async () => {
    mkdirSync(join(base, "modelos/carpeta"));
    execFileSync("mkfifo", [join(base, "modelos/fifo")]);
    writeFileSync(join(base, "importante"), "no borrar");
    symlinkSync(join(base, "importante"), join(base, "modelos/enlace.mp4"));
    const folder = await run({ type: "cleanup", path: "modelos/carpeta" });
    expect(folder.cause).toBeInstanceOf(NotRegularFileError);
    const fifo = await run({ type: "cleanup", path: "modelos/fifo" });
    expect(fifo.cause).toBeInstanceOf(NotRegularFileError);
    const root = await run({ type: "cleanup", path: "modelos" });
    expect(root.cause).toMatchObject({ reason: "is_root" });
    const link = await run({ type: "cleanup", path: "modelos/enlace.mp4" });
    expect(link.cause).toMatchObject({ reason: "symlink" });
    for (const result of [folder, fifo, root, link]) expect(classifyFailure(result.cause)).toBe("give_up");
    expect(statSync(join(base, "modelos/carpeta")).isDirectory()).toBe(true);
    expect(lstatSync(join(base, "modelos/fifo")).isFIFO()).toBe(true);
    expect(readFileSync(join(base, "importante"), "utf8")).toBe("no borrar");
    expect(lstatSync(join(base, "modelos/enlace.mp4")).isSymbolicLink()).toBe(true);
  });

  it("a file already gone counts as cleaned", async () => {
    expect(await run({ type: "cleanup", path: "modelos/ya-no.mp4" })).toMatchObject({ ok: true, detalle: "ya no existía", freedBytes: 0 });
  });
});

describe("prune", () => {
  const DAY_MS = 86_400_000;
  function writeAged(path: string, bytes: number, ageDays: number): void {
    writeFileSync(path, Buffer.alloc(bytes, 1));
    const when = (Date.now() - ageDays * DAY_MS) / 1000;
    utimesSync(path, when, when);
  }

  it("deletes matching old files, oldest first, only until the free-space target is met", async () => {
    const dir = join(base, "modelos");
    mkdirSync(join(dir, "sub"));
    writeAged(join(dir, "a.part"), 1000, 10);
    writeAged(join(dir, "sub/b.part"), 1000, 9);
    writeAged(join(dir, "c.part"), 1000, 8);
    writeAged(join(dir, "nuevo.part"), 1000, 1);
    writeAged(join(dir, "video.mp4"), 1000, 30);
    writeFileSync(join(base, "fuera.part"), "x");
    symlinkSync(join(base, "fuera.part"), join(dir, "enlace.part"));
    // A simulated disk of 10 000 bytes: free space is what the files in the folder leave.
    const used = () => ["a.part", "sub/b.part", "c.part", "nuevo.part", "video.mp4"].filter((f) => existsSync(join(dir, f))).length * 1000;
    const getDiskSpace = async () => ({ free: 10_000 - used(), size: 10_000 });
    // Free now 5000; the target (6500 bytes, in GB) needs two deletions.
    const spec: ActionSpec = { type: "prune", dir: "modelos", glob: "*.part", older_than_days: 5, target_free_gb: 6500 / BYTES_PER_GB };
    const result = await run(spec, {}, { getDiskSpace });
    expect(result.ok).toBe(true);
    expect(result.accion).toMatch(/^prune 'modelos\/\*\.part' \(> 5 días\) hasta .* GB libres$/);
    expect(result.detalle).toMatch(/^2 archivos borrados/);
    expect(existsSync(join(dir, "a.part"))).toBe(false);
    expect(existsSync(join(dir, "sub/b.part"))).toBe(false);
    for (const kept of ["c.part", "nuevo.part", "video.mp4", "enlace.part"]) expect(existsSync(join(dir, kept))).toBe(true);
    expect(existsSync(join(base, "fuera.part"))).toBe(true);
  });

  it("fails, saying what it freed, when the target cannot be met", async () => {
    writeAged(join(base, "modelos/a.part"), 1000, 10);
    const getDiskSpace = async () => ({ free: 100, size: 10_000 });
    const result = await run({ type: "prune", dir: "modelos", glob: "*.part", older_than_days: 1, target_free_gb: 1 }, {}, { getDiskSpace });
    expect(result.ok).toBe(false);
    expect(result.detalle).toMatch(/1 archivos borrados.*objetivo 1 GB no alcanzado/);
    expect(classifyFailure(result.cause)).toBe("retry");
  });

  it("an action that hangs (df on a dead mount) is abandoned at its timeout", async () => {
    const getDiskSpace = () => new Promise<never>(() => undefined); // never answers: only the timeout ends the action
    const result = await run({ type: "prune", dir: "modelos", glob: "*", older_than_days: 1, target_free_gb: 1, timeout: 0.1 }, {}, { getDiskSpace });
    expect(result).toMatchObject({ ok: false, timedOut: true, detalle: expect.stringMatching(/sin respuesta tras 100 ms$/) });
    expect(classifyFailure(result.cause)).toBe("retry");
  });

  it("a glob reaching across folders is an invalid spec", async () => {
    const result = await run({ type: "prune", dir: "modelos", glob: "../*", older_than_days: 1, target_free_gb: 1 });
    expect(result.cause).toBeInstanceOf(InvalidSpecError);
  });

  describeUnless(whyNoTmpfs())("on a real full filesystem (tmpfs)", () => {
    it("frees real space until df says the target is met", async () => {
      const mount = join(base, "modelos/disco");
      const unmount = mountTmpfs(mount, "4m");
      try {
        for (let i = 0; i < 4; i += 1) writeAged(join(mount, `v${i}.part`), 900 * 1024, 10 - i);
        const result = await run({ type: "prune", dir: "modelos/disco", glob: "*.part", older_than_days: 2, target_free_gb: 2 / 1024 });
        expect(result.ok).toBe(true);
        expect(readdirSync(mount).sort()).toEqual(["v2.part", "v3.part"]);
      } finally {
        unmount();
      }
    });
  });
});

describe("exec", () => {
  it("passes captured values as single arguments: no shell sees them", async () => {
    const out = join(base, "argv.json");
    // No `/` in it: a path-like value would be refused by the guard before anything runs (see the next test).
    const hostile = `$(touch pwned); \`id\` && echo "x" | cat > pwned2 'q'`;
    const spec: ActionSpec = {
      type: "exec",
      command: ["node", "-e", "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))", out, "{video}", "--{modelo}"],
    };
    const result = await run(spec, { video: hostile, modelo: "ana" });
    expect(result.ok).toBe(true);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual([hostile, "--ana"]);
    expect(existsSync(join(base, "pwned"))).toBe(false);
    expect(existsSync(join(base, "pwned2"))).toBe(false);
  });

  it("confines captured values: path-like ones pass the guard, option-like ones are refused, env values too", async () => {
    mkdirSync(join(base, "fuera"));
    symlinkSync(join(base, "fuera"), join(base, "modelos/enlace"));
    const touch = (item: string): ActionSpec => ({ type: "exec", command: ["touch", item] });
    const cases: Array<[ActionSpec, Record<string, string>, RegExp]> = [
      [touch("{p}"), { p: "modelos/../fuera/a" }, /^ruta rechazada \(dot_dot\)/],
      [touch("{p}"), { p: join(base, "fuera/b") }, /^ruta rechazada \(outside_roots\)/],
      [touch("{p}"), { p: "modelos/enlace/c" }, /^ruta rechazada \(outside_roots\)/],
      [touch("--reference={p}"), { p: "/etc/passwd" }, /^ruta rechazada \(outside_roots\)/],
      [touch("{p}"), { p: "--reference=/etc/passwd" }, /^argumento rechazado: exec\.command\[1\]: el valor capturado \{p\} = "--reference=\/etc\/passwd" empieza por '-'/],
      [touch("modelos/{p}"), { p: "-x" }, /^argumento rechazado/],
      [{ type: "exec", command: ["touch", "modelos/ok"], env: { DESTINO: "{p}" } }, { p: "../fuera/d" }, /^ruta rechazada \(dot_dot\)/],
      [{ type: "exec", command: ["touch", "{p}"], cwd: "modelos" }, { p: "../fuera/e" }, /^ruta rechazada \(dot_dot\)/],
    ];
    for (const [spec, fields, detalle] of cases) {
      const result = await run(spec, fields);
      expect({ fields, ok: result.ok, detalle: result.detalle, decision: classifyFailure(result.cause) }).toEqual({
        fields,
        ok: false,
        detalle: expect.stringMatching(detalle),
        decision: "give_up",
      });
    }
    expect(readdirSync(join(base, "fuera"))).toEqual([]);
    // Inside the roots, relative to the command's folder, and option values after a literal --opt= prefix: run.
    expect(await run(touch("{p}"), { p: "modelos/ana.txt" })).toMatchObject({ ok: true });
    expect(await run({ type: "exec", command: ["touch", "{p}"], cwd: "modelos" }, { p: "sub-no/../x" })).toMatchObject({ ok: false });
    expect(await run({ type: "exec", command: ["touch", "./{p}"], cwd: "modelos" }, { p: "b.txt" })).toMatchObject({ ok: true });
    expect(await run({ type: "exec", command: ["touch", "--", "{p}"] }, { p: "modelos/c.txt" })).toMatchObject({ ok: true });
    expect(readdirSync(join(base, "modelos")).sort()).toEqual(["ana.txt", "b.txt", "c.txt", "enlace"]);
  });

  it("runs in the base dir with the given env; its last output line becomes the note", async () => {
    const spec: ActionSpec = { type: "exec", command: ["node", "-e", "console.log('x'); console.log(process.cwd() + '|' + process.env.VIDEO)"], env: { VIDEO: "{video}" } };
    const result = await run(spec, { video: "v.mp4" });
    expect(result).toMatchObject({ ok: true, exitCode: 0, detalle: `${base}|v.mp4` });
  });

  it("a non-zero exit fails the attempt with the code and the last stderr line", async () => {
    const result = await run({ type: "exec", command: ["node", "-e", "console.error('primero'); console.error('boom final'); process.exit(3)"] });
    expect(result).toMatchObject({ ok: false, exitCode: 3, timedOut: false });
    expect(result.detalle).toMatch(/código de salida 3: boom final$/);
    expect(classifyFailure(result.cause)).toBe("retry");
  });

  it("a program that does not exist is a failed attempt", async () => {
    const result = await run({ type: "exec", command: ["vigia-no-such-program-xyz"] });
    expect(result.ok).toBe(false);
    expect(result.detalle).toContain("no se pudo ejecutar");
  });

  it("refuses a program name taken from the log", async () => {
    const result = await run({ type: "exec", command: ["{video}", "x"] }, { video: "rm" });
    expect(result.cause).toBeInstanceOf(InvalidSpecError);
    expect(classifyFailure(result.cause)).toBe("give_up");
  });

  it("a hung command is killed at its timeout, even one ignoring SIGTERM, with what it started", async () => {
    const pidFile = join(base, "grandchild.pid");
    const script = `sleep 600 & echo $! > ${pidFile}; trap '' TERM; while :; do sleep 1; done`; // only a kill ends it
    const result = await run({ type: "exec", command: ["sh", "-c", script], timeout: 0.3 }, {}, { killGraceMs: 200 });
    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(result.detalle).toMatch(/superó 300 ms y se mató/);
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    expect(() => process.kill(grandchild, 0)).toThrow(); // gone with its group
  });

  it("a command printing 100 MB keeps memory bounded and the tail of its output", async () => {
    const code = "const b=Buffer.alloc(1<<20,97);let i=0;(function w(){while(i<100){i++;if(!process.stdout.write(b))return process.stdout.once('drain',w)}process.stdout.write('\\nfin\\n')})()";
    const rssBefore = process.memoryUsage().rss;
    const result = await run({ type: "exec", command: ["node", "-e", code] });
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(result).toMatchObject({ ok: true, detalle: "fin" });
    expect(rssGrowth).toBeLessThan(60 * 1024 * 1024);
  });

  it("aborting the job kills the command", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    // sleep outlives the test's timeout: only the abort can end it
    const result = await run({ type: "exec", command: ["sleep", "600"] }, {}, { signal: controller.signal });
    expect(result.ok).toBe(false);
    expect(classifyFailure(result.cause)).toBe("stop");
  });
});

describe("wait", () => {
  it("does nothing and succeeds", async () => {
    expect(await run({ type: "wait" })).toMatchObject({ ok: true, action: "wait", accion: "esperar" });
  });
});

describe("dry-run", () => {
  it("plans (guard included) but touches nothing", async () => {
    writeFileSync(join(base, "modelos/roto.mp4"), "x");
    const ctx = makeContext(base, { owner: "nobody" });
    const results = await Promise.all(
      ([
        { type: "mkdir", path: "modelos/ana/b" },
        { type: "chown", path: "modelos/roto.mp4", recursive: true },
        { type: "cleanup", path: "modelos/roto.mp4" },
        { type: "exec", command: ["touch", join(base, "modelos/tocado")] },
        { type: "mkdir", path: "../fuera" },
      ] as ActionSpec[]).map((spec) => runAction(spec, {}, ctx, { dryRun: true })),
    );
    expect(results.map((r) => [r.ok, r.accion])).toEqual([
      [true, "[dry-run] mkdir -p modelos/ana/b"],
      [true, "[dry-run] chown -R nobody modelos/roto.mp4"],
      [true, "[dry-run] rm modelos/roto.mp4"],
      [true, `[dry-run] touch ${join(base, "modelos/tocado")}`],
      [false, `[dry-run] mkdir "../fuera"`],
    ]);
    expect(readdirSync(join(base, "modelos"))).toEqual(["roto.mp4"]);
    expect(statSync(join(base, "modelos/roto.mp4")).uid).toBe(process.getuid?.());
  });
});
