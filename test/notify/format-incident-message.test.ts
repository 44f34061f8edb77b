import { describe, expect, it } from "@jest/globals";
import {
  buildTemplateFields,
  describeDetection,
  describeEstado,
  describeProgress,
  extractKeyLine,
  formatIncidentMessage,
} from "../../src/notify/format-incident-message.js";
import { escapeHtmlCut } from "../../src/notify/escape-html.js";
import { advance, makeIncident, makeMissingPathRule, MISSING_PATH_LINE, TRACEBACK } from "../helpers/make-incident.js";

describe("extractKeyLine", () => {
  it("keeps a single line as is", () => {
    expect(extractKeyLine(MISSING_PATH_LINE)).toBe(MISSING_PATH_LINE);
  });

  it("takes the exception line of a traceback (last non-empty line)", () => {
    expect(extractKeyLine(TRACEBACK)).toBe("httpx.RemoteProtocolError: Server disconnected without sending a response.");
  });

  it("skips docker compose prefixes and a trailing traceback header", () => {
    const text = [
      "bot_1  | httpcore.ConnectError: All connection attempts failed",
      "bot_1  |",
      "bot_1  | Traceback (most recent call last):",
    ].join("\n");
    expect(extractKeyLine(text)).toBe("httpcore.ConnectError: All connection attempts failed");
  });
});

