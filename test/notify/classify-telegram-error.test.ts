import { describe, expect, it } from "@jest/globals";
import { GrammyError, HttpError } from "grammy";
import { classifyTelegramError, isNotModifiedError } from "../../src/notify/classify-telegram-error.js";
import { redactSecrets, createRedactingLogger } from "../../src/notify/redact-secrets.js";
import { describeError } from "../../src/util/describe-error.js";
import { captureLogger } from "../helpers/capture-logger.js";

const apiError = (error_code: number, description: string, parameters?: { retry_after?: number }) =>
  new GrammyError("Call to 'sendMessage' failed!", { ok: false, error_code, description, parameters }, "sendMessage", {});

describe("classifyTelegramError", () => {
  it("429 with retry_after → give_up: auto-retry alone waits retry_after, and gave it back as too long or too often", () => {
    expect(classifyTelegramError(apiError(429, "Too Many Requests: retry after 3", { retry_after: 3 }))).toBe("give_up");
  });

  it("429 without retry_after → backoff", () => {
    expect(classifyTelegramError(apiError(429, "Too Many Requests"))).toBe("backoff");
  });

  it("5xx and network errors → backoff", () => {
    expect(classifyTelegramError(apiError(502, "Bad Gateway"))).toBe("backoff");
    expect(classifyTelegramError(new HttpError("Network request for 'sendMessage' failed!", new Error("ECONNREFUSED")))).toBe("backoff");
  });

  it("4xx and anything else → give_up", () => {
    expect(classifyTelegramError(apiError(400, "Bad Request: chat not found"))).toBe("give_up");
    expect(classifyTelegramError(apiError(401, "Unauthorized"))).toBe("give_up");
    expect(classifyTelegramError(apiError(403, "Forbidden: bot was blocked by the user"))).toBe("give_up");
    expect(classifyTelegramError(new Error("bug"))).toBe("give_up");
  });

  it("recognises 'message is not modified'", () => {
    expect(isNotModifiedError(apiError(400, "Bad Request: message is not modified: specified new message content"))).toBe(true);
    expect(isNotModifiedError(apiError(400, "Bad Request: message to edit not found"))).toBe(false);
  });
});

describe("redaction", () => {
  const token = "123456:AAFAKE-TOKEN-abcdef";

  it("removes the token from a wrapped network error (node-fetch puts the URL in its message)", () => {
    const inner = new Error(`request to http://127.0.0.1:1/bot${token}/sendMessage failed, reason: connect ECONNREFUSED`);
    const text = redactSecrets(describeError(new HttpError("Network request for 'sendMessage' failed!", inner)), [token]);
    expect(text).toContain("ECONNREFUSED");
    expect(text).not.toContain(token);
    expect(text).not.toContain("AAFAKE");
  });

  it("removes token-shaped strings even when the token is unknown", () => {
    expect(redactSecrets("GET /bot987:xyz_ABC-1/getMe", [])).toBe("GET /bot***/getMe");
  });

  it("a redacting logger cleans messages and nested meta", () => {
    const { lines, logger } = captureLogger();
    const safe = createRedactingLogger(logger, [token]);
    safe.error(`failed ${token}`, { nested: { url: `https://x/bot${token}/m` }, err: new Error(token) });
    expect(lines.join("\n")).not.toContain(token);
    expect(lines[0]).toContain("***");
  });
});
