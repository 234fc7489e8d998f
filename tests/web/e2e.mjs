#!/usr/bin/env node
// End-to-end test of the browser build: serves dist/ (web/serve.mjs) on a free port, opens it
// in Debian's Chromium (headless, software WebGL through SwiftShader) and plays it with real
// keyboard and pointer input only. It never runs code of its own in the game: what it knows
// about the game comes from the page's <body> attributes, the game's frame count
// (window.vernissageFrames), the console (the game's log lines) and screenshots.
//
//   node tests/web/e2e.mjs [--dist DIR] [--chromium PATH] [--headed]
//
// Checks:
//   (a) the page loads: <body data-state="running">, a first frame, no panic, no console error,
//       no failed request;
//   (b) the gallery is not blank: a screenshot (tests/web/out/gallery.png) with real variance;
//   (c) a click on the canvas and W held for a second change the view;
//   (d) a rating (E, 4) and a purchase (B, Enter) survive a reload, as the game's own log
//       lines say after it ("scores ready: … R ratings", "market: ledger …, N entries",
//       "market: wallet ID: B tokens, N editions": the same wallet, owning the edition);
//   (e) the generative works' fingerprints logged by the game equal the golden values in
//       src/gallery/generative.rs;
//   (f) an exhibition opened by URL (?level=http://…/levels/small.ron) loads its level and works
//       through the game's http asset source, and is drawn;
//   (g) a work made in the studio (N, a title and an artist typed in, Publish) is registered in
//       the ledger and still hangs in the exhibition after the reload;
//   (h) a second tab of the same browser only shows the gallery: it says so, and refuses a
//       rating, while the first tab keeps the storage.
// Every check reports PASS or FAIL with the reason; nothing is skipped silently.

import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { startServer } from '../../web/serve.mjs';
import { decodePng, difference, stats } from './png.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const OUT = path.join(HERE, 'out');

// --- Options ---------------------------------------------------------------------------------------

const options = {
  dist: path.join(ROOT, 'dist'),
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  headed: false,
};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dist') options.dist = path.resolve(argv[++i]);
    else if (arg === '--chromium') options.chromium = argv[++i];
    else if (arg === '--headed') options.headed = true;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node tests/web/e2e.mjs [--dist DIR] [--chromium PATH] [--headed]');
      process.exit(0);
    } else {
      console.error(`e2e: unknown argument ${arg}`);
      process.exit(2);
    }
  }
}

// Software rendering is slow: a frame can take seconds. Generous, but bounded.
const T = {
  running: 180_000, // page → body[data-state=running]
  firstFrame: 120_000, // running → first frame drawn
  gallery: 240_000, // title → the gallery entered (the level loaded, textures painted)
  picture: 90_000, // the gallery entered → a screenshot that is not blank
  logLine: 60_000, // an action → its log line
  total: 13 * 60_000, // the whole run (inside the 900 s .ci/run gives it)
};
// A non-blank view: luminance standard deviation (0–255) and distinct colours. The page's own
// loading screen scores about 14 and 85; the gallery about 28 and 900.
const MIN_STDDEV = 18;
const MIN_COLOURS = 200;
// Proposed (not yet logged by the game): the visitor's wallet when the market attaches it.
const WALLET_LINE = /market: wallet (\S+): ([\d,]+) tokens, (\d+) editions?/;

// --- Reporting -------------------------------------------------------------------------------------

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
const say = (line) => console.log(`${elapsed()}  ${line}`);

class CheckFailed extends Error {}
const fail = (message) => {
  throw new CheckFailed(message);
};

const results = new Map(); // id → { title, status: 'PASS'|'FAIL', detail }
const CHECKS = {
  a: 'the page loads: running, a first frame, no panic, no console error, no failed request',
  b: 'the gallery is not blank (tests/web/out/gallery.png)',
  c: 'a click and W held for a second change the view',
  d: 'a rating and a purchase survive a reload',
  e: 'the generative fingerprints equal the desktop\u2019s golden values',
  f: 'an exhibition opened by URL loads its works over HTTP and is drawn',
  g: 'a work published in the studio is registered and still hangs after a reload',
  h: 'a second tab only shows the gallery and refuses to keep a rating',
};
function record(id, status, detail) {
  if (results.get(id)?.status === 'FAIL') return; // the first failure stands
  results.set(id, { title: CHECKS[id], status, detail });
  say(`${status === 'PASS' ? 'PASS' : 'FAIL'} (${id}) ${CHECKS[id]}${detail ? `: ${detail}` : ''}`);
}
async function check(id, body) {
  try {
    const detail = await body();
    record(id, 'PASS', detail || '');
    return true;
  } catch (e) {
    record(id, 'FAIL', e instanceof CheckFailed ? e.message : `${e && e.stack ? e.stack : e}`);
    return false;
  }
}

