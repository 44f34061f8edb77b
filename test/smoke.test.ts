import { describe, expect, it } from "@jest/globals";
import { execa } from "execa";
import { firstValueFrom, of, toArray } from "rxjs";

describe("toolchain", () => {
  it("loads ESM-only packages under jest", async () => {
    const r = await execa("node", ["-e", "process.stdout.write('ok')"]);
    expect(r.stdout).toBe("ok");
    expect(await firstValueFrom(of(1, 2).pipe(toArray()))).toEqual([1, 2]);
  });
});
