// Text output of the benchmark: aligned tables, human units, the targets verdict.

/** `1 234 567` (thin grouping, as the README writes figures). */
export function formatInt(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

export function formatMB(bytes) {
  if (!bytes) return "–";
  return `${(bytes / 1048576).toFixed(bytes >= 100 * 1048576 ? 0 : 1)} MB`;
}

export function formatSeconds(ms) {
  if (ms === null || ms === undefined) return "–";
  return `${(ms / 1000).toFixed(ms >= 100_000 ? 0 : ms >= 10_000 ? 1 : 2)} s`;
}

export function formatMs(ms) {
  if (ms === null || ms === undefined) return "–";
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

/** A ratio as `12.3×` (or `0.05×`). */
export function formatRatio(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return "–";
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

/** Rows (arrays of cells) as a left/right aligned table: numbers right, text left; the first row is the header. */
export function formatTable(rows) {
  const widths = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell).length)));
  const isNumeric = (s) => /^[-\d\s.,×%]+(?: ?(?:s|ms|MB|×))?$/.test(s) || s === "–";
  return rows
    .map((row, r) =>
      row
        .map((cell, i) => {
          const s = String(cell);
          return r > 0 && i > 0 && isNumeric(s) ? s.padStart(widths[i]) : s.padEnd(widths[i]);
        })
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** One target line: `✔ met`, `✘ missed` or `– not measured`, with the figure and the goal. */
export function formatTarget(name, value, goal, met) {
  const mark = met === null ? "–  not measured" : met ? "✔  met        " : "✘  missed     ";
  return `  ${mark}  ${name}: ${value} (target ${goal})`;
}
