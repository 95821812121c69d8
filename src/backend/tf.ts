/**
 * The one TensorFlow.js handle the rest of vgrad uses. Which backend executes it is decided in
 * ./select.ts and nowhere else.
 */
export * from '@tensorflow/tfjs-core';
