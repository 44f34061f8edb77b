// The records a busy Python Telegram download bot writes (format of fixtures/bot_central.log:
// `YYYY-MM-DD HH:MM:SS,mmm - logger - LEVEL - message`, tracebacks on the following lines), as templates the
// generator draws from. Each matching template names the default rule that should claim it (`rule`), so the
// benchmark can check every tool's count against the truth instead of against each other.

/** Models (folder names under modelos/) the bot downloads for. */
export const MODELS = [
  "ana", "pedro", "lucia", "sofia", "mateo", "valentina", "diego", "camila", "martin", "julieta",
  "tomas", "renata", "bruno", "isabella", "joaquin", "emma", "lautaro", "mia", "bautista", "olivia",
  "santino", "catalina", "felipe", "delfina", "benicio", "abril", "thiago", "alma", "gael", "zoe",
  "ramiro", "luz", "facundo", "ambar", "ignacio", "malena", "agustin", "jazmin", "nicolas", "paz",
];

const FFPROBE_HEX = ["0x55a217efd080", "0x5581c0a3e200", "0x7f3c9a01b4c0", "0x55d0be2f9a40"];

/**
 * One kind of record. `weight`: relative frequency. `render(c)` returns the record's lines joined by "\n" (no
 * trailing newline); `c` = { ts, m, v, n, hex } (timestamp prefix, model, video file name, a number, ffprobe
 * address). `rule`: the default rule that should claim the record as one event (absent for noise).
 */
export const NOISE_TEMPLATES = [
  {
    id: "descargando",
    weight: 90,
    download: true,
    render: (c) => `${c.ts} - bot_central - INFO - Descargando video para modelo ${c.m}: modelos/${c.m}/${c.v}`,
  },
  {
    id: "descarga_exitosa",
    weight: 85,
    render: (c) => `${c.ts} - bot_central - INFO - Descarga exitosa: modelos/${c.m}/${c.v} (${(c.n % 900) / 10 + 1} MB)`,
  },
  {
    id: "http_getupdates",
    weight: 260,
    render: (c) => `${c.ts} - httpx - INFO - HTTP Request: POST http://localhost:8081/bot***/getUpdates "HTTP/1.1 200 OK"`,
  },
  {
    id: "http_sendvideo",
    weight: 80,
    render: (c) => `${c.ts} - httpx - INFO - HTTP Request: POST http://localhost:8081/bot***/sendVideo "HTTP/1.1 200 OK"`,
  },
  {
    id: "ptb_debug_poll",
    weight: 120,
    render: (c) => `${c.ts} - telegram.ext.Updater - DEBUG - Network Retry Loop (Polling Updates): Getting updates (offset=${c.n})`,
  },
  {
    id: "config_debug",
    weight: 6,
    render: (c) => `${c.ts} - bot_central - DEBUG - config: read_timeout=30 write_timeout=30 connect_timeout=10 pool_timeout=5`,
  },
  {
    id: "usuario_pide",
    weight: 70,
    render: (c) => `${c.ts} - bot_central - INFO - Usuario ${100000 + (c.n % 900000)} pidió ${1 + (c.n % 9)} videos de ${c.m}`,
  },
  {
    id: "espacio_libre",
    weight: 10,
    render: (c) => `${c.ts} - bot_central - INFO - Espacio libre: ${(c.n % 500) / 10 + 5} GB`,
  },
  {
    id: "verificando",
    weight: 60,
    render: (c) => `${c.ts} - bot_central - INFO - Verificando video modelos/${c.m}/${c.v} con ffprobe`,
  },
  {
    id: "ffprobe_ok",
    weight: 55,
    render: (c) => `${c.ts} - bot_central - DEBUG - ffprobe: duration=${(c.n % 6000) / 10} s, codec=h264, 1280x720`,
  },
  {
    id: "reintentando",
    weight: 8,
    render: (c) => `${c.ts} - bot_central - WARNING - Reintentando descarga de modelos/${c.m}/${c.v} (intento ${1 + (c.n % 3)}/3)`,
  },
  {
    id: "apscheduler",
    weight: 12,
    render: (c) => `${c.ts} - apscheduler.executors.default - INFO - Job "limpieza_temporales (trigger: interval[0:10:00], next run at: 2025-12-25 15:00:00 -03)" executed successfully`,
  },
  {
    id: "chown_ok",
    weight: 3,
    render: (c) => `${c.ts} - bot_central - INFO - changing ownership of modelos/${c.m} to bot:bot done by setup`,
  },
  {
    id: "keyerror_traceback",
    weight: 3,
    render: (c) =>
      `${c.ts} - bot_central - WARNING - No se pudo leer los metadatos de modelos/${c.m}/${c.v}\n` +
      `Traceback (most recent call last):\n` +
      `  File "/home/bot/app/metadatos.py", line 41, in leer_metadatos\n` +
      `    duracion = info["format"]["duration"]\n` +
      `KeyError: 'duration'`,
  },
  // Near misses: the words are there, the rules must not fire (DEBUG records, PTB's empty long poll).
  {
    id: "debug_timed_out",
    weight: 1.2,
    render: (c) => `${c.ts} - telegram.ext.Updater - DEBUG - Timed out getting Updates: Timed out`,
  },
  {
    id: "debug_timeout_traceback",
    weight: 0.4,
    render: (c) =>
      `${c.ts} - telegram.ext.Updater - DEBUG - Network Retry Loop (Polling Updates): Timed out\n` +
      `Traceback (most recent call last):\n` +
      `  File "/usr/lib/python3/dist-packages/telegram/request/_httpxrequest.py", line 223, in do_request\n` +
      `    raise TimedOut from err\n` +
      `telegram.error.TimedOut: Timed out`,
  },
];

