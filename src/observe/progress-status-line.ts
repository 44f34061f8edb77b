import { Writable } from "node:stream";

/**
 * One line at the bottom of a terminal that is redrawn in place (`\r`, erase to end of line), with the log lines
 * scrolling above it: `logStream` is what the console logger writes to; each log line first erases the status
 * line, then the status line is drawn again under it. Without this, a log line would start in the middle of the
 * status line.
 */
export interface StatusLine {
  /** The console logger's stream: writes go to the terminal around the status line. */
  readonly logStream: NodeJS.WritableStream;
  /** Draws `text` as the status line (cut to the terminal's width: a wrapped line cannot be redrawn). */
  show(text: string): void;
  /** Ends the status line with `text` as an ordinary line; nothing is redrawn until the next `show`. */
  finish(text: string): void;
  /** Leaves the status line shown now (if any) as an ordinary line: the process is stopping. */
  release(): void;
}

const ERASE_LINE = "\r\u001b[K";

export function createStatusLine(terminal: NodeJS.WriteStream): StatusLine {
  let shown: string | null = null;
  const fit = (text: string): string => {
    const columns = terminal.columns;
    return columns && columns > 1 && text.length >= columns ? `${text.slice(0, columns - 2)}…` : text;
  };
  const logStream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      terminal.write(shown === null ? text : `${ERASE_LINE}${text}${shown}`);
      callback();
    },
  });
  // The logger colours its lines when its stream is a terminal, as it would on the terminal itself.
  Object.assign(logStream, { isTTY: true });
  return {
    logStream,
    show(text) {
      shown = fit(text);
      terminal.write(`${ERASE_LINE}${shown}`);
    },
    finish(text) {
      shown = null;
      terminal.write(`${ERASE_LINE}${text}\n`);
    },
    release() {
      if (shown !== null) terminal.write("\n");
      shown = null;
    },
  };
}
