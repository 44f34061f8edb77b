/**
 * A duration as people read it, in the units both voices share: `850 ms`, `7 s`, `2 min 5 s`, `1 h 3 min`,
 * `3 d 4 h` (two units at most, the smaller dropped when it is 0). The dashboard's browser script carries a copy
 * (`duracion` in dashboard-client.ts), held to the same output by its test.
 */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 60) return `${totalS} s`;
  if (totalS < 3600) return joinUnits(Math.floor(totalS / 60), "min", totalS % 60, "s");
  const totalMin = Math.floor(totalS / 60);
  if (totalMin < 1440) return joinUnits(Math.floor(totalMin / 60), "h", totalMin % 60, "min");
  const totalH = Math.floor(totalMin / 60);
  return joinUnits(Math.floor(totalH / 24), "d", totalH % 24, "h");
}

function joinUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}
