// Torture: 100 log records whose captured paths are hostile (`../`, absolute paths, symlinks to / and out
// of the allowed root, shell syntax, NUL bytes, URL encoding…) reach the real daemon, NOT in dry-run: its mkdir,
// chown and cleanup actions run. Nothing outside `allowed_roots` may change: a snapshot of every other file of the
// temp tree, of /etc/passwd and of the top of / and /tmp is compared before and after. Two legitimate records prove
// the actions did run meanwhile.
//
// Safety on a shared machine (tests may run as root): system paths appear only where a failure of the guard would
// still change nothing (mkdir of /etc/passwd's existing parent, a non-recursive lchown of root-owned /etc/passwd to
// root); every destructive form aims at files inside the temp folder.
import { describe, it, expect, afterAll } from "@jest/globals";
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import { VigiaProcess, formatLogTimestamp, killAllChildren, readJournalIfAny, reportFigure, writeVigiaSetup } from "./helpers/torture-kit.js";

const temp = makeTempDir();
afterAll(async () => {
  await killAllChildren();
  temp.cleanup();
});

/** Every entry under `dir` (symlinks not followed) except the `skip` subtrees: type, size, mode, owner, mtime, target. */
function snapshotTree(dir: string, skip: string[], out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (skip.includes(path)) continue;
    const st = lstatSync(path);
    const kind = st.isSymbolicLink() ? `link->${readlinkSync(path)}` : st.isDirectory() ? "dir" : "file";
    out.set(path, `${kind} ${st.isDirectory() ? "" : st.size} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.isDirectory() ? "" : st.mtimeMs}`);
    if (st.isDirectory() && !st.isSymbolicLink()) snapshotTree(path, skip, out);
  }
  return out;
}

/** What a broken guard could touch on the system itself: /etc/passwd and the entries at the top of / and /tmp. */
function snapshotSystem(): string {
  const passwd = lstatSync("/etc/passwd");
  return JSON.stringify({
    passwd: [passwd.uid, passwd.gid, passwd.mode, passwd.size, passwd.mtimeMs],
    root: readdirSync("/").sort(),
    tmp: readdirSync("/tmp").filter((n) => n.includes("pwned")).sort(),
  });
}

