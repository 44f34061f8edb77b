/** Short human duration in Spanish units: `850 ms`, `7 s`, `2 min 5 s`, `1 h 3 min`. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 60) return `${totalS} s`;
  if (totalS < 3600) {
    const s = totalS % 60;
    return s ? `${Math.floor(totalS / 60)} min ${s} s` : `${totalS / 60} min`;
  }
  const totalMin = Math.floor(totalS / 60);
  const min = totalMin % 60;
  return min ? `${Math.floor(totalMin / 60)} h ${min} min` : `${totalMin / 60} h`;
}
