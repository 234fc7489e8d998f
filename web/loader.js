// Loads Vernissage in the page: checks for WebGL 2, downloads the wasm module and the
// exhibition's level and assets with a real progress bar (bytes), starts the module through
// wasm-bindgen's glue, and keeps the loading screen until the game has drawn its first frame.
// Errors (a failed download, a panic, a lost GL context) become a readable panel instead of a
// blank page.
//
// The game itself marks <body data-state="running"> once it runs, and on a panic writes its
// message into #problem and sets data-state="error" (src/web/mod.rs).

const GLUE_URL = new URL('./vernissage.js', import.meta.url);
const WASM_URL = new URL('./vernissage_bg.wasm', import.meta.url);

const body = document.body;
const canvas = document.getElementById('vernissage-canvas');
const bar = document.getElementById('loading-bar');
const fill = document.getElementById('loading-fill');
const statusLine = document.getElementById('loading-status');
const detailLine = document.getElementById('loading-detail');

// --- Page state -------------------------------------------------------------------------------

const state = () => body.dataset.state;

function setState(next) {
  body.dataset.state = next;
}

/** Shows the error panel (unless the game already put its own message there). */
function showProblem(title, detail) {
  if (state() === 'error') return;
  const panel = document.getElementById('problem');
  panel.innerText = `${title}\n\n${detail}`;
  setState('error');
  console.error(`Vernissage: ${title}: ${detail}`);
}

function progress(fraction, status, detail) {
  if (fraction == null) {
    bar.classList.add('indeterminate');
    bar.removeAttribute('aria-valuenow');
  } else {
    bar.classList.remove('indeterminate');
    const percent = Math.max(0, Math.min(100, fraction * 100));
    fill.style.width = `${percent.toFixed(1)}%`;
    bar.setAttribute('aria-valuenow', String(Math.round(percent)));
  }
  if (status != null) statusLine.textContent = status;
  if (detail != null) detailLine.textContent = detail || '\u00a0';
}

function mib(bytes) {
  return (bytes / 1024 / 1024).toFixed(1);
}

for (const button of document.querySelectorAll('button.reload')) {
  button.addEventListener('click', () => location.reload());
}

// --- Errors that escape the game ----------------------------------------------------------------

function describe(error) {
  if (error == null) return 'unknown error';
  if (error instanceof Error) {
    const stack = String(error.stack || '');
    return stack.includes(error.message) ? stack : `${error.name}: ${error.message}\n${stack}`;
  }
  return String(error);
}

function isFatal(error) {
  // A trap in the module (after a panic, or a stack overflow) ends the game for good.
  return typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError;
}

window.addEventListener('error', (event) => {
  if (isFatal(event.error)) showProblem('The gallery stopped because of an error', describe(event.error));
});
window.addEventListener('unhandledrejection', (event) => {
  if (isFatal(event.reason)) showProblem('The gallery stopped because of an error', describe(event.reason));
});

canvas.addEventListener('webglcontextlost', () => {
  showProblem(
    'The browser took the gallery\u2019s graphics away',
    'The WebGL context was lost (the graphics driver restarted, or the browser reclaimed memory). ' +
      'Reload the page to open the gallery again.',
  );
});

// --- WebGL 2 ---------------------------------------------------------------------------------------

function webgl2Problem() {
  if (typeof WebAssembly !== 'object') return 'This browser does not run WebAssembly.';
  try {
    const probe = document.createElement('canvas');
    const gl = probe.getContext('webgl2');
    if (!gl) return 'canvas.getContext("webgl2") returned nothing.';
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return null;
  } catch (e) {
    return `canvas.getContext("webgl2") failed: ${e && e.message}`;
  }
}

// --- The first frame ----------------------------------------------------------------------------
// The game draws into the canvas's WebGL 2 context; its first draw call means a frame with
// something in it (the title screen's text, the gallery) is on its way to the screen. (Frames
// before that only clear: wgpu clears without drawing and presents with blitFramebuffer, so
// neither counts: the curtain would lift on an empty colour.)

let firstFrameSeen = false;
const hooked = new WeakSet();
const DRAW_CALLS = [
  'drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced', 'drawRangeElements',
];

function hookFirstDraw(gl) {
  if (hooked.has(gl)) return;
  hooked.add(gl);
  const unhook = () => {
    for (const name of DRAW_CALLS) delete gl[name];
  };
  for (const name of DRAW_CALLS) {
    const original = gl[name];
    if (typeof original !== 'function') continue;
    gl[name] = function (...args) {
      unhook();
      onFirstDraw();
      return original.apply(this, args);
    };
  }
}

const getContext = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
  const context = getContext.call(this, type, ...rest);
  if (this === canvas && context && !firstFrameSeen && (type === 'webgl2' || type === 'webgl')) {
    hookFirstDraw(context);
  }
  return context;
};

