/**
 * The page's only script, served as /dashboard.js. It opens the event stream for the page's window and swaps
 * in the sections the server renders; between updates it rewrites the "hace 3 min" ages from the browser's
 * clock (corrected by the server's time in each update). It never sends anything but that one GET.
 */
export const DASHBOARD_JS = `"use strict";
(function () {
  var horas = new URLSearchParams(location.search).get("horas");
  var conexion = document.getElementById("conexion");
  var desfaseMs = 0;
  function duracion(ms) {
    var s = Math.round(ms / 1000);
    if (ms < 1000) return Math.max(0, Math.round(ms)) + " ms";
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60);
    if (m < 60) return s % 60 ? m + " min " + (s % 60) + " s" : m + " min";
    var h = Math.floor(m / 60);
    return m % 60 ? h + " h " + (m % 60) + " min" : h + " h";
  }
  function refrescarEdades() {
    var ahora = Date.now() + desfaseMs;
    document.querySelectorAll("[data-desde]").forEach(function (el) {
      el.textContent = "hace " + duracion(Math.max(0, ahora - Number(el.getAttribute("data-desde"))));
    });
  }
  function marcar(viva, texto) {
    conexion.className = "conexion " + (viva ? "viva" : "caida");
    conexion.textContent = texto;
  }
  var fuente = new EventSource("/events" + (horas ? "?horas=" + encodeURIComponent(horas) : ""));
  fuente.addEventListener("secciones", function (evento) {
    var datos = JSON.parse(evento.data);
    desfaseMs = datos.ahora - Date.now();
    Object.keys(datos.secciones).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.innerHTML = datos.secciones[id];
    });
    document.body.setAttribute("data-actualizaciones", String(Number(document.body.getAttribute("data-actualizaciones") || "0") + 1));
    marcar(true, "en directo");
    refrescarEdades();
  });
  fuente.addEventListener("open", function () { marcar(true, "en directo"); });
  fuente.addEventListener("error", function () { marcar(false, "sin conexión, reintentando…"); });
  setInterval(refrescarEdades, 5000);
})();
`;
