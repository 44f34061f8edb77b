import { describe, it, expect } from "@jest/globals";
import { classifyFailure, PathRefusedError, InvalidSpecError, OwnerLookupError, NotRegularFileError, RemediationAbortedError, CommandFailedError, ActionTimeoutError } from "../../src/remediation/index.js";
import { MissingFieldError } from "../../src/util/template.js";
import { createKeyedScheduler } from "../../src/remediation/keyed-scheduler.js";
import { compileNameGlob } from "../../src/remediation/glob-match.js";
import { createOutputTail } from "../../src/util/output-tail.js";
import { formatArgv } from "../../src/util/format-argv.js";
import { createOwnerResolver } from "../../src/remediation/owner.js";
import { hasPermission } from "../../src/remediation/access-as.js";

describe("classifyFailure", () => {
  it("gives up on what retrying cannot change, retries the rest, stops on cancel", () => {
    expect(classifyFailure(new PathRefusedError("x", "dot_dot", ""))).toBe("give_up");
    expect(classifyFailure(new InvalidSpecError("exec", "command", "argv", 1))).toBe("give_up");
    expect(classifyFailure(new MissingFieldError("{a}", "a"))).toBe("give_up");
    expect(classifyFailure(new OwnerLookupError("x:y", "no user"))).toBe("give_up");
    expect(classifyFailure(new NotRegularFileError("p", "una carpeta"))).toBe("give_up");
    expect(classifyFailure(new RemediationAbortedError())).toBe("stop");
    expect(classifyFailure(new CommandFailedError("x", 1, undefined, false, "", "x", "x"))).toBe("retry");
    expect(classifyFailure(new ActionTimeoutError("mkdir", 10))).toBe("retry");
    expect(classifyFailure(Object.assign(new Error("EACCES"), { code: "EACCES" }))).toBe("retry");
    expect(classifyFailure(undefined)).toBe("retry");
  });
});

describe("createKeyedScheduler", () => {
  it("bounds concurrency, serialises a key, and lets other keys pass a busy one", async () => {
    const scheduler = createKeyedScheduler(2);
    const order: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        order.push(`start ${name}`);
        gates.set(name, () => {
          order.push(`end ${name}`);
          resolve(name);
        });
      });
    const a1 = scheduler.schedule("a", task("a1"));
    const a2 = scheduler.schedule("a", task("a2"));
    const b1 = scheduler.schedule("b", task("b1"));
    const c1 = scheduler.schedule("c", task("c1"));
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(["start a1", "start b1"]);
    expect({ running: scheduler.running, queued: scheduler.queued }).toEqual({ running: 2, queued: 2 });
    gates.get("a1")!();
    await a1;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(["start a1", "start b1", "end a1", "start a2"]);
    gates.get("b1")!();
    await b1;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order.at(-1)).toBe("start c1");
    gates.get("a2")!();
    gates.get("c1")!();
    expect(await Promise.all([a2, c1])).toEqual(["a2", "c1"]);
    await scheduler.idle();
    expect(scheduler.running).toBe(0);
  });

  it("starts tasks in arrival order skipping busy keys, as a walk of the whole queue would, through thousands of them", async () => {
    // The rule written out: at each free slot, the oldest waiting task whose key is not busy. A key that frees up
    // goes by its oldest task's arrival, before tasks that came after it.
    const model = { queue: [] as Array<{ key: string; name: string }>, busy: new Set<string>(), started: [] as string[] };
    const pumpModel = () => {
      for (let i = 0; i < model.queue.length && model.busy.size < 3; ) {
        const next = model.queue[i]!;
        if (model.busy.has(next.key)) i += 1;
        else {
          model.queue.splice(i, 1);
          model.busy.add(next.key);
          model.started.push(next.name);
        }
      }
    };
    const scheduler = createKeyedScheduler(3);
    const started: string[] = [];
    const gates = new Map<string, { key: string; open: () => void }>();
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const ends: Array<Promise<unknown>> = [];
    let mostQueued = 0;
    for (let step = 0; step < 3000; step += 1) {
      const running = [...gates.keys()];
      if (running.length > 0 && random(3) === 0) {
        const name = running[random(running.length)]!;
        const { key, open } = gates.get(name)!;
        gates.delete(name);
        open();
        model.busy.delete(key);
      } else {
        // Few keys, so a key is often busy with tasks of its own waiting behind it.
        const key = `k${random(12)}`;
        const name = `t${step}`;
        model.queue.push({ key, name });
        ends.push(
          scheduler.schedule(key, () => {
            started.push(name);
            return new Promise<void>((resolve) => gates.set(name, { key, open: resolve }));
          }),
        );
      }
      pumpModel();
      await settle();
      expect({ step, started: started.length, queued: scheduler.queued }).toEqual({ step, started: model.started.length, queued: model.queue.length });
      mostQueued = Math.max(mostQueued, scheduler.queued);
    }
    expect(started).toEqual(model.started);
    expect(mostQueued).toBeGreaterThan(1000);
    for (const { open } of gates.values()) open();
    while (scheduler.running + scheduler.queued > 0) {
      for (const { open } of gates.values()) open();
      await settle();
    }
    await Promise.all(ends);
  });

  it("a task that throws frees its slot", async () => {
    const scheduler = createKeyedScheduler(1);
    await expect(scheduler.schedule("k", async () => { throw new Error("x"); })).rejects.toThrow("x");
    expect(await scheduler.schedule("k", async () => 1)).toBe(1);
  });
});

