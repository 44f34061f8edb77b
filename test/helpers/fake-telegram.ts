// The fake Telegram Bot API lives in src/devtools so `vigia demo --telegram` can use it too.
export * from "../../src/devtools/fake-telegram.js";
