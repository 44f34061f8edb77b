// Builds dist/ once before the suite: end-to-end tests run the real `bin/vigia.js` and child processes
// that import compiled modules, exactly as a user does after `npm install`.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export default function buildOnce() {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], {
      stdio: "inherit",
    });
  } catch {
    // tsc still emits on type errors; the type errors are printed above and the tests that need dist/ say the rest.
    console.error("global-setup: tsc reported errors (see above)");
  }
  // The shipped rules' ReDoS verdicts, computed once into the installation's cache (node_modules/.cache/vigia):
  // after a fresh `npm ci` each e2e child would otherwise spend seconds per regex before its banner.
  try {
    execFileSync(process.execPath, [join(root, "bin/vigia.js"), "check", "--rules", join(root, "rules")], { cwd: root, stdio: "pipe" });
  } catch (error) {
    console.error(`global-setup: vigia check on the shipped rules failed: ${error.stdout ?? error.message}`);
  }
}
