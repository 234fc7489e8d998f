// Loads Vernissage in the page: checks for WebGL 2, downloads the wasm module with a real
// progress bar, starts it through wasm-bindgen's glue, and keeps the loading screen until the
// game has drawn its first frame. Errors (a failed download, a panic, a lost GL context)
// become a readable panel instead of a blank page.
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
  let loaded = 0;
  const started = performance.now();
  const report = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0.5 ? ` · ${mib((loaded * wire) / seconds)} MiB/s` : '';
    if (declared > 0) {
      progress(0.9 * Math.min(1, loaded / declared), 'Downloading the gallery…',
        `${mib(loaded * wire)} of ${mib(declared * wire)} MiB${rate}`);
    } else {
      progress(null, 'Downloading the gallery…', `${mib(loaded)} MiB${rate}`);
    }
  };
  report();
  const counted = new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        progress(0.92, 'Preparing the gallery…', '');
        controller.close();
        return;
      }
      loaded += value.byteLength;
      report();
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
