import { describe, expect, it } from "@jest/globals";
import { TestScheduler } from "rxjs/testing";
import { maskLineSecrets } from "../../src/events/mask-line-secrets.js";
import { createSecretMasker } from "../../src/util/mask-secrets.js";
import type { SourceLine } from "../../src/types.js";

/** A line as a source emits it; stdin and child lines have no offsets. */
function makeLine(text: string, file = "<stdin>"): SourceLine {
  return { source: "bot", file, text, offset: -1, endOffset: -1, fileId: file, readAtMs: 0 };
}

describe("maskLineSecrets", () => {
  const maskText = createSecretMasker(["123456:ABCDEF_secret"]).maskText;

  it("masks configured and token-shaped secrets in each line of each batch, as the batches pass", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const a = [makeLine("POST /bot123456:ABCDEF_secret/sendMessage failed"), makeLine("2025-12-25 14:30:20,131 - INFO - ok")];
      const b = [makeLine("otro bot 7012345678:AAE-abcdefghijklmnopqrstuvwxyz_01234 rechazado", "<child:bot:stderr>")];
      const masked = {
        x: [makeLine("POST /bot***/sendMessage failed"), a[1]],
        y: [makeLine("otro bot *** rechazado", "<child:bot:stderr>")],
      };
      expectObservable(cold("-a-b-|", { a, b }).pipe(maskLineSecrets(maskText))).toBe("-x-y-|", masked);
    });
  });

  it("passes a clean batch through as the same array, and never modifies the lines it was given", () => {
    const clean = [makeLine("2025-12-25 14:30:20,131 - bot_central - INFO - Descarga exitosa: modelos/ana/v.mp4")];
    const dirty = [makeLine("token 123456:ABCDEF_secret")];
    const out: SourceLine[][] = [];
    new TestScheduler(() => undefined).run(({ cold, flush }) => {
      cold("ab|", { a: clean, b: dirty }).pipe(maskLineSecrets(maskText)).subscribe((v) => out.push(v));
      flush();
    });
    expect(out[0]).toBe(clean);
    expect(out[1]![0]!.text).toBe("token ***");
    expect(dirty[0]!.text).toBe("token 123456:ABCDEF_secret");
  });
});
