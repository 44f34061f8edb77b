/** The minimal logger the notifier needs; winston's logger fits, so does a test capture. */
export interface NotifyLogger {
  info(message: string, meta?: object): void;
  warn(message: string, meta?: object): void;
  error(message: string, meta?: object): void;
  debug(message: string, meta?: object): void;
}

/** A logger that discards everything (the default when none is given). */
export const SILENT_LOGGER: NotifyLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
