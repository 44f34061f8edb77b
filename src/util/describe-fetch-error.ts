/**
 * Why a `fetch` got no answer. fetch's TypeError ("fetch failed") hides the reason in `cause` (ECONNREFUSED,
 * ENOTFOUND…); a timeout is a DOMException named TimeoutError (from `AbortSignal.timeout` or `createTimeoutSignal`, sometimes as the cause),
 * a cancel one named AbortError. Duck-typed on purpose: a DOMException is not `instanceof Error` across realms
 * (jest's VM, workers). Each surface words the timeout in its own voice; `reason` is the English word or the cause.
 */
export type FetchFailure =
  | { kind: "timeout"; reason: "timeout" }
  | { kind: "aborted"; reason: "aborted" }
  | { kind: "network"; reason: string; code: string | null };

export function classifyFetchFailure(error: unknown): FetchFailure {
  const err = error as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown; name?: unknown } } | null;
  if (err?.name === "TimeoutError" || err?.cause?.name === "TimeoutError") return { kind: "timeout", reason: "timeout" };
  if (err?.name === "AbortError") return { kind: "aborted", reason: "aborted" };
  const code = typeof err?.cause?.code === "string" ? err.cause.code : null;
  if (code) return { kind: "network", reason: code, code };
  if (typeof err?.cause?.message === "string") return { kind: "network", reason: err.cause.message, code };
  return { kind: "network", reason: typeof err?.message === "string" ? err.message : String(error), code };
}

/** One word or code for a log line: `timeout`, `aborted`, `ECONNREFUSED`, or the cause's message. */
export function describeFetchError(error: unknown): string {
  return classifyFetchFailure(error).reason;
}
