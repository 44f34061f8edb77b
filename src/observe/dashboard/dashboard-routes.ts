/**
 * The dashboard's routes on the status server: `/` (the page, rendered whole), `/dashboard.css` and
 * `/dashboard.js` (its assets, served by vigia: the page works with no network) and `/events` (server-sent
 * events). The stream is fed by the source's change stream — incident changes, check runs, rule reloads, unclaimed errors —
 * throttled so a burst of changes costs one render; there is no timer asking for state.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { auditTime } from "rxjs";
import type { StatusRoute } from "../status-server.js";
import { send } from "../status-server.js";
import { DASHBOARD_JS } from "./dashboard-client.js";
import type { DashboardSource } from "./dashboard-source.js";
import { DASHBOARD_CSS } from "./dashboard-style.js";
import { pickTimeWindow } from "./detection-timeline.js";
import { readDashboardSnapshot, renderDashboardSections, type DashboardSections } from "./render-dashboard.js";

export interface DashboardRoutesOptions {
  /** Quiet time that gathers a burst of changes into one update; default 250 ms. */
  throttleMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream; default 25 s. */
  keepAliveMs?: number;
  onError?: (error: unknown) => void;
}

/** Nothing but vigia's own files and its own event stream: no CDN, no inline script, no framing. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The routes to add to the status server. */
export function createDashboardRoutes(source: DashboardSource, options: DashboardRoutesOptions = {}): Record<string, StatusRoute> {
  const render = async (url: URL): Promise<{ nowMs: number; sections: DashboardSections }> => {
    const snap = await readDashboardSnapshot(source, pickTimeWindow(url.searchParams.get("horas")));
    return { nowMs: snap.nowMs, sections: renderDashboardSections(snap, source.redactText) };
  };
  return {
    "/": async (_req, res, url) => {
      const { sections } = await render(url);
      res.setHeader("Content-Security-Policy", PAGE_CSP);
      res.setHeader("X-Frame-Options", "DENY");
      send(res, 200, "text/html; charset=utf-8", renderDashboardPage(sections));
    },
    "/dashboard.css": (_req, res) => send(res, 200, "text/css; charset=utf-8", DASHBOARD_CSS),
    "/dashboard.js": (_req, res) => send(res, 200, "text/javascript; charset=utf-8", DASHBOARD_JS),
    "/events": (req, res, url) => streamSections(req, res, () => render(url), source, options),
  };
}

function streamSections(
  req: IncomingMessage,
  res: ServerResponse,
  render: () => Promise<{ nowMs: number; sections: DashboardSections }>,
  source: DashboardSource,
  options: DashboardRoutesOptions,
): void {
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    // Reverse proxies (nginx) buffer responses by default; an event stream must pass through at once.
    "X-Accel-Buffering": "no",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  res.write("retry: 2000\n\n");
  let closed = false;
  let rendering = Promise.resolve();
  const push = (): void => {
    rendering = rendering.then(async () => {
      if (closed) return;
      try {
        const { nowMs, sections } = await render();
        if (!closed) res.write(`event: secciones\ndata: ${JSON.stringify({ ahora: nowMs, secciones: sections })}\n\n`);
      } catch (error) {
        options.onError?.(error);
      }
    });
  };
  push();
  const subscription = source.changes$.pipe(auditTime(options.throttleMs ?? 250)).subscribe(() => push());
  const keepAlive = setInterval(() => res.write(": sigo aquí\n\n"), options.keepAliveMs ?? 25_000);
  keepAlive.unref();
  const close = (): void => {
    if (closed) return;
    closed = true;
    subscription.unsubscribe();
    clearInterval(keepAlive);
  };
  req.on("close", close);
  res.on("close", close);
}

const SECTIONS: ReadonlyArray<{ id: string; wide: boolean }> = [
  { id: "resumen", wide: true },
  { id: "abiertos", wide: true },
  { id: "detecciones", wide: false },
  { id: "tipos", wide: true },
  { id: "desconocidos", wide: true },
  { id: "comprobaciones", wide: true },
  { id: "fuentes", wide: false },
  { id: "reglas", wide: false },
  { id: "avisos", wide: false },
];

/** The whole page around the sections (Spanish, admin surface). */
function renderDashboardPage(sections: DashboardSections): string {
  const body = SECTIONS.map(({ id, wide }) => `<section id="${id}"${wide ? ' class="ancha"' : ""}>${sections[id] ?? ""}</section>`).join("\n");
  return `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>vigia · panel</title>
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header class="cabecera"><h1>vigia · panel</h1><span id="conexion" class="conexion">conectando…</span><span class="sub">Solo lectura: nada en esta página cambia nada.</span></header>
<main>
${body}
</main>
</body>
</html>
`;
}
