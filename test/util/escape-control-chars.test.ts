import { describe, expect, it } from "@jest/globals";
import { escapeControlChars } from "../../src/util/escape-control-chars.js";
import { escapeHtml } from "../../src/notify/escape-html.js";

describe("escapeControlChars", () => {
  it("shows terminal controls, bidi overrides and isolates, and Unicode line separators as visible escapes", () => {
    expect(escapeControlChars("a\x1b[31mb\rc\x07")).toBe("a\\x1b[31mb\\x0dc\\x07");
    expect(escapeControlChars("x\u202egpj.exe\u202c \u2066y\u2069 \u200f\u061c")).toBe("x\\u202egpj.exe\\u202c \\u2066y\\u2069 \\u200f\\u061c");
    expect(escapeControlChars("uno\u2028dos\u2029tres\x85")).toBe("uno\\u2028dos\\u2029tres\\x85");
  });

  it("leaves newlines, tabs, accents, emoji (with their joiners) and ordinary text alone", () => {
    const text = "Descarga exitosa:\tmodelos/ñandú/vídeo 🎬 👨\u200d👩\u200d👧\nsegunda línea 日本語";
    expect(escapeControlChars(text)).toBe(text);
  });

  it("is applied to Telegram text together with the HTML escaping", () => {
    expect(escapeHtml("<b>\u202emal</b>")).toBe("&lt;b&gt;\\u202emal&lt;/b&gt;");
  });
});
