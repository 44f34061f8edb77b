// A jest reporter: after the run, lists the tests that were skipped and why (the reason a skipped block's name
// carries, see environment.ts), so a green run on a machine without root or a program says what it did not test.
// Tests a `-t` filter leaves out are reported by jest as skipped too; they were not asked for, so they are not listed.
const MARK = /\[skipped: ([^\]]*)\]/;

export default class SkipReasonsReporter {
  constructor(globalConfig) {
    // jest matches the filter the same way: case-insensitive, against the describe titles and the test's, joined.
    this.selected = globalConfig.testNamePattern ? new RegExp(globalConfig.testNamePattern, "i") : null;
  }

  onRunComplete(_contexts, results) {
    const byReason = new Map();
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status !== "pending" && test.status !== "skipped" && test.status !== "todo") continue;
        if (this.selected && !this.selected.test(test.fullName)) continue;
        const reason = MARK.exec(test.fullName)?.[1] ?? "skipped in the test file without a reason";
        const files = byReason.get(reason) ?? new Map();
        files.set(file.testFilePath, (files.get(file.testFilePath) ?? 0) + 1);
        byReason.set(reason, files);
      }
    }
    if (byReason.size === 0) return;
    const lines = ["Skipped on this machine:"];
    for (const [reason, files] of byReason) {
      const count = [...files.values()].reduce((a, b) => a + b, 0);
      const where = [...files.keys()].map((path) => path.slice(path.indexOf("/test/") + 1)).join(", ");
      lines.push(`  ${count} test${count === 1 ? "" : "s"}: ${reason} (${where})`);
    }
    process.stderr.write(`${lines.join("\n")}\n`);
  }
}
