/**
 * A tiny reader of the Prometheus text exposition format (0.0.4), enough to check values in tests:
 * `# HELP` / `# TYPE` lines and `name{label="value",…} number` samples, with `\\`, `\"`, `\n` escapes.
 */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  samples: Sample[];
  types: Map<string, string>;
  /** The value of the sample with exactly these labels (all of them), or undefined. */
  valueOf(name: string, labels?: Record<string, string>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/y;

export function parsePrometheusText(text: string): ParsedMetrics {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      else if (!line.startsWith("# HELP ")) throw new Error(`line ${i + 1}: unknown comment ${line}`);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      let pos = 0;
      while (pos < m[2].length) {
        LABEL.lastIndex = pos;
        const l = LABEL.exec(m[2]);
        if (!l) throw new Error(`line ${i + 1}: bad labels ${m[2]}`);
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
        pos = LABEL.lastIndex;
      }
    }
    const raw = m[3]!;
    // prom-client prints NaN as `Nan` (event loop lag before its first sample); Prometheus reads any case.
    const isNaNText = raw.toLowerCase() === "nan";
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : isNaNText ? NaN : Number(raw);
    if (Number.isNaN(value) && !isNaNText) throw new Error(`line ${i + 1}: bad value ${raw}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return {
    samples,
    types,
    valueOf(name, labels = {}) {
      const wanted = Object.entries(labels);
      return samples.find(
        (s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
      )?.value;
    },
  };
}
