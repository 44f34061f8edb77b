import type { NotifyLogger } from "../../src/notify/notify-logger.js";

/** A logger that keeps every line (message + JSON meta) for assertions. */
export function captureLogger(): { lines: string[]; logger: NotifyLogger } {
  const lines: string[] = [];
  const write =
    (level: string) =>
    (message: string, meta?: object): void => {
      lines.push(`${level}: ${message}${meta ? ` ${JSON.stringify(meta)}` : ""}`);
    };
  return { lines, logger: { info: write("info"), warn: write("warn"), error: write("error"), debug: write("debug") } };
}