function onFirstDraw() {
  if (firstFrameSeen) return;
  firstFrameSeen = true;
  // Two animation frames: the drawn frame has been composited before the curtain lifts.
  requestAnimationFrame(() => requestAnimationFrame(() => reveal('drawn')));
}

let revealed = false;
function reveal(how) {
  if (revealed) return;
  revealed = true;
  progress(1, 'Welcome.', '');
  body.dataset.frame = how;
  if (state() === 'running') canvas.focus({ preventScroll: true });
  showTouchHint();
}

// --- Keyboard focus and pointer ------------------------------------------------------------------
// The game reads keys from the canvas (it has a tabindex), so the canvas must have the focus.

canvas.addEventListener('pointerdown', () => {
  if (document.activeElement !== canvas) canvas.focus({ preventScroll: true });
});

document.addEventListener('keydown', (event) => {
  const active = document.activeElement;
  if (state() === 'running' && (!active || active === body || active === document.documentElement)) {
    canvas.focus({ preventScroll: true });
  }
  // Keep the page itself from scrolling on Space and the arrows when the focus strays.
  if (event.target === body && [' ', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown'].includes(event.key)) {
    event.preventDefault();
  }
});

// --- Touch ----------------------------------------------------------------------------------------

function showTouchHint() {
  const coarse = matchMedia('(pointer: coarse)').matches && !matchMedia('(pointer: fine)').matches;
  if (!coarse || state() !== 'running') return;
  const hint = document.getElementById('touch-hint');
  try {
    if (sessionStorage.getItem('vernissage.touch-hint') === 'seen') return;
  } catch {
    // storage disabled: show it every time
  }
  hint.hidden = false;
  const close = () => {
    hint.hidden = true;
    try {
      sessionStorage.setItem('vernissage.touch-hint', 'seen');
    } catch {
      // ignore
    }
  };
  hint.querySelector('button.dismiss').addEventListener('click', close);
  setTimeout(close, 12000);
}

// --- Download with progress ---------------------------------------------------------------------
// One bar for every byte the visitor waits for: the module, the level file and the pictures and
// models it names. The figures shown are what crosses the network.

const downloads = {
  wasm: { loaded: 0, total: 0, wire: 1, finished: false },
  level: { loaded: 0, total: 0, finished: false },
  started: performance.now(),
  done: false,
};

/** Marks one download finished; once both are, the bar moves on to preparing the game. */
function finishDownload(tally) {
  tally.finished = true;
  if (downloads.done || !downloads.wasm.finished || !downloads.level.finished) return;
  downloads.done = true;
  progress(0.92, 'Preparing the gallery…', '');
}

function reportDownloads() {
  if (downloads.done) return;
  const { wasm, level } = downloads;
  const loaded = wasm.loaded * wasm.wire + level.loaded;
  const seconds = (performance.now() - downloads.started) / 1000;
  const rate = seconds > 0.5 ? ` · ${mib(loaded / seconds)} MiB/s` : '';
  if (wasm.total > 0) {
    const total = wasm.total * wasm.wire + level.total;
    progress(0.9 * Math.min(1, loaded / total), 'Downloading the gallery…',
      `${mib(loaded)} of ${mib(total)} MiB${rate}`);
  } else {
    progress(null, 'Downloading the gallery…', `${mib(loaded)} MiB${rate}`);
  }
}

/**
 * The exhibition the game will open, by the same rule as `level_path` in src/web/mod.rs:
 * `?level=NAME` (levels/NAME.ron), `?level=PATH.ron`, `?level=URL`, or the bundled one. Its
 * assets are relative to the exhibition root: the folder above levels/, else the level's own.
 */
function levelLocation() {
  const param = (new URLSearchParams(location.search).get('level') || '').trim();
  let path = 'levels/default.ron';
  if (/^https?:\/\//.test(param)) path = param;
  else if (param.endsWith('.ron')) path = param.replace(/^\/+/, '');
  else if (param) path = `levels/${param}.ron`;
  const url = new URL(path, location.href);
  const folder = new URL('.', url);
  const root = folder.pathname.endsWith('/levels/') ? new URL('..', folder) : folder;
  return { url, root };
}

/** Reads a response to the end, adding its bytes to `tally`. */
async function countBody(response, tally) {
  if (!response.body) {
    const bytes = (await response.arrayBuffer()).byteLength;
    tally.loaded += bytes;
    reportDownloads();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    tally.loaded += value.byteLength;
    reportDownloads();
  }
}

/**
 * Downloads the level and every asset it names while the module downloads, so the bar counts
 * them and the game later finds them in the browser's cache (revalidated, not sent again). This
 * is only a head start: whatever fails here is left for the game, which reads the same files
 * and explains any problem itself.
 */
async function prefetchExhibition() {
  const tally = downloads.level;
  try {
    const { url, root } = levelLocation();
    const response = await fetch(url);
    if (!response.ok) return;
    const text = await response.text();
    tally.loaded += new TextEncoder().encode(text).byteLength;
    tally.total += new TextEncoder().encode(text).byteLength;
    reportDownloads();
    const paths = new Set();
    for (const match of text.matchAll(/\bpath\s*:\s*"([^"]+)"/g)) paths.add(match[1]);
    const assets = [...paths].map((p) => new URL(p, root)).filter((a) => a.origin === root.origin);
    const responses = await Promise.all(assets.map((asset) => fetch(asset).catch(() => null)));
    for (const r of responses) {
      if (r && r.ok) tally.total += Number(r.headers.get('X-Uncompressed-Length') || r.headers.get('Content-Length')) || 0;
    }
    reportDownloads();
    await Promise.all(responses.map((r) => (r && r.ok ? countBody(r, tally) : null)));
  } catch (e) {
    console.info(`Vernissage: the exhibition was not fetched ahead (${e && e.message}); the game will load it`);
  } finally {
    finishDownload(tally);
  }
}

/**
 * Fetches the module and hands back a Response whose body counts the bytes as the browser
 * compiles them. The total is the file's real size: web/serve.mjs sends it as
 * X-Uncompressed-Length, since with Content-Encoding the Content-Length counts compressed bytes
 * while the stream yields decompressed ones. Without a usable total the bar sweeps instead.
 */
async function fetchModule(url) {
  let response;
  try {
    response = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    const hint = location.protocol === 'file:'
      ? ' The page was opened as a file: serve the dist/ folder over HTTP (web/serve.sh).'
      : '';
    throw new LoadError('The gallery could not be downloaded', `${url.pathname}: ${e && e.message}.${hint}`);
  }
  if (!response.ok) {
    throw new LoadError(
      'The gallery could not be downloaded',
      `${url.pathname}: HTTP ${response.status} ${response.statusText}`,
    );
  }
  const encoding = (response.headers.get('Content-Encoding') || 'identity').toLowerCase();
  const length = Number(response.headers.get('Content-Length')) || 0;
  const declared = Number(response.headers.get('X-Uncompressed-Length')) ||
    (encoding === 'identity' ? length : 0) || 0;
  // The figures shown are what crosses the network: with an encoding, the decompressed bytes
  // counted are scaled to the compressed length.
  const wire = encoding !== 'identity' && length > 0 && declared > 0 ? length / declared : 1;
  if (!response.body || typeof ReadableStream !== 'function') {
    progress(null, 'Downloading the gallery…', '');
    return response;
  }
  const reader = response.body.getReader();
  Object.assign(downloads.wasm, { total: declared, wire });
  reportDownloads();
  const counted = new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        finishDownload(downloads.wasm);
        controller.close();
        return;
      }
      downloads.wasm.loaded += value.byteLength;
      reportDownloads();
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(counted, {
    status: 200,
    headers: { 'Content-Type': 'application/wasm' },
  });
}

class LoadError extends Error {
  constructor(title, detail) {
    super(detail);
    this.title = title;
  }
}

// --- Start -----------------------------------------------------------------------------------------

function followState() {
  const update = () => {
    switch (state()) {
      case 'starting':
        progress(0.96, 'Opening the browser\u2019s storage…', '');
        break;
      case 'running':
        progress(0.98, 'Opening the exhibition…', '');
        // A game that never draws (a very slow software renderer) still gets the page after a
        // while: the curtain lifts, the game's own loading screen takes over.
        setTimeout(() => reveal('late'), 90_000);
        break;
      default:
        break;
    }
  };
  new MutationObserver(update).observe(body, { attributes: true, attributeFilter: ['data-state'] });
  update();
}

async function start() {
  const missing = webgl2Problem();
  if (missing) {
    document.getElementById('unsupported-detail').textContent = missing;
    setState('unsupported');
    console.error(`Vernissage: WebGL 2 is not available: ${missing}`);
    return;
  }
  followState();
  try {
    prefetchExhibition();
    const [glue, module] = await Promise.all([
      import(GLUE_URL.href).catch((e) => {
        throw new LoadError('The gallery could not be downloaded', `${GLUE_URL.pathname}: ${e && e.message}`);
      }),
      fetchModule(WASM_URL),
    ]);
    // Compiles while the download streams (application/wasm), then runs main(): the game's
    // start reads the browser's storage and marks the page "running".
    await glue.default({ module_or_path: module });
    if (state() === 'loading') setState('starting');
  } catch (e) {
    if (e instanceof LoadError) showProblem(e.title, e.message);
    else if (state() !== 'error') showProblem('The gallery could not start', describe(e));
  }
}

start();
