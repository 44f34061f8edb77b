const UNIT_MS = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration as people type it (`45s`, `30m`, `30 min`, `1.5h`, `2d`) in milliseconds; null when it is not one.
 * Zero and negative durations are not durations.
 */
export function parseDurationMs(text: string): number | null {
  const m = /^(\d+(?:[.,]\d+)?)\s*(s|min|m|h|d)$/i.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]!.replace(",", ".")) * UNIT_MS[m[2]!.toLowerCase() as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}
