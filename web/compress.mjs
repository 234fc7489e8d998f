#!/usr/bin/env node
// Writes pre-compressed copies (`name.br`, `name.gz`) of the text and wasm files in a built
// dist/ folder, with node's own zlib (no extra tools), and prints the sizes.
//
//   node web/compress.mjs DIST [--wasm NAME] [--wasm-raw BYTES] [--wasm-opt BYTES|none]
//
// Already-compressed formats (JPEG, PNG, WebP, WOFF2) are left alone, and so is any copy that
// would not save at least 5 %: web/serve.mjs then sends the file itself.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

const COMPRESSIBLE = new Set([
  '.wasm', '.js', '.mjs', '.html', '.css', '.json', '.ron', '.gltf', '.svg', '.txt', '.md',
  '.bin', '.ttf', '.otf', '.obj', '.wgsl',
]);
const MIN_BYTES = 1024;
const MIN_SAVING = 0.05;

function human(bytes) {
  if (bytes == null) return '-';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

async function* walk(dir) {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

async function main(argv) {
  const dist = argv[0];
  if (!dist) throw new Error('usage: node web/compress.mjs DIST [--wasm NAME] [--wasm-raw BYTES] [--wasm-opt BYTES|none]');
  const options = { wasm: 'vernissage_bg.wasm', wasmRaw: null, wasmOpt: null };
  for (let i = 1; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--wasm') options.wasm = value;
    else if (flag === '--wasm-raw') options.wasmRaw = Number(value);
    else if (flag === '--wasm-opt') options.wasmOpt = value === 'none' ? null : Number(value);
    else throw new Error(`unknown argument ${flag}`);
  }

  const files = [];
  for await (const file of walk(dist)) {
    if (file.endsWith('.gz') || file.endsWith('.br')) {
      await fs.rm(file); // stale copies from an earlier build
      continue;
    }
    files.push(file);
  }
  files.sort();

  const rows = [];
  for (const file of files) {
    const data = await fs.readFile(file);
    const row = { name: path.relative(dist, file), raw: data.length, gz: null, br: null };
    const ext = path.extname(file).toLowerCase();
    if (COMPRESSIBLE.has(ext) && data.length >= MIN_BYTES) {
      const big = data.length > 1024 * 1024;
      if (big) process.stdout.write(`  compressing ${row.name} (${human(data.length)})... `);
      const started = Date.now();
      const [gz, br] = await Promise.all([
        gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
        brotli(data, {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
            [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
            [zlib.constants.BROTLI_PARAM_MODE]: ext === '.wasm' || ext === '.bin'
              ? zlib.constants.BROTLI_MODE_GENERIC
              : zlib.constants.BROTLI_MODE_TEXT,
          },
        }),
      ]);
      if (big) console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
      for (const [kind, bytes] of [['gz', gz], ['br', br]]) {
        if (bytes.length <= data.length * (1 - MIN_SAVING)) {
          await fs.writeFile(`${file}.${kind}`, bytes);
          row[kind] = bytes.length;
        }
      }
    }
    rows.push(row);
  }

  // The table: every file, with what the server sends for gzip and brotli clients.
  const width = Math.max(...rows.map((r) => r.name.length), 4);
  const pad = (s, n) => String(s).padStart(n);
  console.log('');
  console.log(`${'file'.padEnd(width)}  ${pad('raw', 11)}  ${pad('gzip', 11)}  ${pad('brotli', 11)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(width)}  ${pad(human(r.raw), 11)}  ${pad(human(r.gz), 11)}  ${pad(human(r.br), 11)}`);
  }
  const total = (kind) => rows.reduce((sum, r) => sum + (r[kind] ?? r.raw), 0);
  const totalRaw = rows.reduce((sum, r) => sum + r.raw, 0);
  console.log(`${'total'.padEnd(width)}  ${pad(human(totalRaw), 11)}  ${pad(human(total('gz')), 11)}  ${pad(human(total('br')), 11)}`);

  const wasm = rows.find((r) => r.name === options.wasm);
  console.log('');
  console.log('Sizes');
  if (options.wasmRaw != null) console.log(`  wasm, from wasm-bindgen:     ${human(options.wasmRaw)} (${options.wasmRaw} bytes)`);
  if (options.wasmOpt != null) console.log(`  wasm, after wasm-opt:        ${human(options.wasmOpt)} (${options.wasmOpt} bytes)`);
  else console.log('  wasm, after wasm-opt:        (wasm-opt not run)');
  if (wasm) {
    console.log(`  wasm, gzip:                  ${human(wasm.gz ?? wasm.raw)} (${wasm.gz ?? wasm.raw} bytes)`);
    console.log(`  wasm, brotli:                ${human(wasm.br ?? wasm.raw)} (${wasm.br ?? wasm.raw} bytes)`);
  }
  console.log(`  whole download, gzip:        ${human(total('gz'))} (${total('gz')} bytes, ${rows.length} files)`);
  console.log(`  whole download, brotli:      ${human(total('br'))} (${total('br')} bytes)`);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`compress: ${e.message}`);
  process.exit(1);
});