describe("torture: 100 hostile captured paths against the live daemon", () => {
  it("changes nothing outside allowed_roots", async () => {
    const base = realpathSync(temp.dir);
    const work = join(base, "work");
    const outside = join(base, "outside");
    mkdirSync(join(outside, "keep"), { recursive: true });
    writeFileSync(join(outside, "secret.mp4"), "secreto");
    writeFileSync(join(outside, "keep", "file"), "no tocar");
    writeFileSync(join(base, "victim.mp4"), "víctima");
    const setup = writeVigiaSetup(work, { remediation: "{ allowed_roots: [modelos], max_retries: 1, backoff: [0.1], action_timeout: 5 }" });
    const modelos = join(work, "modelos");
    writeFileSync(join(modelos, "inside.mp4"), "roto");
    symlinkSync("/", join(modelos, "escape"));
    symlinkSync("../../outside", join(modelos, "up"));
    symlinkSync(join(outside, "secret.mp4"), join(modelos, "link.mp4"));
    const pwned = `/tmp/vigia-pwned-${process.pid}`;

    // Paths for every rule form (no quote, newline or space: the rules' captures stop there).
    const common = [
      "../outside/new/x.mp4", "../../outside/x.mp4", "modelos/../../outside/secret.mp4", "modelos/../outside/n2/x.mp4",
      `${outside}/secret.mp4`, `${outside}/newdir/x.mp4`, `modelos/escape${outside}/secret.mp4`, `modelos/escape${outside}/n3/x.mp4`,
      `modelos/escape${pwned}/x.mp4`, `${pwned}/x.mp4`, "modelos/up/secret.mp4", "modelos/up/n4/x.mp4", "modelos/up/keep/file",
      "modelos/up/../victim.mp4", "modelos/link.mp4", `${base}/victim.mp4`, "victim.mp4", "../victim.mp4", "modelos/..", "..",
      `modelos/$(touch${"${IFS}"}${outside}/pwned)/x.mp4`, `modelos/\`touch${"${IFS}"}${outside}/pwned2\`/x.mp4`,
      `modelos/x;touch${"${IFS}"}${outside}/pwned3;/x.mp4`, `modelos/x|rm${"${IFS}"}-rf${"${IFS}"}${outside}/x.mp4`,
      "modelos/%2e%2e/%2e%2e/outside/x.mp4", "..\\..\\outside\\x.mp4", "modelos/..\\..\\outside\\x.mp4", "~/x.mp4",
      `modelos/${"a/".repeat(2100)}x.mp4`, "modelos/\u0000/../../outside/x.mp4", "modelos/\u2025/outside/x.mp4",
      "/proc/self/root/etc/x.mp4", "modelos/escape/proc/self/root" + outside + "/secret.mp4",
    ];
    const records: string[] = [];
    const ts = formatLogTimestamp();
    const forms = [
      (p: string) => `${ts} - bot_central - ERROR - [Errno 2] No such file or directory: '${p}'`, // mkdir (parent)
      (p: string) => `${ts} - bot_central - ERROR - [Errno 13] Permission denied: '${p}'`, // chown
      (p: string) => `${ts} - bot_central - ERROR - Video corrupto: ${p}: Invalid data found when processing input`, // cleanup
    ];
    for (let i = 0; records.length < 98; i++) records.push(forms[i % 3]!(common[Math.floor(i / 3) % common.length]!));
    // System paths only in forms that cannot harm even if the guard failed (see the header).
    records.push(forms[0]!("/etc/passwd"), forms[1]!("/etc/passwd"));
    // Controls: legitimate targets inside the root, which must be acted on.
    records.push(forms[0]!("modelos/ctrl/nueva/x.mp4"), forms[2]!("modelos/inside.mp4"));

    const skip = [modelos, join(work, "logs")];
    const before = snapshotTree(base, skip);
    const systemBefore = snapshotSystem();
    writeFileSync(setup.logPath, "");
    const vigia = VigiaProcess.start(setup, []);
    await vigia.waitForBanner();
    writeFileSync(setup.logPath, `${records.join("\n")}\n`);

    // Done when every incident reached a final state (refused paths fail at the first attempt).
    const finished = (): boolean => {
      const journal = readJournalIfAny(setup.journalPath);
      return journal.length > 0 && journal.every((e) => e.estado === "solucionado" || e.estado === "fallido") && existsSync(join(modelos, "ctrl"));
    };
    await waitFor(() => finished() || !vigia.isRunning, { what: "every hostile incident to end", timeoutMs: 60_000, everyMs: 100 });
    expect(vigia.isRunning).toBe(true);
    vigia.kill("SIGTERM");
    const exit = await vigia.exited;

    const after = snapshotTree(base, skip);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p));
    const journal = readJournalIfAny(setup.journalPath);
    const refused = journal.filter((e) => e.estado === "fallido").length;
    reportFigure("hostile paths", {
      records: records.length,
      incidents: journal.length,
      fallido: refused,
      solucionado: journal.length - refused,
      outside_changes: changed.length,
      system_changed: snapshotSystem() !== systemBefore,
      control_mkdir: existsSync(join(modelos, "ctrl", "nueva")),
      control_cleanup: !existsSync(join(modelos, "inside.mp4")),
      exit_code: exit.code,
    });
    expect(changed).toEqual([]);
    expect(snapshotSystem()).toBe(systemBefore);
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(join(modelos, "ctrl", "nueva"))).toBe(true);
    expect(existsSync(join(modelos, "inside.mp4"))).toBe(false);
    expect(exit.code).toBe(0);
  });
});
