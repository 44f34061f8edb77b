/**
 * Every relative link in README.md, docs/*.md and bench/README.md points at a file that exists, and an `#anchor`
 * at a heading (GitHub's slugs) or an explicit `id` of that file; every page in docs/ is reachable from the README.
 */
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPO } from "../cli/cli-harness.js";

const PAGES = ["README.md", "bench/README.md", ...readdirSync(join(REPO, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** The page without fenced code blocks and inline code, where `[x](y)` is not a link. */
function stripCode(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to dashes; repeats get -1, -2… */
function listAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!
      .replace(/<[^>]+>/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

/** Relative link targets of a page: `[text](target)`, images included; external and mail links left out. */
function listRelativeLinks(text: string): string[] {
  return [...stripCode(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

describe("doc links", () => {
  it.each(PAGES.map((p) => [p]))("every relative link of %s resolves", (page) => {
    const text = readFileSync(join(REPO, page), "utf8");
    const broken: string[] = [];
    for (const link of listRelativeLinks(text)) {
      const [pathPart, anchor] = link.split("#") as [string, string | undefined];
      const target = pathPart === "" ? join(REPO, page) : resolve(dirname(join(REPO, page)), decodeURI(pathPart));
      if (!existsSync(target)) {
        broken.push(`${link}: no such file`);
        continue;
      }
      if (anchor === undefined || statSync(target).isDirectory()) continue;
      if (!target.endsWith(".md")) continue;
      if (!listAnchors(readFileSync(target, "utf8")).has(anchor)) broken.push(`${link}: no heading #${anchor} in ${relative(REPO, target)}`);
    }
    expect(broken).toEqual([]);
  });

  it("reaches every page of docs/ from the README", () => {
    const linked = new Set(listRelativeLinks(readFileSync(join(REPO, "README.md"), "utf8")).map((l) => l.split("#")[0]));
    const missing = PAGES.filter((p) => p.startsWith("docs/") && !linked.has(p));
    expect(missing).toEqual([]);
  });

  it("computes GitHub's anchors", () => {
    const anchors = listAnchors("# vigia's own status (`status.listen`, default `127.0.0.1:9464`)\n## Run it\n## Run it\n");
    expect([...anchors]).toEqual(["vigias-own-status-statuslisten-default-1270019464", "run-it", "run-it-1"]);
  });
});
