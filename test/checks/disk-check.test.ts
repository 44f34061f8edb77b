import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import checkDiskSpaceModule from "check-disk-space";
import { createDiskCheck, decideDiskLevel, type DiskSpace } from "../../src/checks/disk-check.js";
import { createCheckScheduler, type CheckTransition } from "../../src/checks/check-scheduler.js";
import { runCheckOnce } from "../../src/checks/run-check.js";
import { makeTempDir } from "../helpers/temp-dir.js";

const GB = 1024 ** 3;
const checkDiskSpace = (
  typeof checkDiskSpaceModule === "function" ? checkDiskSpaceModule : (checkDiskSpaceModule as { default: unknown }).default
) as (path: string) => Promise<DiskSpace>;

let dir: string;
let cleanup: () => void;
let freeGb: number;
beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir());
  freeGb = (await checkDiskSpace(dir)).free / GB;
});
afterAll(() => cleanup());

describe("disk check on the real filesystem", () => {
  it("is ok when free space is above the warning level", async () => {
    const result = await runCheckOnce(createDiskCheck({ path: dir, warnGb: freeGb / 4, criticalGb: freeGb / 8 }));
    expect(result).toMatchObject({ ok: true, kind: "disk", check: `disk:${dir}` });
    expect(Number(result.fields.free_gb)).toBeCloseTo(freeGb, -1);
  });

  it("warns between the levels and opens a critical disco_lleno when critical_gb is above the free space", async () => {
    const warning = await runCheckOnce(createDiskCheck({ path: dir, warnGb: freeGb + 100, criticalGb: freeGb / 2 }));
    expect(warning).toMatchObject({ ok: false, severity: "warning", errorType: "disco_lleno", fields: { level: "warning" } });

    const critical = await runCheckOnce(createDiskCheck({ path: dir, label: "logs", warnGb: freeGb + 200, criticalGb: freeGb + 100 }));
    expect(critical).toMatchObject({ ok: false, severity: "critical", errorType: "disco_lleno", check: "disk:logs" });
    expect(critical.message).toMatch(/GB free on logs \(critical below \d+(\.\d+)? GB\)/);
  });

  it("resolves a path that does not exist yet to its first existing parent", async () => {
    const result = await runCheckOnce(createDiskCheck({ path: join(dir, "not", "yet"), warnGb: 0, criticalGb: 0 }));
    expect(result.ok).toBe(true);
  });
});

describe("disk hysteresis", () => {
  it("stays critical until free space is back above the warning level", () => {
    expect(decideDiskLevel(1, "ok", 5, 2)).toBe("critical");
    expect(decideDiskLevel(3, "critical", 5, 2)).toBe("critical");
    expect(decideDiskLevel(3, "ok", 5, 2)).toBe("warning");
    expect(decideDiskLevel(3, "warning", 5, 2)).toBe("warning");
    expect(decideDiskLevel(5.1, "critical", 5, 2)).toBe("ok");
  });

  it("does not flap around critical_gb: one down (escalated once), one up", async () => {
    const readings = [6, 4, 1.9, 2.1, 1.9, 2.2, 4.9, 5.5].map((gb) => gb * GB);
    let i = 0;
    const check = createDiskCheck({
      path: dir,
      warnGb: 5,
      criticalGb: 2,
      readDiskSpace: async () => ({ free: readings[i++]!, size: 100 * GB, diskPath: "/" }),
    });
    const transitions: CheckTransition[] = [];
    const scheduler = createCheckScheduler({ checks: [check], onTransition: (t) => transitions.push(t) });
    for (let n = 0; n < readings.length; n++) await scheduler.runAll();
    expect(transitions.map((t) => [t.state, t.result.severity])).toEqual([
      ["down", "warning"], // 4 GB
      ["down", "critical"], // 1.9 GB: severity rose, the engine folds it into the open incident
      ["up", "info"], // 5.5 GB: above the warning level at last
    ]);
    expect(transitions[1]!.result.message).toMatch(/critical below 2 GB/);
    expect(transitions[2]!.result.fields.level).toBe("ok");
  });
});
