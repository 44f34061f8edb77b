/**
 * The stylesheet of the dashboard and of `report --html`: one column on a phone, a grid on wider screens, the
 * system's dark mode through prefers-color-scheme, chart colours as classes so both modes stay readable.
 */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light dark;
  --fondo: #f6f7f9; --panel: #ffffff; --texto: #1c2330; --tenue: #5d6878; --borde: #dde2ea;
  --ok: #1f8a4c; --mal: #c62f2f; --aviso: #b26a00; --acento: #2f5fd0;
  --s0: #2f5fd0; --s1: #d0652f; --s2: #2f9d6a; --s3: #a23fbf; --s4: #c9a21c; --s5: #1aa3b8; --s6: #d03f7a; --s7: #6b7a8f;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fondo: #12161d; --panel: #1b212b; --texto: #e4e8ef; --tenue: #9aa5b5; --borde: #2d3542;
    --ok: #4cc784; --mal: #ff6b6b; --aviso: #f0b44c; --acento: #7aa2ff;
    --s0: #7aa2ff; --s1: #ff9a66; --s2: #5fd39b; --s3: #d08cf0; --s4: #f0d060; --s5: #5fd8ea; --s6: #ff80b0; --s7: #a6b2c4;
  }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--fondo); color: var(--texto); }
header.cabecera { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1rem; padding: .8rem 1rem; border-bottom: 1px solid var(--borde); background: var(--panel); }
header.cabecera h1 { font-size: 1.2rem; margin: 0; }
.conexion { font-size: .85rem; color: var(--tenue); }
.conexion.viva::before { content: "● "; color: var(--ok); }
.conexion.caida::before { content: "● "; color: var(--mal); }
main { display: grid; gap: 1rem; padding: 1rem; grid-template-columns: 1fr; max-width: 1400px; margin: 0 auto; }
@media (min-width: 900px) { main { grid-template-columns: 1fr 1fr; } .ancha { grid-column: 1 / -1; } }
section { background: var(--panel); border: 1px solid var(--borde); border-radius: 10px; padding: .8rem 1rem; min-width: 0; }
h2 { font-size: 1.05rem; margin: .2rem 0 .6rem; }
h3 { font-size: .98rem; margin: 0 0 .2rem; display: flex; align-items: center; gap: .4rem; flex-wrap: wrap; }
.contador { display: inline-block; min-width: 1.6em; padding: 0 .45em; border-radius: 1em; background: var(--borde); font-size: .85rem; text-align: center; }
.cifras { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .6rem; }
.cifra { display: flex; flex-direction: column; padding: .5rem .7rem; border: 1px solid var(--borde); border-radius: 8px; }
.cifra .valor { font-size: 1.35rem; font-weight: 600; }
.cifra .nombre { font-size: .8rem; color: var(--tenue); }
.estado-general.estado-ok .valor { color: var(--ok); }
.estado-general.estado-degraded .valor { color: var(--mal); }
.ventana { margin-top: .7rem; display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.ventana a { padding: .25rem .7rem; border: 1px solid var(--borde); border-radius: 1em; color: var(--texto); text-decoration: none; }
.ventana a.activo { background: var(--acento); border-color: var(--acento); color: #fff; }
.actualizado, .sub { color: var(--tenue); font-size: .85rem; margin: .2rem 0; overflow-wrap: anywhere; }
.vacio { color: var(--tenue); }
.error { color: var(--mal); overflow-wrap: anywhere; }
.aviso { color: var(--aviso); font-size: .8rem; }
.tabla { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--borde); vertical-align: top; }
th { color: var(--tenue); font-weight: 600; font-size: .8rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; }
td.mensaje { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8rem; overflow-wrap: anywhere; min-width: 12rem; }
.estado { display: inline-block; padding: 0 .5em; border-radius: 1em; font-size: .8rem; border: 1px solid currentColor; white-space: nowrap; }
.estado-detectado { color: var(--aviso); } .estado-pendiente { color: var(--tenue); } .estado-reintentando { color: var(--acento); }
.estado-solucionado { color: var(--ok); } .estado-fallido { color: var(--mal); }
.tasa { display: inline-flex; align-items: center; gap: .4rem; white-space: nowrap; }
.barra-tasa { width: 4rem; height: .4rem; }
.barra-tasa .fondo { fill: var(--borde); } .barra-tasa .relleno { fill: var(--ok); }
.grafico { margin: 0; display: grid; grid-template-columns: auto 1fr; grid-template-rows: auto auto; column-gap: .4rem; }
.grafico .eje-y { grid-row: 1; grid-column: 1; display: flex; flex-direction: column; justify-content: space-between; text-align: right; }
.grafico .eje-x { grid-row: 2; grid-column: 2; display: flex; justify-content: space-between; }
.grafico .eje-y, .grafico .eje-x { color: var(--tenue); font-size: .75rem; font-variant-numeric: tabular-nums; }
.grafico .trazado { grid-row: 1; grid-column: 2; width: 100%; height: 140px; display: block; overflow: visible; }
.grafico-linea .trazado { height: 80px; }
.grafico .rejilla { stroke: var(--borde); stroke-width: 1; }
.grafico .linea { stroke: var(--acento); stroke-width: 1.5; }
.grafico .punto { stroke: var(--acento); stroke-width: 6; stroke-linecap: round; }
.grafico .punto.fallo { stroke: var(--mal); }
.serie-0 { fill: var(--s0); background: var(--s0); } .serie-1 { fill: var(--s1); background: var(--s1); }
.serie-2 { fill: var(--s2); background: var(--s2); } .serie-3 { fill: var(--s3); background: var(--s3); }
.serie-4 { fill: var(--s4); background: var(--s4); } .serie-5 { fill: var(--s5); background: var(--s5); }
.serie-6 { fill: var(--s6); background: var(--s6); } .serie-7 { fill: var(--s7); background: var(--s7); }
.leyenda { list-style: none; padding: 0; margin: .4rem 0 0; display: flex; flex-wrap: wrap; gap: .3rem .9rem; font-size: .85rem; }
.muestra { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
.rejilla-tarjetas { display: grid; gap: .7rem; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }
.tarjeta { border: 1px solid var(--borde); border-radius: 8px; padding: .5rem .7rem; min-width: 0; }
.punto-estado { width: .7rem; height: .7rem; border-radius: 50%; display: inline-block; }
.punto-estado.arriba { background: var(--ok); } .punto-estado.abajo { background: var(--mal); }
.estado-check { font-weight: normal; font-size: .85rem; color: var(--tenue); }
.stats { display: flex; flex-wrap: wrap; gap: .2rem .8rem; font-size: .85rem; margin: .2rem 0 .4rem; }
.recomendaciones li { margin: .2rem 0; }
`;
