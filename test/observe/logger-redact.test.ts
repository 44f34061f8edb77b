import { describe, expect, it } from "@jest/globals";
import { createSecretRedactor, REDACTED, TELEGRAM_TOKEN_PATTERN } from "../../src/observe/log-redact.js";

const TOKEN = "7012345678:AAE-abcdefghijklmnopqrstuvwxyz_0123";

describe("createSecretRedactor", () => {
  it("masks token-shaped strings without registration", () => {
    const r = createSecretRedactor();
    expect(TELEGRAM_TOKEN_PATTERN.test(TOKEN)).toBe(true);
    expect(r.redactText(`GET /bot${TOKEN}/getMe and ${TOKEN}`)).toBe(`GET /bot${REDACTED}/getMe and ${REDACTED}`);
    // ordinary numbers with colons stay
    expect(r.redactText("2025-12-25 14:30:20 pid 123456: ok")).toBe("2025-12-25 14:30:20 pid 123456: ok");
  });

  it("masks registered secrets, the longest first, and ignores too-short ones", () => {
    const r = createSecretRedactor();
    expect(r.addSecret("abcd")).toBe(true);
    expect(r.addSecret("abcd-longer-secret")).toBe(true);
    expect(r.addSecret("xyz")).toBe(false);
    expect(r.redactText("a abcd-longer-secret b abcd c xyz")).toBe(`a ${REDACTED} b ${REDACTED} c xyz`);
  });

  it("keeps redactors independent", () => {
    const a = createSecretRedactor();
    const b = createSecretRedactor();
    a.addSecret("only-in-a");
    expect(b.redactText("only-in-a")).toBe("only-in-a");
  });

  it("walks values: copies objects, flattens errors, survives cycles and odd types", () => {
    const r = createSecretRedactor();
    r.addSecret("s3cret!");
    const cyclic: Record<string, unknown> = { v: "s3cret!" };
    cyclic.self = cyclic;
    const error = Object.assign(new Error("bad s3cret!"), { code: "EBAD" });
    const out = r.redactValue({ list: ["s3cret!", 1, null, 2n], cyclic, error, when: new Date(0) }) as Record<string, any>;
    expect(out.list).toEqual([REDACTED, 1, null, 2n]);
    expect(out.cyclic).toEqual({ v: REDACTED, self: "[circular]" });
    expect(out.error).toMatchObject({ name: "Error", message: `bad ${REDACTED}`, code: "EBAD" });
    expect(out.error.stack).not.toContain("s3cret!");
    expect(out.when).toBe("1970-01-01T00:00:00.000Z");
    expect(cyclic.v).toBe("s3cret!");
  });
});
