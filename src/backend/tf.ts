/**
 * The one TensorFlow.js handle the rest of vgrad uses. Which backend executes it is decided in
 * ./select.ts and nowhere else.
 *
 * tfjs-core is a CommonJS bundle of 1.2 MB. Imported from an ES module, Node first scans all of it
 * for export names (cjs-module-lexer): ~130 ms of CPU in every process that trains, against ~50 ms
 * to require() it. So it is required here, and the ops vgrad uses are re-exported by name (a new
 * one is a compile error until it is added below); the types come through `export type *`.
 */
import { createRequire } from 'node:module';
import type * as Core from '@tensorflow/tfjs-core';

export type * from '@tensorflow/tfjs-core';

/** The tfjs-core module instance the backends register with (require's cache: one per process). */
export const core = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof Core;

export const {
  abs, add, addN, clipByValue, clone, concat, dispose, div, elu, engine, env, exp, eye, fill, getBackend, grads, greater,
  leakyRelu, linalg, logSoftmax, mean, rsqrt, sqrt, matMul, max, maximum, memory, minimum, mul, norm, onesLike, profile,
  randomNormal, randomUniform, ready, reciprocal, relu, reshape, selu, setBackend, sigmoid, sign,
  softmax, square, stack, step, sub, sum, tanh, scalar, ones, tensor1d, tensor2d, tidy, train, transpose,
  truncatedNormal, variable, version_core, where, zeros,
} = core;
