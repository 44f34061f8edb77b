import { describe, expect, it } from "@jest/globals";
import { runInNewContext } from "node:vm";
import { HttpError } from "grammy";
import { describeError, describeFsError } from "../../src/util/describe-error.js";

describe("describeError", () => {
  it("gives the message's first line, and String() of what is not an error", () => {
    expect(describeError(new Error("disk full\n    at write (fs.js:1:1)"))).toBe("disk full");
    expect(describeError("plain text")).toBe("plain text");
    expect(describeError(42)).toBe("42");
    expect(describeError(null)).toBe("null");
  });

  it("puts the errno code first when the message does not already say it", () => {
    const spawn = Object.assign(new Error("spawn nope ENOENT"), { code: "ENOENT" });
    expect(describeError(spawn)).toBe("spawn nope ENOENT");
    const bare = Object.assign(new Error("write failed"), { code: "ENOSPC" });
    expect(describeError(bare)).toBe("ENOSPC: write failed");
  });

  it("adds the wrapped network failure of a grammY HttpError", () => {
    const wrapped = new HttpError("Network request for 'sendMessage' failed!", new Error("connect ECONNREFUSED 127.0.0.1:1"));
    expect(describeError(wrapped)).toBe("Network request for 'sendMessage' failed! (connect ECONNREFUSED 127.0.0.1:1)");
  });

  it("reads errors of another realm, which fail instanceof Error", () => {
    const foreign = runInNewContext("new TypeError('from a vm context')");
    expect(foreign instanceof Error).toBe(false);
    expect(describeError(foreign)).toBe("from a vm context");
  });

  it("names an error with an empty message by its class", () => {
    expect(describeError(new RangeError(""))).toBe("RangeError");
  });
});

describe("describeFsError", () => {
  it("says the common cases in words and the rest by errno code", () => {
    const err = (code: string) => Object.assign(new Error(`${code}: x`), { code });
    expect(describeFsError(err("ENOENT"))).toBe("no such file or directory");
    expect(describeFsError(err("EACCES"))).toBe("permission denied");
    expect(describeFsError(err("EPERM"))).toBe("permission denied");
    expect(describeFsError(err("EISDIR"))).toBe("is a folder");
    expect(describeFsError(err("EMFILE"))).toBe("EMFILE");
    expect(describeFsError(new Error("no code"))).toBe("no code");
  });
});
