#!/usr/bin/env node
// A small static server for the browser build (dist/), with no dependencies.
//
//   node web/serve.mjs [--port 8080] [--host 127.0.0.1] [--root dist]
//
// It serves the right MIME types (application/wasm for the module, so browsers compile it
// while it downloads), and the pre-compressed copies web/build.sh writes beside the big files
// (`name.br`, `name.gz`) when the request's Accept-Encoding allows, with Content-Encoding and
// Vary set. `X-Uncompressed-Length` carries the file's real size, so the page's progress bar
// can count the bytes it reads (fetch hands over decompressed bytes, while Content-Length is
// then the compressed size). Everything is sent with `Cache-Control: no-cache`: browsers
// revalidate (ETag) instead of running a stale build.
//
// The end-to-end test imports `startServer` to serve dist/ on a free port.

import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_ROOT = path.resolve(HERE, '..', 'dist');

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.ron': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ktx2': 'image/ktx2',
  '.ico': 'image/x-icon',
  '.gltf': 'model/gltf+json',
  '.glb': 'model/gltf-binary',
  '.bin': 'application/octet-stream',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.woff2': 'font/woff2',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

/** The encodings a request accepts, by name (q=0 means refused). */
export function acceptedEncodings(header) {
  const accepted = new Set();
  for (const part of String(header || '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    accepted.add(name);
  }
  return accepted;
}

async function fileStat(file) {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? stat : null;
  } catch {
    return null;
  }
}

/** Finds what a URL path names under `root`: the file, or a folder's index.html. */
async function resolve(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  let stat = await fileStat(file);
  if (stat) return { file, stat };
  stat = await fileStat(path.join(file, 'index.html'));
  if (stat) return { file: path.join(file, 'index.html'), stat };
  return null;
}

function log(quiet, line) {
  if (!quiet) console.log(line);
}

/**
 * Starts serving `root`. `port` 0 takes a free port. Resolves to `{ server, url, port }`
 * once listening.
 */
export function startServer({ root = DEFAULT_ROOT, port = 8080, host = '127.0.0.1', quiet = false } = {}) {
  root = path.resolve(root);
  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    const done = (status, note = '') =>
      log(quiet, `${req.method} ${req.url} ${status}${note} ${Date.now() - started}ms`);
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Only GET and HEAD are served here.\n');
        return done(405);
      }
      const urlPath = new URL(req.url, 'http://localhost').pathname;
      const found = await resolve(root, urlPath);
      if (!found) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
        res.end(`Not found: ${urlPath}\n`);
        return done(404);
      }
      const ext = path.extname(found.file).toLowerCase();
      const headers = {
        'Content-Type': MIME_TYPES[ext] || 'application/octet-stream',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Vary': 'Accept-Encoding',
        'X-Uncompressed-Length': String(found.stat.size),
      };
      // The pre-compressed copy, when there is one and the client takes it.
      let file = found.file;
      let stat = found.stat;
      const accepted = acceptedEncodings(req.headers['accept-encoding']);
      for (const [encoding, suffix] of [['br', '.br'], ['gzip', '.gz']]) {
        if (!accepted.has(encoding)) continue;
        const compressed = await fileStat(found.file + suffix);
        // A copy older than its file is stale (the file was rebuilt without it): skip it.
        if (compressed && compressed.mtimeMs >= found.stat.mtimeMs) {
          file = found.file + suffix;
          stat = compressed;
          headers['Content-Encoding'] = encoding;
          break;
        }
      }
      headers['Content-Length'] = String(stat.size);
      headers['Last-Modified'] = found.stat.mtime.toUTCString();
      const etag = `"${found.stat.size.toString(16)}-${Math.floor(found.stat.mtimeMs).toString(16)}${
        headers['Content-Encoding'] ? '-' + headers['Content-Encoding'] : ''
      }"`;
      headers.ETag = etag;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' });
        res.end();
        return done(304);
      }
      res.writeHead(200, headers);
      if (req.method === 'HEAD') {
        res.end();
        return done(200);
      }
      const stream = createReadStream(file);
      stream.on('error', (e) => {
        res.destroy(e);
      });
      stream.pipe(res);
      res.on('finish', () => done(200, headers['Content-Encoding'] ? ` (${headers['Content-Encoding']})` : ''));
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`Server error: ${e && e.message}\n`);
      } else {
        res.destroy();
      }
      done(500);
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = server.address().port;
      resolvePromise({ server, port: actual, url: `http://${host}:${actual}/` });
    });
  });
}

function usage() {
  return 'usage: node web/serve.mjs [--port PORT] [--host HOST] [--root DIR] [--quiet]\n' +
    'Serves the browser build (default: dist/ beside web/) on http://127.0.0.1:8080/.';
}

async function main(argv) {
  const options = { port: 8080, host: '127.0.0.1', root: DEFAULT_ROOT, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--port' || arg === '-p') options.port = Number(value());
    else if (arg === '--host') options.host = value();
    else if (arg === '--root') options.root = path.resolve(value());
    else if (arg === '--quiet' || arg === '-q') options.quiet = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(usage());
      return;
    } else if (/^\d+$/.test(arg)) options.port = Number(arg);
    else throw new Error(`unknown argument ${arg}\n${usage()}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`not a port: ${options.port}`);
  }
  const index = await fileStat(path.join(options.root, 'index.html'));
  if (!index) {
    throw new Error(`${options.root} has no index.html: build it first with web/build.sh`);
  }
  const { url } = await startServer(options);
  console.log(`Vernissage: serving ${path.relative(process.cwd(), options.root) || '.'} at ${url}  (Ctrl+C stops)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`serve: ${e.message}`);
    if (e.code === 'EADDRINUSE') console.error('serve: that port is taken; pass another (web/serve.sh 8081)');
    process.exit(1);
  });
}
