import { describe, expect, it } from "@jest/globals";
import { createSecretMasker, maskSecretsInText, SECRET_MASK, TELEGRAM_TOKEN_PATTERN } from "../../src/util/mask-secrets.js";

const TOKEN = "7012345678:AAE-abcdefghijklmnopqrstuvwxyz_0123";
const M = SECRET_MASK;

describe("maskSecretsInText", () => {
  it("masks token-shaped strings without registration, in a Bot API URL whatever the token's length", () => {
    expect(TELEGRAM_TOKEN_PATTERN.test(TOKEN)).toBe(true);
    expect(maskSecretsInText(`GET /bot${TOKEN}/getMe and ${TOKEN}`, [])).toBe(`GET /bot${M}/getMe and ${M}`);
    expect(maskSecretsInText("https://api.telegram.org/bot123456:ABCDEF_secret/sendMessage failed", [])).toBe(
      `https://api.telegram.org/bot${M}/sendMessage failed`,
    );
  });

  it("masks a token whose colon is percent-encoded, as urllib3 logs a file download's URL (`/file/bot<id>%3A<secret>/…`)", () => {
    const encoded = TOKEN.replace(":", "%3A");
    expect(maskSecretsInText(`Max retries exceeded with url: /file/bot${encoded}/videos/file_0.mp4`, [])).toBe(
      `Max retries exceeded with url: /file/bot${M}/videos/file_0.mp4`,
    );
    expect(maskSecretsInText(`url=${TOKEN.replace(":", "%3a")} ok`, [])).toBe(`url=${M} ok`);
  });

  it("masks Authorization headers, Bearer credentials, URL passwords and credential query parameters", () => {
    const cases: Array<[string, string]> = [
      ["headers: {'Authorization': 'Bearer eyJhbGciOi.abc.def'}", `headers: {'Authorization': 'Bearer ${M}'}`],
      ["Authorization: Basic dXNlcjpwYXNz", `Authorization: Basic ${M}`],
      ["rejected bearer abcdefgh12345678 by proxy", `rejected bearer ${M} by proxy`],
      ["GET https://bot:hunter2@backend.local/api", `GET https://bot:${M}@backend.local/api`],
      ["GET /api/files?user=ana&token=s3cr3tvalue&page=2", `GET /api/files?user=ana&token=${M}&page=2`],
      ["GET /login?password=hunter2#top", `GET /login?password=${M}#top`],
      ["db connect password=hunter2 host=db", `db connect password=${M} host=db`],
    ];
    for (const [input, expected] of cases) expect(maskSecretsInText(input, [])).toBe(expected);
  });

  it("leaves ordinary log text alone: timestamps, pids, paths and video names that merely contain a keyword", () => {
    const clean = [
      "2025-12-25 14:30:20,131 - bot_central - ERROR - pid 123456: ok",
      "FileNotFoundError: [Errno 2] No such file or directory: 'modelos/token/password_reset_20251225.mp4'",
      "Descarga exitosa: modelos/ana/20251225_143020_bot1234567.mp4 (35.2 MB) user@host",
      "ffmpeg -i in.mp4 -c copy -map 0 out.mp4 size=   10240kB time=00:01:02.00 bitrate=1351.2kbits/s",
      "Updating Bot API to 10.0 at http://127.0.0.1:8081 key_frames=12",
    ];
    for (const line of clean) expect(maskSecretsInText(line, [])).toBe(line);
  });

  it("returns the very same string when there is nothing to mask (no copy on the hot path)", () => {
    const line = "2025-12-25 14:30:20,131 - bot_central - INFO - progreso 45 %";
    expect(maskSecretsInText(line, ["a-configured-secret"])).toBe(line);
  });
});

describe("createSecretMasker", () => {
  it("masks registered secrets, the longest first, and ignores too-short ones", () => {
    const r = createSecretMasker();
    expect(r.addSecret("abcd")).toBe(true);
    expect(r.addSecret("abcd-longer-secret")).toBe(true);
    expect(r.addSecret("xyz")).toBe(false);
    expect(r.maskText("a abcd-longer-secret b abcd c xyz")).toBe(`a ${M} b ${M} c xyz`);
  });

  it("starts with the secrets it is given and keeps maskers independent", () => {
    const a = createSecretMasker(["only-in-a"]);
    const b = createSecretMasker();
    expect(a.maskText("x only-in-a")).toBe(`x ${M}`);
    expect(b.maskText("only-in-a")).toBe("only-in-a");
  });

  it("walks values: copies objects, flattens errors, survives cycles and odd types", () => {
    const r = createSecretMasker(["s3cret!"]);
    const cyclic: Record<string, unknown> = { v: "s3cret!" };
    cyclic.self = cyclic;
    const error = Object.assign(new Error("bad s3cret!"), { code: "EBAD" });
    const out = r.maskValue({ list: ["s3cret!", 1, null, 2n], cyclic, error, when: new Date(0) }) as Record<string, any>;
    expect(out.list).toEqual([M, 1, null, 2n]);
    expect(out.cyclic).toEqual({ v: M, self: "[circular]" });
    expect(out.error).toMatchObject({ name: "Error", message: `bad ${M}`, code: "EBAD" });
    expect(out.error.stack).not.toContain("s3cret!");
    expect(out.when).toBe("1970-01-01T00:00:00.000Z");
    expect(cyclic.v).toBe("s3cret!");
  });
});
