// A small PNG decoder (8-bit greyscale, RGB, RGBA, grey+alpha; non-interlaced: what Chromium's
// screenshots are) and the image statistics the end-to-end test needs. node's zlib only.

import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Decodes a PNG into { width, height, channels, data } (data: one byte per channel). */
export function decodePng(buffer) {
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let offset = 8;
  let header = null;
  const idat = [];
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const chunk = buffer.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
    if (type === 'IHDR') {
      header = {
        width: chunk.readUInt32BE(0),
        height: chunk.readUInt32BE(4),
        depth: chunk[8],
        colorType: chunk[9],
        interlace: chunk[12],
      };
    } else if (type === 'IDAT') {
      idat.push(chunk);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (!header) throw new Error('PNG without IHDR');
  const channels = CHANNELS[header.colorType];
  if (header.depth !== 8 || !channels) {
    throw new Error(`unsupported PNG: bit depth ${header.depth}, colour type ${header.colorType}`);
  }
  if (header.interlace !== 0) throw new Error('unsupported PNG: interlaced');
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const { width, height } = header;
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('PNG data too short');
  const data = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = data.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? data.subarray((y - 1) * stride, y * stride) : null;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = prev ? prev[x] : 0;
      const c = prev && x >= channels ? prev[x - channels] : 0;
      let value = line[x];
      switch (filter) {
        case 0: break;
        case 1: value += a; break;
        case 2: value += b; break;
        case 3: value += (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          value += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      out[x] = value & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** Luminance (0–255) of every pixel. */
export function luminance(image) {
  const { width, height, channels, data } = image;
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const p = i * channels;
    out[i] = channels >= 3
      ? 0.2126 * data[p] + 0.7152 * data[p + 1] + 0.0722 * data[p + 2]
      : data[p];
  }
  return out;
}

/** Mean, standard deviation and number of distinct (quantised) colours of an image. */
export function stats(image) {
  const lum = luminance(image);
  let sum = 0;
  let sumSq = 0;
  for (const v of lum) {
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / lum.length;
  const variance = Math.max(0, sumSq / lum.length - mean * mean);
  const colours = new Set();
  const { channels, data } = image;
  for (let p = 0; p < data.length; p += channels * 7) {
    colours.add(channels >= 3 ? ((data[p] >> 3) << 10) | ((data[p + 1] >> 3) << 5) | (data[p + 2] >> 3) : data[p]);
  }
  return { mean, variance, stddev: Math.sqrt(variance), colours: colours.size };
}

/**
 * How two same-sized images differ: mean absolute luminance difference and the fraction of
 * pixels whose luminance moved by more than `threshold`.
 */
export function difference(a, b, threshold = 16) {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`images differ in size: ${a.width}x${a.height} and ${b.width}x${b.height}`);
  }
  const la = luminance(a);
  const lb = luminance(b);
  let total = 0;
  let changed = 0;
  for (let i = 0; i < la.length; i++) {
    const d = Math.abs(la[i] - lb[i]);
    total += d;
    if (d > threshold) changed++;
  }
  return { meanAbs: total / la.length, changedFraction: changed / la.length };
}