/** Records the six default rules must claim (about 1 % of the lines with the default weights). */
export const MATCH_TEMPLATES = [
  {
    id: "ruta_traceback",
    rule: "ruta_inexistente",
    weight: 2.5,
    render: (c) =>
      `${c.ts} - bot_central - ERROR - Error al guardar el video\n` +
      `Traceback (most recent call last):\n` +
      `  File "/home/bot/app/main.py", line 212, in guardar_video\n` +
      `    with open(destino, "wb") as f:\n` +
      `FileNotFoundError: [Errno 2] No such file or directory: 'modelos/${c.m}/${c.v}'`,
  },
  {
    id: "permisos_traceback",
    rule: "permisos",
    weight: 1.5,
    render: (c) =>
      `${c.ts} - bot_central - ERROR - No se pudo escribir el archivo\n` +
      `Traceback (most recent call last):\n` +
      `  File "/home/bot/app/main.py", line 212, in guardar_video\n` +
      `    with open(destino, "wb") as f:\n` +
      `PermissionError: [Errno 13] Permission denied: 'modelos/${c.m}/${c.v}'`,
  },
  {
    id: "timeout_traceback",
    rule: "timeout",
    weight: 2.5,
    render: (c) =>
      `${c.ts} - bot_central - ERROR - Error descargando modelos/${c.m}/${c.v}\n` +
      `Traceback (most recent call last):\n` +
      `  File "/usr/lib/python3/dist-packages/telegram/request/_httpxrequest.py", line 223, in do_request\n` +
      `    raise TimedOut from err\n` +
      `telegram.error.TimedOut: Timed out`,
  },
  {
    id: "corrupto_invalid_data",
    rule: "corrupto",
    weight: 1.2,
    render: (c) => `${c.ts} - bot_central - ERROR - Video corrupto: modelos/${c.m}/${c.v}: Invalid data found when processing input`,
  },
  {
    id: "corrupto_moov",
    rule: "corrupto",
    weight: 0.4,
    render: (c) => `${c.ts} - bot_central - ERROR - ffprobe: [mov,mp4,m4a,3gp,3g2,mj2 @ ${c.hex}] moov atom not found`,
  },
  {
    id: "disco_traceback",
    rule: "disco_lleno",
    weight: 0.4,
    render: (c) =>
      `${c.ts} - bot_central - ERROR - Fallo al escribir modelos/${c.m}/${c.v}\n` +
      `Traceback (most recent call last):\n` +
      `  File "/home/bot/app/main.py", line 219, in guardar_video\n` +
      `    f.write(chunk)\n` +
      `OSError: [Errno 28] No space left on device`,
  },
  {
    id: "servidor_traceback",
    rule: "servidor_caido",
    weight: 0.6,
    render: (c) =>
      `${c.ts} - telegram.ext.Updater - ERROR - Error while getting Updates: httpx.ConnectError: All connection attempts failed\n` +
      `Traceback (most recent call last):\n` +
      `  File "/usr/lib/python3/dist-packages/telegram/request/_httpxrequest.py", line 223, in do_request\n` +
      `    raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err\n` +
      `telegram.error.NetworkError: httpx.ConnectError: All connection attempts failed`,
  },
  {
    id: "servidor_line",
    rule: "servidor_caido",
    weight: 0.3,
    render: (c) => `${c.ts} - telegram.ext.Updater - ERROR - Error while getting Updates: httpx.ConnectError: All connection attempts failed`,
  },
];

/** Every template, noise first. */
export const ALL_TEMPLATES = [...NOISE_TEMPLATES, ...MATCH_TEMPLATES];

/** Fixed values to render one instance of a template when only its shape matters (counting what matches). */
export function makeSampleContext() {
  return { ts: "2025-12-25 14:30:20,131", m: "ana", v: "20251225_143020_a3f2b1.mp4", n: 12345, hex: FFPROBE_HEX[0] };
}

/** The ffprobe address of draw `n` (varies the moov-atom line). */
export function pickHex(n) {
  return FFPROBE_HEX[n % FFPROBE_HEX.length];
}