// --- The console -----------------------------------------------------------------------------------
// The game logs through tracing-wasm: console.log("%cLEVEL%c file:line%cmessage", styles...).

const consoleLog = []; // { at, session, type, level, text }
let session = 1;
let waiters = [];

function parseConsole(type, raw) {
  let text = raw;
  let level = null;
  const m = /^%c(TRACE|DEBUG|INFO|WARN|ERROR)%c\s*(\S*)\s*%c([\s\S]*)$/.exec(text);
  if (m) {
    level = m[1];
    // The three style arguments follow the message when the console joins the arguments.
    text = m[3].replace(/\s*color: [^;]*; background: #444 color: gray; font-style: italic color: inherit\s*$/, '');
    text = `${m[2] ? `${m[2]} ` : ''}${text}`;
  } else {
    const plain = /^(TRACE|DEBUG|INFO|WARN|ERROR) (\S+:\d+) ([\s\S]*)$/.exec(text);
    if (plain) {
      level = plain[1];
      text = `${plain[2]} ${plain[3]}`;
    }
  }
  return { level, text };
}

function onConsole(message, from = session) {
  const { level, text } = parseConsole(message.type(), message.text());
  const entry = { at: Date.now() - started, session: from, type: message.type(), level, text };
  consoleLog.push(entry);
  if (process.env.E2E_VERBOSE) say(`console.${entry.type}${level ? ` [${level}]` : ''} ${text}`);
  waiters = waiters.filter((w) => !w(entry));
}

/**
 * Waits for a console line of the current session matching `pattern` (also one already seen
 * since `since`, an index into the log). Resolves to the match.
 */
function waitForLine(pattern, timeout, what, since = 0, inSession = session) {
  for (let i = since; i < consoleLog.length; i++) {
    const entry = consoleLog[i];
    if (entry.session !== inSession) continue;
    const m = pattern.exec(entry.text);
    if (m) return Promise.resolve(m);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters = waiters.filter((w) => w !== waiter);
      reject(new CheckFailed(`no console line ${pattern} within ${timeout / 1000} s (${what})`));
    }, timeout);
    const waiter = (entry) => {
      if (entry.session !== inSession) return false;
      const m = pattern.exec(entry.text);
      if (!m) return false;
      clearTimeout(timer);
      resolve(m);
      return true;
    };
    waiters.push(waiter);
  });
}

const lastLine = (pattern, inSession = session) => {
  for (let i = consoleLog.length - 1; i >= 0; i--) {
    if (consoleLog[i].session !== inSession) continue;
    const m = pattern.exec(consoleLog[i].text);
    if (m) return m;
  }
  return null;
};

// --- Page helpers ------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function bodyState(page) {
  return page.locator('body').getAttribute('data-state');
}

/** Waits until the game runs (or fails), then for its first frame. */
async function waitUntilRunning(page, label) {
  const outcome = await page
    .waitForSelector(
      'body[data-state="running"], body[data-state="error"], body[data-state="unsupported"]',
      { timeout: T.running, state: 'attached' },
    )
    .then(() => bodyState(page))
    .catch(() => null);
  if (outcome === 'error') {
    const problem = await page.locator('#problem').innerText().catch(() => '(unreadable)');
    fail(`${label}: the page shows an error:\n${problem}`);
  }
  if (outcome === 'unsupported') {
    const detail = await page.locator('#unsupported-detail').innerText().catch(() => '');
    fail(`${label}: the page says WebGL 2 is missing (${detail}); Chromium needs --use-angle=swiftshader --enable-unsafe-swiftshader`);
  }
  if (outcome !== 'running') {
    fail(`${label}: body[data-state] is "${await bodyState(page)}", not "running", after ${T.running / 1000} s`);
  }
  say(`${label}: running`);
  const frame = await page
    .waitForSelector('body[data-frame]', { timeout: T.firstFrame, state: 'attached' })
    .then((el) => el.getAttribute('data-frame'))
    .catch(() => null);
  if (frame !== 'drawn') {
    fail(`${label}: no first frame drawn within ${T.firstFrame / 1000} s of running (data-frame=${frame})`);
  }
  say(`${label}: first frame drawn`);
}