describe("compileNameGlob", () => {
  it("matches names with * and ? only, everything else literal", () => {
    const part = compileNameGlob("*.part");
    expect(["a.part", ".part", "x.y.part"].every((n) => part.test(n))).toBe(true);
    expect(["a.partx", "apart", "a.part/b"].some((n) => part.test(n))).toBe(false);
    expect(compileNameGlob("v?.mp4").test("v1.mp4")).toBe(true);
    expect(compileNameGlob("v?.mp4").test("v12.mp4")).toBe(false);
    expect(compileNameGlob("[a].(b)+").test("[a].(b)+")).toBe(true);
    expect(() => compileNameGlob("a/*")).toThrow(InvalidSpecError);
    expect(() => compileNameGlob("")).toThrow(InvalidSpecError);
  });
});

describe("createOutputTail", () => {
  it("keeps only the last bytes and counts all", () => {
    const tail = createOutputTail(8);
    tail.push("hello ");
    tail.push(Buffer.from("world!"));
    expect(tail.text()).toBe("o world!");
    tail.push("x".repeat(100));
    expect(tail.text()).toBe("xxxxxxxx");
    expect(tail.totalBytes).toBe(112);
  });
});

describe("formatArgv", () => {
  it("quotes what a reader would otherwise misread", () => {
    expect(formatArgv(["python3", "scripts/retry.py", "a b.mp4", "it's", "", "x\ny"])).toBe(`python3 scripts/retry.py 'a b.mp4' 'it'\\''s' '' "x\\ny"`);
  });
});

describe("owner resolution", () => {
  it("reads names and ids through getent; unknown names are errors", async () => {
    const owners = createOwnerResolver();
    expect(await owners.resolveOwner("nobody:nogroup")).toEqual({ uid: 65534, gid: 65534, label: "nobody:nogroup" });
    expect(await owners.resolveOwner("0:65534")).toEqual({ uid: 0, gid: 65534, label: "0:65534" });
    expect(await owners.resolveOwner("root")).toEqual({ uid: 0, gid: 0, label: "root" });
    await expect(owners.resolveOwner("no_such_user_vigia")).rejects.toThrow(OwnerLookupError);
    await expect(owners.resolveOwner("-x:y")).rejects.toThrow(/not a valid user name/);
    await expect(owners.resolveOwner("a:b:c")).rejects.toThrow(OwnerLookupError);
    const credentials = await owners.resolveCredentials({ uid: 65534, gid: 65534, label: "nobody" });
    expect(credentials.groups).toContain(65534);
  });
});

describe("hasPermission", () => {
  const bot = { uid: 1000, gid: 1000, groups: [1000, 44], label: "bot" };
  it("applies owner, then group, then other bits, like the kernel", () => {
    expect(hasPermission({ uid: 1000, gid: 0, mode: 0o500 }, bot, 2)).toBe(false); // owner bits win even if other allows
    expect(hasPermission({ uid: 1000, gid: 0, mode: 0o577 }, bot, 2)).toBe(false);
    expect(hasPermission({ uid: 0, gid: 44, mode: 0o070 }, bot, 3)).toBe(true);
    expect(hasPermission({ uid: 0, gid: 0, mode: 0o003 }, bot, 3)).toBe(true);
    expect(hasPermission({ uid: 0, gid: 0, mode: 0o755 }, bot, 2)).toBe(false);
    expect(hasPermission({ uid: 0, gid: 0, mode: 0 }, { ...bot, uid: 0 }, 7)).toBe(true);
  });
});
