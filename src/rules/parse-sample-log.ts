import type { Problem } from "../util/problems.js";

/**
 * Annotated sample logs (fail2ban-style), `rules/samples/<rule-id>.log`:
 *
 *   # expect: {"rule": "ruta_inexistente", "fields": {"path": "modelos/ana/x.mp4", "dir": "modelos/ana"}}
 *   2025-12-25 14:30:20,118 - bot - ERROR - FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/x.mp4'
 *   # expect: none
 *   2025-12-25 14:30:21,000 - bot - INFO - timeout=30
 *
 * A `# expect:` line annotates the EVENT that follows it: every non-comment line up to the next
 * annotation, so a multi-line traceback is one event (blank lines inside it are kept, blank lines around
 * it dropped). The annotation is `none` or a JSON object: `rule` (the id that must claim the event),
 * `fields` (exactly the fields it must capture; omitted = none), and optionally `source` (the event's
 * source name, to exercise `sources` filters; omitted = the filters are not applied). Any other line
 * starting with `#` is a comment. Every event must be annotated.
 */
interface SampleExpectation {
  /** Null for `none`: no rule may claim the event. */
  rule: string | null;
  fields: Record<string, string>;
  source: string | null;
}

export interface SampleEvent {
  expect: SampleExpectation;
  /** 1-based line of the `# expect:` annotation. */
  annotationLine: number;
  /** 1-based line of the event's first line. */
  line: number;
  /** The event's lines joined with "\n", as the multiline grouper would deliver them. */
  text: string;
  lineCount: number;
}

const EXPECT_PREFIX = "# expect:";

/** Parses one sample log; malformed annotations and unannotated events come back as problems. */
export function parseSampleLog(content: string, file: string): { events: SampleEvent[]; problems: Problem[] } {
  const lines = content.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const events: SampleEvent[] = [];
  const problems: Problem[] = [];
  let current: { expect: SampleExpectation | null; annotationLine: number; body: Array<{ n: number; text: string }> } | null = null;
  let reportedUnannotated = false;

  const finish = (): void => {
    if (!current) return;
    const body = current.body;
    while (body.length > 0 && body[0]!.text.trim() === "") body.shift();
    while (body.length > 0 && body[body.length - 1]!.text.trim() === "") body.pop();
    if (body.length === 0) {
      problems.push({ file, line: current.annotationLine, field: "expect", message: "annotation without an event after it" });
    } else if (current.expect) {
      events.push({
        expect: current.expect,
        annotationLine: current.annotationLine,
        line: body[0]!.n,
        text: body.map((b) => b.text).join("\n"),
        lineCount: body.length,
      });
    }
    current = null;
  };

  lines.forEach((text, index) => {
    const n = index + 1;
    if (text.startsWith(EXPECT_PREFIX)) {
      finish();
      const parsed = parseExpectation(text.slice(EXPECT_PREFIX.length).trim());
      if (typeof parsed === "string") problems.push({ file, line: n, field: "expect", message: parsed });
      current = { expect: typeof parsed === "string" ? null : parsed, annotationLine: n, body: [] };
    } else if (text.startsWith("#")) {
      // a comment, also inside an event
    } else if (current) {
      current.body.push({ n, text });
    } else if (text.trim() !== "" && !reportedUnannotated) {
      reportedUnannotated = true;
      problems.push({ file, line: n, field: "expect", message: `event without a '${EXPECT_PREFIX}' annotation before it` });
    }
  });
  finish();
  return { events, problems };
}

/** The annotation's value, or a message saying what is wrong with it. */
function parseExpectation(raw: string): SampleExpectation | string {
  if (raw === "none") return { rule: null, fields: {}, source: null };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `annotation is neither 'none' nor JSON: ${(error as Error).message}`;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return "annotation must be 'none' or a JSON object";
  const { rule, fields = {}, source = null, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `unknown key '${unknown[0]}' in annotation (expected rule, fields, source)`;
  if (typeof rule !== "string" && rule !== null) return "annotation's 'rule' must be a rule id (or use 'none')";
  if (!fields || typeof fields !== "object" || Array.isArray(fields)) return "annotation's 'fields' must be an object";
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v !== "string") return `annotation's field '${k}' must be a string`;
  }
  if (source !== null && typeof source !== "string") return "annotation's 'source' must be a string";
  return { rule, fields: fields as Record<string, string>, source };
}
