/**
 * A preload (node --require, or NODE_OPTIONS="--require …/without-native.cjs") that makes
 * @tensorflow/tfjs-node look not installed in this process and, through NODE_OPTIONS, in every
 * node process it starts: requiring or resolving it throws MODULE_NOT_FOUND, as on a machine
 * without the native backend.
 *
 * For tests only: .ci/run runs the first suite pass with it (the native backend is built before the
 * suite, and that pass is the suite of a machine without it), and tests of the "not installed"
 * messages use it through test/helpers.ts withoutNativeEnv().
 */
'use strict';
const Module = require('node:module');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@tensorflow/tfjs-node' || request.startsWith('@tensorflow/tfjs-node/')) {
    const error = new Error(`Cannot find module '${request}' (hidden by scripts/without-native.cjs)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};