describe("formatIncidentMessage", () => {
  it("reads like the seed's alert: header, the type's sentence, Modelo, Video, time, progress; then action, reason, key line, id", () => {
    const inc = advance(makeIncident({ id: "abc123" }), "fallido", { accion: "mkdir -p modelos/ana", intento: 3 }, "EACCES: permiso denegado");
    expect(formatIncidentMessage(inc, makeMissingPathRule())).toBe(
      [
        "⚠️ <b>Monitor de Descargas</b>",
        "",
        "Error de ruta inexistente detectado",
        "Modelo: <code>ana</code>",
        "Video: <code>v1.mp4</code>",
        "Hora: 2024-05-01 10:00:00",
        "❌ No se pudo corregir: necesita intervención",
        "Acción: mkdir -p modelos/ana",
        "Motivo: EACCES: permiso denegado",
        `<pre>2024-05-01 10:00:00,123 - bot - ERROR - FileNotFoundError: [Errno 2] No such file or directory: 'modelos/ana/v1.mp4'</pre>`,
        "ruta_inexistente · fallido · intento 3/3 · id: <code>abc123</code>",
      ].join("\n"),
    );
  });

  it("has one sentence per seed error type, in the seed's voice, and the same form for any other rule", () => {
    expect(["timeout", "ruta_inexistente", "permisos", "corrupto", "disco_lleno", "servidor_caido", "mi_regla"].map(describeDetection)).toEqual([
      "Error de timeout detectado",
      "Error de ruta inexistente detectado",
      "Error de permisos detectado",
      "Archivo corrupto detectado",
      "Disco lleno detectado",
      "Servidor caído detectado",
      "Error de mi_regla detectado",
    ]);
  });

  it("says what is being done, and how it ended", () => {
    const inc = makeIncident();
    expect(describeProgress(inc, makeMissingPathRule())).toBe("Reintentando automáticamente…");
    expect(describeProgress(inc, makeMissingPathRule({ actions: [] }))).toBe("Solo aviso: sin corrección automática");
    expect(describeProgress(inc, makeMissingPathRule({ actions: [], resolveOn: { source: "x" } as never }))).toBe("Esperando a que el bot lo reintente…");
    expect(describeProgress(advance(inc, "reintentando", { intento: 2 }), makeMissingPathRule())).toBe("Reintentando automáticamente… (reintento 2/3)");
    expect(describeProgress(advance(inc, "solucionado"), makeMissingPathRule())).toBe("✅ Solucionado automáticamente en 7 s");
    expect(describeProgress(advance(inc, "pendiente", {}, "esperando causa raíz: servidor_caido srv-1"), makeMissingPathRule())).toBe(
      "⏸ En espera: primero se resuelve la causa raíz",
    );
    expect(describeProgress(advance(inc, "pendiente", { intento: 0, accion: "mkdir -p modelos/ana" }), makeMissingPathRule())).toBe("Reintentando automáticamente…");
  });

  it("a fixed incident shows how long it took and the step's detail", () => {
    const inc = advance(makeIncident(), "solucionado", { accion: "mkdir -p modelos/ana", intento: 1 }, "carpeta creada");
    const html = formatIncidentMessage(inc, makeMissingPathRule());
    expect(html).toContain("\n✅ Solucionado automáticamente en 7 s\nAcción: mkdir -p modelos/ana\nDetalle: carpeta creada\n");
  });

  it("says what each state means to the admin", () => {
    const inc = makeIncident({ intento: 2 });
    expect(describeEstado(advance(inc, "reintentando", { intento: 2 }))).toBe("⏳ reintento 2/3");
    expect(describeEstado(advance(inc, "solucionado"))).toBe("✅ solucionado automáticamente en 7 s");
    expect(describeEstado(advance(inc, "fallido", {}, "causa raíz: servidor_caido srv-1"))).toBe(
      "❌ fallido por causa raíz servidor_caido srv-1",
    );
    expect(describeEstado(advance(inc, "pendiente"))).toBe("⏸ pendiente (espera a la causa raíz)");
    // The fix itself (attempt 0) runs in pendiente too; waiting for a root cause says so in its detalle.
    const fresh = makeIncident({ intento: 0 });
    expect(describeEstado(advance(fresh, "pendiente", { intento: 0, accion: "mkdir -p modelos/ana" }))).toBe("🔧 aplicando la corrección");
    expect(describeEstado(advance(fresh, "pendiente", {}, "esperando causa raíz: servidor_caido srv-1"))).toBe("⏸ pendiente (espera a la causa raíz)");
  });

  it("escapes HTML from the log line and keeps critical icon", () => {
    const inc = makeIncident({ severidad: "critical", error_message: "boom <script> & 'x' > y", modelo: null, video: null });
    const html = formatIncidentMessage(inc, makeMissingPathRule());
    expect(html).toContain("<pre>boom &lt;script&gt; &amp; 'x' &gt; y</pre>");
    expect(html.startsWith("🚨 ")).toBe(true);
    expect(html).not.toContain("Modelo:");
  });

  it("cuts a huge line so the whole message fits 4096 characters", () => {
    const inc = makeIncident({ error_message: "&".repeat(50_000), accion: "x".repeat(10_000) });
    const html = formatIncidentMessage(inc, makeMissingPathRule());
    expect(html.length).toBeLessThanOrEqual(4096);
    expect(html).toMatch(/&amp;…<\/pre>/); // cut between entities, never inside one
  });

  it("uses the rule's notify_template with {campo} placeholders and a fallback for missing fields", () => {
    const rule = makeMissingPathRule({ notifyTemplate: "{icono} {regla}: {modelo}/{video} <{path}> {estado_texto} [{nope}]" });
    const inc = advance(makeIncident(), "reintentando", { intento: 2 });
    expect(formatIncidentMessage(inc, rule)).toBe(
      "⚠️ ruta_inexistente: ana/v1.mp4 &lt;modelos/ana/v1.mp4&gt; ⏳ reintento 2/3 [—]",
    );
    expect(buildTemplateFields(inc, rule)).toMatchObject({ intento: "2", linea_clave: MISSING_PATH_LINE, clave: inc.clave });
  });
});

describe("helpers", () => {
  it("escapeHtmlCut never splits an emoji", () => {
    const cut = escapeHtmlCut("😀".repeat(10), 5);
    expect(cut).toBe("😀😀…");
  });
});