async function shot(page, name) {
  const buffer = await page.screenshot({ type: 'png' });
  if (name) await fs.writeFile(path.join(OUT, name), buffer);
  return decodePng(buffer);
}

/** Screenshots until one is not blank (or the time is up); the last one is returned. */
async function waitForPicture(page, timeout) {
  const until = Date.now() + timeout;
  let image;
  let s;
  do {
    image = await shot(page);
    s = stats(image);
    if (s.stddev >= MIN_STDDEV && s.colours >= MIN_COLOURS) return { image, s };
    await sleep(2000);
  } while (Date.now() < until);
  return { image, s };
}

async function canvasCenter(page) {
  const box = await page.locator('#vernissage-canvas').boundingBox();
  if (!box || box.width < 100 || box.height < 100) {
    fail(`the canvas is ${box ? `${box.width}x${box.height}` : 'not laid out'}; it should fill the 1280x720 window`);
  }
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, box };
}

/**
 * Walks in from the title screen: a click in the corner, away from the level picker, gives the
 * canvas the keyboard; Enter walks into the highlighted exhibition.
 */
async function walkIn(page) {
  const { x, y, box } = await canvasCenter(page);
  await page.mouse.click(box.x + 12, box.y + 12);
  await sleep(500);
  await tap(page, 'Enter', 300);
  // Back to the middle while still on the title screen: in the gallery a mouse movement turns
  // the view, and (c) clicks the middle.
  await page.mouse.move(x, y);
}

/** A key held for `ms` (long enough for a slow frame to see it). */
async function tap(page, key, ms = 150) {
  await page.keyboard.down(key);
  await sleep(ms);
  await page.keyboard.up(key);
}

/** The number of frames the game has finished (set every frame by src/web/mod.rs). */
function frameCount(page) {
  return page.evaluate(() => window.vernissageFrames ?? 0);
}

/** Waits until the game has finished `n` more frames: input sent before the call is handled. */
async function waitFrames(page, n, timeout = T.logLine) {
  const target = (await frameCount(page)) + n;
  await page
    .waitForFunction((t) => (window.vernissageFrames ?? 0) >= t, target, { timeout, polling: 100 })
    .catch(async () => {
      fail(`the game finished ${(await frameCount(page)) - target + n} of ${n} frames in ${timeout / 1000} s`);
    });
}

/** Waits `ms`, then for two more of the game's frames: what was sent before is handled. */
async function settle(page, ms) {
  await sleep(ms);
  await waitFrames(page, 2);
}

/**
 * Opens the studio panel (N) and waits for the game to say so. A pause menu or another panel
 * left open swallows N: then Escape and N again.
 */
async function openStudio(page, notes) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const since = consoleLog.length;
    await tap(page, 'KeyN', 300);
    const opened = await waitForLine(/studio: open, (\d+) candidates/, 20_000,
      'the studio logs when its panel opens (src/ui/studio.rs)', since).catch((e) => e);
    if (!(opened instanceof Error)) return;
    notes.push(`N try ${attempt}: ${opened.message}`);
    await shot(page, `studio-open-try-${attempt}.png`);
    await tap(page, 'Escape');
    await waitFrames(page, 3);
  }
  fail(`the studio panel did not open: ${notes.join('; ')}`);
}

/** Clicks a text field, empties it and types `text`, a frame after each step. */
async function fillField(page, x, y, text) {
  await page.mouse.click(x, y);
  await waitFrames(page, 3);
  await page.keyboard.press('End');
  for (let i = 0; i < 40; i++) await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay: 30 });
  await waitFrames(page, 3);
}

// --- The golden fingerprints -------------------------------------------------------------------------

async function goldenFingerprints() {
  const file = path.join(ROOT, 'src', 'gallery', 'generative.rs');
  const source = await fs.readFile(file, 'utf8');
  const block = /const GOLDEN:[^=]*=\s*&\[([\s\S]*?)\];/.exec(source);
  if (!block) fail(`cannot find "const GOLDEN" in ${path.relative(ROOT, file)}`);
  const golden = new Map();
  for (const m of block[1].matchAll(/\(\s*"([^"]+)"\s*,\s*(0x[0-9a-fA-F_]+)\s*\)/g)) {
    golden.set(m[1], BigInt(m[2].replaceAll('_', '')));
  }
  if (golden.size === 0) fail(`"const GOLDEN" in ${path.relative(ROOT, file)} has no (name, 0x…) pairs`);
  return golden;
}

// --- The run -------------------------------------------------------------------------------------------

