import { describe, expect, it } from "@jest/globals";
import { redactUrl } from "../../src/util/redact-url.js";

describe("redactUrl", () => {
  it("drops credentials, query and fragment, keeps the path", () => {
    expect(redactUrl("http://user:pw@127.0.0.1:8080/status?token=SECRET#x")).toBe("http://127.0.0.1:8080/status");
    expect(redactUrl(new URL("https://backend.local"))).toBe("https://backend.local/");
  });

  it("masks a bot token in a Bot API path, keeping the method", () => {
    expect(redactUrl("http://localhost:8081/bot123456:AAE-secret_part/getMe")).toBe("http://localhost:8081/bot***/getMe");
  });

  it("says so when the text is not a URL", () => {
    expect(redactUrl("not a url")).toBe("<invalid url>");
  });
});
