#!/usr/bin/env node
// Prints the features a wasm module declares in its `target_features` section (rustc writes it),
// as wasm-opt names them, one per line: web/build.sh enables exactly these in wasm-opt, and
// skips wasm-opt when it does not know one of them (an old binaryen would corrupt the module:
// e.g. without call-indirect-overlong, wasm-bindgen's externref table breaks at start-up).
//
//   node web/wasm-features.mjs MODULE.wasm

import { readFileSync } from 'node:fs';

// rustc/LLVM's names where wasm-opt's differ.
const BINARYEN_NAMES = { 'nontrapping-fptoint': 'nontrapping-float-to-int' };

const file = process.argv[2];
if (!file) {
  console.error('usage: node web/wasm-features.mjs MODULE.wasm');
  process.exit(2);
}
const bytes = readFileSync(file);
if (bytes.readUInt32LE(0) !== 0x6d736100) {
  console.error(`${file}: not a wasm module`);
  process.exit(1);
}
let at = 8;
const leb = () => {
  let result = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return result;
};
const features = [];
while (at < bytes.length) {
  const id = bytes[at++];
  const length = leb();
  const end = at + length;
  if (id === 0) {
    const nameLength = leb();
    const name = bytes.toString('utf8', at, at + nameLength);
    at += nameLength;
    if (name === 'target_features') {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const prefix = String.fromCharCode(bytes[at++]);
        const featureLength = leb();
        const feature = bytes.toString('utf8', at, at + featureLength);
        at += featureLength;
        if (prefix === '+') features.push(BINARYEN_NAMES[feature] || feature);
      }
    }
  }
  at = end;
}
console.log(features.join('\n'));
