import { fileURLToPath } from "node:url";

/**
 * The file a worker thread runs, given the `import.meta.url` of the module that starts it and the worker
 * module's name beside it (`match-worker`). Compiled code finds the `.js` sibling; code run from TypeScript
 * sources (the test runner) takes the compiled twin under `dist/`, which a worker needs because it loads
 * plain JavaScript.
 */
export function resolveWorkerScript(callerUrl: string, name: string): string {
  const caller = fileURLToPath(callerUrl);
  if (!caller.endsWith(".ts")) return fileURLToPath(new URL(`./${name}.js`, callerUrl));
  const marker = "/src/";
  const at = caller.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot place the worker ${name} of ${caller}: not under src/`);
  const folder = caller.slice(at + marker.length, caller.lastIndexOf("/"));
  return `${caller.slice(0, at)}/dist/${folder}/${name}.js`;
}