async function preflight() {
  const missing = ['index.html', 'loader.js', 'vernissage.js', 'vernissage_bg.wasm', 'levels/default.ron']
    .filter((f) => !existsSync(path.join(options.dist, f)));
  if (missing.length) {
    throw new Error(`${path.relative(process.cwd(), options.dist) || options.dist} lacks ${missing.join(', ')}: build it first with web/build.sh`);
  }
  if (!existsSync(options.chromium)) {
    throw new Error(`no Chromium at ${options.chromium} (apt-get install chromium, or CHROMIUM=/path/to/chrome)`);
  }
  await fs.mkdir(OUT, { recursive: true });
}

async function run() {
  await preflight();
  const golden = await goldenFingerprints().catch((e) => {
    record('e', 'FAIL', e.message);
    return null;
  });

  const { server, url } = await startServer({ root: options.dist, port: 0, quiet: true });
  say(`serving ${path.relative(ROOT, options.dist)} at ${url}`);
  const browser = await chromium.launch({
    executablePath: options.chromium,
    headless: !options.headed,
    args: [
      '--enable-unsafe-swiftshader',
      '--use-angle=swiftshader',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const problems = []; // for (a): page errors, console errors, failed requests
  try {
    say(`Chromium ${browser.version()}`);
    // A fresh profile: empty IndexedDB and localStorage, kept across the reload below.
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    page.on('console', onConsole);
    page.on('pageerror', (e) => problems.push(`session ${session}: uncaught ${e.name}: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`session ${session}: request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`session ${session}: HTTP ${r.status()} for ${r.url()}`);
    });
    page.on('crash', () => problems.push(`session ${session}: the page crashed`));

    // ---- Session 1 ----------------------------------------------------------------------------
    say(`opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const loaded = await check('a', async () => {
      await waitUntilRunning(page, 'first load');
      return 'running and drawn (console and requests are checked at the end)';
    });
    if (!loaded) {
      for (const id of ['b', 'c', 'd', 'e', 'f', 'g', 'h']) {
        if (!results.has(id)) record(id, 'FAIL', 'not run: the page did not load (a)');
      }
      return problems;
    }

    // (e) is logged at start-up, before the title screen.
    if (golden) {
      await check('e', async () => {
        const m = await waitForLine(/generative fingerprints: (.*)$/, T.logLine,
          'src/web/mod.rs logs generative::fingerprint_line() at Startup');
        const logged = new Map();
        for (const part of m[1].split(',')) {
          const kv = /^\s*([a-z0-9-]+)=(\S+)\s*$/i.exec(part);
          if (kv) logged.set(kv[1], kv[2]);
        }
        const wrong = [];
        for (const [name, value] of golden) {
          const got = logged.get(name);
          if (got === undefined) wrong.push(`${name}: not in the log line`);
          else if (!/^0x[0-9a-f]+$/i.test(got) || BigInt(got) !== value) {
            wrong.push(`${name}: browser ${got}, desktop 0x${value.toString(16).padStart(16, '0')}`);
          }
        }
        for (const name of logged.keys()) if (!golden.has(name)) wrong.push(`${name}: logged but has no golden value`);
        if (wrong.length) fail(`fingerprints differ from src/gallery/generative.rs GOLDEN:\n    ${wrong.join('\n    ')}`);
        return `${golden.size} algorithms match`;
      });
    }

    await sleep(1000); // the loading screen fades out
    await shot(page, 'title.png');
    // The title screen (the level picker): Enter walks into this exhibition.
    const enteredAt = consoleLog.length;
    await walkIn(page);
    say('pressed Enter on the title screen; waiting for the gallery to load');
    let feedbackBefore = null;
    const inGallery = await waitForLine(/(\d+) feedback events loaded from the browser/, T.gallery,
      'logged when the gallery is entered (src/feedback/mod.rs)', enteredAt)
      .then((m) => {
        feedbackBefore = Number(m[1]);
        say(`in the gallery (${feedbackBefore} feedback events in the fresh browser profile)`);
        return true;
      })
      .catch((e) => {
        record('b', 'FAIL', `the gallery was not entered: ${e.message}`);
        return false;
      });

    let picture = null;
    if (inGallery) {
      await check('b', async () => {
        const { image, s } = await waitForPicture(page, T.picture);
        picture = image;
        await fs.writeFile(path.join(OUT, 'gallery.png'), await page.screenshot({ type: 'png' }));
        const summary = `luminance mean ${s.mean.toFixed(1)}, std dev ${s.stddev.toFixed(1)}, ${s.colours} colours`;
        if (s.stddev < MIN_STDDEV || s.colours < MIN_COLOURS) {
          fail(`the view looks blank after ${T.picture / 1000} s (${summary}; want std dev ≥ ${MIN_STDDEV} and ≥ ${MIN_COLOURS} colours)`);
        }
        return summary;
      });
    }

    if (inGallery) {
      await check('c', async () => {
        // A click on the canvas captures the pointer (or tries to: headless has no real lock).
        const { x, y } = await canvasCenter(page);
        await page.mouse.click(x, y);
        await sleep(1500);
        const before = await shot(page, 'walk-before.png');
        await sleep(1500);
        const still = await shot(page);
        const noise = difference(before, still);
        const walked = (d) => d.changedFraction >= 0.05 && d.meanAbs >= Math.max(2, 3 * noise.meanAbs);
        const describeMove = (d) => `${(d.changedFraction * 100).toFixed(1)} % of the pixels changed ` +
          `(mean |Δ| ${d.meanAbs.toFixed(2)}; standing still: ${(noise.changedFraction * 100).toFixed(1)} %, ` +
          `mean |Δ| ${noise.meanAbs.toFixed(2)})`;
        // The game reads held keys once a frame. With SwiftShader a frame can take more than a
        // second, and a press and release inside one frame walk nowhere: W is held for a time
        // and for a number of the game's frames, whichever is longer. When that did not move
        // the view, W is held once more, longer, and the report says so.
        const holds = [[1000, 4], [3000, 12]];
        const tries = [];
        for (const [ms, frames] of holds) {
          await page.keyboard.down('KeyW');
          try {
            await Promise.all([sleep(ms), waitFrames(page, frames)]);
          } finally {
            await page.keyboard.up('KeyW');
          }
          await settle(page, 1500); // to show where the walk ended
          const after = await shot(page, 'walk-after.png');
          const moved = difference(before, after);
          tries.push(`W held ${ms / 1000} s and ${frames} frames: ${describeMove(moved)}`);
          if (walked(moved)) {
            return tries.length === 1
              ? tries[0]
              : `${tries.join('; ')} (the first press fell within one slow software-rendered frame)`;
          }
        }
        fail(`the view did not change after holding W: ${tries.join('; ')} ` +
          '(walk-before.png, walk-after.png in tests/web/out/)');
      });
    } else {
      record('c', 'FAIL', 'not run: the gallery was not entered');
    }

    // (d), first half: rate and buy the first work of the catalogue.
    let committed = null;
    let rated = false;
    const dNotes = [];
    if (inGallery) {
      try {
        // C opens the catalogue, Enter takes the visitor in front of its first work, facing it.
        await tap(page, 'KeyC');
        await settle(page, 2500);
        await shot(page, 'catalogue.png');
        await tap(page, 'Enter');
        await settle(page, 3500);
        await shot(page, 'at-work.png');
        // E inspects the work in focus (the game logs "inspect: <work>"); 4 rates it four stars.
        // A software-rendered frame can take seconds, so the log line is the signal, not pixels.
        const inspectedAt = consoleLog.length;
        await tap(page, 'KeyE');
        await waitForLine(/inspect: (\S+)$/, T.logLine,
          'the inspect panel logs the work it opens (src/ui/inspect.rs); E opens it for the work in focus',
          inspectedAt).catch((e) => dNotes.push(e.message));
        await settle(page, 1500);
        await shot(page, 'inspect.png');
        await tap(page, 'Digit4');
        await settle(page, 2000);
        await shot(page, 'rated.png');
        rated = true;
        // B asks to buy the work's next edition, Enter confirms.
        const orderedAt = consoleLog.length;
        await tap(page, 'KeyB');
        await settle(page, 2500);
        await shot(page, 'buy-confirm.png');
        await tap(page, 'Enter');
        const outcome = await waitForLine(/market: buy (\S+) (committed as entry (\d+)|refused: (.*))$/, T.logLine,
          'the market logs every order (src/market/game.rs); B opens the purchase confirmation in the inspect panel, Enter confirms',
          orderedAt).catch((e) => {
          dNotes.push(e.message);
          return null;
        });
        if (outcome && outcome[3] !== undefined) {
          committed = { work: outcome[1], entry: Number(outcome[3]) };
          say(`bought ${committed.work}: ledger entry ${committed.entry}`);
        } else if (outcome) {
          dNotes.push(`the purchase of ${outcome[1]} was refused: ${outcome[4]}`);
        }
        await shot(page, 'bought.png');
        await tap(page, 'Escape');
        // IndexedDB commits in the background: give it a moment before the reload.
        await settle(page, 3000);
      } catch (e) {
        dNotes.push(`input failed: ${e.message}`);
      }
    }

    // (g), first half: publish a work from the studio panel. The panel's fields are where the
    // desktop draws them at 1280x720 (the same fonts and layout). A software-rendered frame can
    // take seconds, so every step waits for the game's own frames (window.vernissageFrames)
    // instead of a guessed time: a click or a key is handled by the frame after it arrives.
    let published = null;
    const gNotes = [];
    if (inGallery) {
      try {
        const at = consoleLog.length;
        await openStudio(page, gNotes);
        // The panel sizes itself on its first frame and paints one candidate a frame.
        await waitFrames(page, 8);
        for (let attempt = 1; attempt <= 3 && !published; attempt++) {
          const tried = consoleLog.length;
          await fillField(page, 1030, 367, 'Harbour at Four');
          await fillField(page, 1030, 400, 'Noor Achebe');
          await shot(page, attempt === 1 ? 'studio.png' : `studio-try-${attempt}.png`);
          await page.mouse.click(890, 570);
          const m = await waitForLine(
            /studio: (?:published "([^"]+)" as (\S+) \(ledger entry (\d+)\)|publishing "[^"]*" refused: (.*))/,
            T.logLine,
            'the studio logs every publication (src/studio/mod.rs); N opens the panel, Publish sends the selected candidate',
            tried,
          ).catch((e) => {
            gNotes.push(`try ${attempt}: ${e.message} (studio-try-${attempt}.png)`);
            return null;
          });
          if (m && m[4] !== undefined) {
            gNotes.push(`try ${attempt}: the publication was refused: ${m[4]}`);
            break;
          }
          if (m) {
            published = { title: m[1], work: m[2], entry: Number(m[3]) };
          } else if (lastLine(/studio: (open|closed)/)?.[1] !== 'open') {
            await openStudio(page, gNotes);
            await waitFrames(page, 8);
          }
        }
        if (published) {
          say(`published "${published.title}" as ${published.work}: ledger entry ${published.entry}`);
          // The gallery is hung again with the new work; the panel then reopens with the outcome.
          await waitForLine(/gallery loaded in/, T.gallery, 'the gallery is rebuilt after a publication', at);
          await waitFrames(page, 4);
          await shot(page, 'published.png');
          await tap(page, 'Escape');
          await waitFrames(page, 2);
        }
      } catch (e) {
        gNotes.push(e.message);
      }
    }

    // ---- Session 2: the same profile, reloaded ---------------------------------------------------
    session = 2;
    say('reloading the page');
    await page.reload({ waitUntil: 'domcontentloaded', timeout: 60_000 });
    const reloaded = await waitUntilRunning(page, 'after the reload').then(() => true, (e) => {
      record('a', 'FAIL', e.message);
      return false;
    });

    await check('d', async () => {
      if (!inGallery) fail('not run: the gallery was not entered in the first session');
      if (!reloaded) fail('not run: the page did not load again after the reload (a)');
      const enteredAgain = consoleLog.length;
      await walkIn(page);
      const loadedAgain = await waitForLine(/(\d+) feedback events loaded from the browser/, T.gallery,
        'logged when the gallery is entered again', enteredAgain);
      const events = Number(loadedAgain[1]);
      // The scorer counts the ratings among the events it was given (src/scoring/game.rs).
      const scored = await waitForLine(/scores ready: (\d+) works, (\d+) ratings?/, T.logLine,
        'the scorer logs how many ratings it read once it is ready', enteredAgain).catch((e) => e);
      // Logged when the market opens, at the same time as the feedback line: no long wait.
      const ledger = await waitForLine(/market: ledger (.*), (\d+) entries/, 15_000,
        'the market must say how many ledger entries it read from IndexedDB when it opens ' +
        '(src/market/game.rs open_store for wasm32, like the desktop\'s "market: ledger <dir>, N entries")',
        enteredAgain).catch((e) => e);
      const wallet = await waitForLine(WALLET_LINE, 15_000,
        'the market must say which wallet the visitor has when it is attached: ' +
        '"market: wallet <id>: <balance> tokens, <n> editions"', enteredAgain).catch((e) => e);
      await shot(page, 'reloaded.png');

      const wrong = [...dNotes];
      if (!rated) wrong.push('the rating keys were not sent');
      if (events < 1) wrong.push(`after the reload the browser held ${events} feedback events: the rating was not kept`);
      if (scored instanceof Error) wrong.push(scored.message);
      else if (Number(scored[2]) < 1) {
        wrong.push(`after the reload the scorer read ${scored[2]} ratings: the rating (E, 4) was not kept`);
      }
      if (ledger instanceof Error) {
        wrong.push(ledger.message);
      } else if (committed && Number(ledger[2]) < committed.entry + 1) {
        wrong.push(`after the reload the ledger has ${ledger[2]} entries, but the purchase was entry ${committed.entry}: it was not kept`);
      }
      if (!committed) wrong.push('no purchase was committed in the first session, so none could survive the reload');
      const walletBefore = lastLine(WALLET_LINE, 1);
      if (wallet instanceof Error) {
        wrong.push(wallet.message);
      } else if (!walletBefore) {
        wrong.push('no "market: wallet …" line in the first session to compare with');
      } else {
        if (wallet[1] !== walletBefore[1]) {
          wrong.push(`after the reload the visitor has another wallet (${wallet[1]}, was ${walletBefore[1]}): ` +
            'the visitor id is not kept in the browser, so the purchase (and "your" rating) belong to a stranger');
        } else if (Number(wallet[3]) < 1) {
          wrong.push(`after the reload the wallet ${wallet[1]} owns ${wallet[3]} editions: the purchase was not kept`);
        }
      }
      if (wrong.length) fail(`\n    ${wrong.join('\n    ')}`);
      return `${events} feedback events (${scored[2]} ratings), ${ledger[2]} ledger entries (the purchase ` +
        `was entry ${committed.entry}), wallet ${wallet[1]} with ${wallet[2]} tokens and ${wallet[3]} editions after the reload`;
    });

    await check('g', async () => {
      if (!inGallery) fail('not run: the gallery was not entered in the first session');
      if (!published) fail(`nothing was published in the first session:\n    ${gNotes.join('\n    ')}`);
      // Logged when the reloaded exhibition merges the studio's overlay (localStorage).
      const hang = await waitForLine(/studio: (\d+) published works? hangs? in the exhibition/, 30_000,
        'the studio logs how many published works it hung when the exhibition opens (src/studio/mod.rs)');
      const ledger = lastLine(/market: ledger (.*), (\d+) entries/);
      if (Number(hang[1]) < 1) fail(`after the reload ${hang[1]} published works hang`);
      if (!ledger) fail('no "market: ledger …, N entries" line after the reload');
      if (Number(ledger[2]) < published.entry + 1) {
        fail(`after the reload the ledger has ${ledger[2]} entries, but the registration was entry ${published.entry}`);
      }
      return `"${published.title}" (${published.work}, ledger entry ${published.entry}) published; after the reload ` +
        `${hang[1]} published work hangs and the ledger has ${ledger[2]} entries`;
    });

    // (h) A second tab of the same profile, while the first still shows the gallery: Web Locks
    // give the storage to the first, so the second only shows the gallery, and says so.
    await check('h', async () => {
      if (!reloaded) fail('not run: the page did not load again after the reload (a)');
      const tab = await context.newPage();
      tab.on('console', (m) => onConsole(m, 'tab2'));
      tab.on('pageerror', (e) => problems.push(`second tab: uncaught ${e.name}: ${e.message}`));
      tab.on('crash', () => problems.push('second tab: the page crashed'));
      try {
        const since = consoleLog.length;
        await tab.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
        await waitUntilRunning(tab, 'second tab');
        const told = await waitForLine(/This gallery is open in another tab of this browser/, T.logLine,
          'the storage says so when another tab holds it (src/web/storage.rs)', since, 'tab2');
        await walkIn(tab);
        const closed = await waitForLine(/market closed: (.*)$/, T.gallery,
          'the market logs why it is closed when the gallery opens (src/market/game.rs)', since, 'tab2');
        if (!/another tab/.test(closed[1])) fail(`the second tab's market is closed for another reason: ${closed[1]}`);
        // In front of the first work of the catalogue, inspect it and rate it: refused.
        await tap(tab, 'KeyC');
        await settle(tab, 1500);
        await tap(tab, 'Enter');
        await settle(tab, 2500);
        await tap(tab, 'KeyE');
        await waitForLine(/inspect: (\S+)$/, T.logLine, 'E inspects the work in focus', since, 'tab2');
        await settle(tab, 1000);
        await tap(tab, 'Digit5');
        const refused = await waitForLine(/refused: (rate.*): (.*)$/, T.logLine,
          'the game logs what it refuses the visitor (src/player/mod.rs)', since, 'tab2');
        await shot(tab, 'second-tab.png');
        if (!/another tab/.test(refused[2])) fail(`the rating was refused for another reason: ${refused[2]}`);
        return `"${told[0]}"; the market is closed and "${refused[1]}" was refused: ${refused[2]}`;
      } finally {
        await tab.close();
      }
    });

    // Fingerprints once more, after the reload: the same values.
    if (golden && results.get('e')?.status === 'PASS') {
      const again = lastLine(/generative fingerprints: (.*)$/, 2);
      const first = lastLine(/generative fingerprints: (.*)$/, 1);
      if (!again) record('e', 'FAIL', 'the fingerprint line was not logged again after the reload');
      else if (first && again[1] !== first[1]) record('e', 'FAIL', `the fingerprints changed after the reload: ${first[1]} → ${again[1]}`);
    }
    // ---- Session 3: an exhibition by URL ------------------------------------------------------------
    session = 3;
    const remote = `${url}levels/small.ron`;
    const works = [];
    page.on('request', (r) => {
      if (session === 3 && /\/assets\/works\//.test(r.url())) works.push(r.url());
    });
    await check('f', async () => {
      await page.goto(`${url}?level=${encodeURIComponent(remote)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await waitUntilRunning(page, 'by URL');
      const at = consoleLog.length;
      await walkIn(page);
      const opening = await waitForLine(/opening (\S+)$/, T.logLine,
        'the gallery logs the level it opens (src/gallery/mod.rs start_loading)', at);
      if (opening[1] !== remote) fail(`the game opened ${opening[1]}, not ${remote}`);
      const loaded = await waitForLine(/gallery loaded in [\d.]+ s \((\d+) textures\)/, T.gallery,
        'logged when every texture of the level is ready (src/gallery/mod.rs)', at);
      const { s } = await waitForPicture(page, T.picture);
      await fs.writeFile(path.join(OUT, 'by-url.png'), await page.screenshot({ type: 'png' }));
      const summary = `luminance std dev ${s.stddev.toFixed(1)}, ${s.colours} colours`;
      if (s.stddev < MIN_STDDEV || s.colours < MIN_COLOURS) fail(`the view looks blank (${summary})`);
      if (works.length === 0) fail('no request for the works under assets/works/ was made');
      return `${remote}: ${loaded[1]} textures, ${new Set(works).size} work files requested, ${summary}`;
    });
    await page.close();
    await context.close();
    return problems;
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }
}

function consoleProblems() {
  const out = [];
  for (const e of consoleLog) {
    if (e.type === 'error' || e.level === 'ERROR') out.push(`session ${e.session}: console ${e.level || e.type}: ${e.text}`);
    else if (/panicked at|Vernissage stopped/.test(e.text)) out.push(`session ${e.session}: panic: ${e.text}`);
  }
  return out;
}

async function main() {
  const watchdog = setTimeout(() => {
    console.error(`e2e: the run took more than ${T.total / 1000} s; giving up`);
    finish(2);
  }, T.total);
  let problems = [];
  let crashed = null;
  try {
    problems = await run();
  } catch (e) {
    crashed = e;
  }
  clearTimeout(watchdog);
  if (crashed) {
    console.error(`\ne2e: ${crashed instanceof CheckFailed ? crashed.message : crashed.stack || crashed}`);
    await finish(1);
    return;
  }
  const all = [...problems, ...consoleProblems()];
  if (all.length && results.has('a')) {
    record('a', 'FAIL', `${all.length} problem(s):\n    ${all.slice(0, 25).join('\n    ')}${all.length > 25 ? '\n    …' : ''}`);
  }
  await finish([...results.values()].every((r) => r.status === 'PASS') && results.size === Object.keys(CHECKS).length ? 0 : 1);
}

async function finish(code) {
  await fs.mkdir(OUT, { recursive: true }).catch(() => {});
  const logText = consoleLog
    .map((e) => `${(e.at / 1000).toFixed(1).padStart(7)}s s${e.session} ${e.type}${e.level ? ` ${e.level}` : ''} ${e.text}`)
    .join('\n');
  await fs.writeFile(path.join(OUT, 'console.log'), `${logText}\n`).catch(() => {});
  console.log('\nSummary');
  for (const id of Object.keys(CHECKS)) {
    const r = results.get(id);
    console.log(`  ${r ? r.status : 'FAIL'} (${id}) ${CHECKS[id]}${r ? '' : ': not reached'}`);
  }
  console.log(`  ${((Date.now() - started) / 1000).toFixed(0)} s; screenshots and the console in ${path.relative(process.cwd(), OUT) || OUT}/`);
  process.exit(code);
}

main();
