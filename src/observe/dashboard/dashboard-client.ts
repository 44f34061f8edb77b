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
  function dosUnidades(grande, unidad, resto, unidadResto) {
    return resto ? grande + " " + unidad + " " + resto + " " + unidadResto : grande + " " + unidad;
  }
  function duracion(ms) {
    if (!isFinite(ms) || ms < 0) return "?";
    if (Math.round(ms) < 1000) return Math.round(ms) + " ms";
    var s = Math.round(ms / 1000);
    if (s < 60) return s + " s";
    if (s < 3600) return dosUnidades(Math.floor(s / 60), "min", s % 60, "s");
    var m = Math.floor(s / 60);
    if (m < 1440) return dosUnidades(Math.floor(m / 60), "h", m % 60, "min");
    var h = Math.floor(m / 60);
    return dosUnidades(Math.floor(h / 24), "d", h % 24, "h");
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
