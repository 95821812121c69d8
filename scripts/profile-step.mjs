// Where a training step's time goes, per kernel (tf.profile): trains the reference net
// (784-300-100x4-10 relu, He, SGD) for 50 warm-up steps, then profiles 50 more with probes off and
// prints, per kernel name, calls and ms per step, the sum of kernel time, and the step's wall time
// (the difference is dispatch and JavaScript between kernels). Needs `npm run build`.
// Usage: node scripts/profile-step.mjs [BACKEND (wasm)] [BATCH (64)]
const root = new URL('..', import.meta.url).pathname;
const [backendName = 'wasm', batchText = '64'] = process.argv.slice(2);
const batch = Number(batchText);
const tf = await import(`${root}/dist/src/backend/tf.js`);
const { selectBackend } = await import(`${root}/dist/src/backend/select.js`);
const { loadDataset } = await import(`${root}/dist/src/data/load.js`);
const { createMlp, disposeMlp } = await import(`${root}/dist/src/model/mlp.js`);
const { parseInit } = await import(`${root}/dist/src/model/initializers.js`);
const { train } = await import(`${root}/dist/src/train/loop.js`);
await selectBackend(backendName, { threads: 1 });
const data = loadDataset({ data: 'mnist', seed: 1, standardize: false, trainSize: 4000, testSize: 1000 });
const model = createMlp({ sizes: [784, 300, 100, 100, 100, 100, 10], act: 'relu', alpha: 0.01 }, parseInit('he'), { act: 'relu', gain: 1 }, 1);
const settings = { optimizer: 'sgd', lr: 0.01, momentum: 0, batch, seed: 1, probeSize: 64, logEvery: 1e9 };
await train(model, data, { ...settings, steps: 50 });
const steps = 50;
const started = performance.now();
const profile = await tf.profile(() => train(model, data, { ...settings, steps }));
const wallPerStep = (performance.now() - started) / steps;
const byName = new Map();
for (const k of profile.kernels) {
  const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
  entry.calls += 1;
  entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  byName.set(k.name, entry);
}
const rows = [...byName].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((sum, [, e]) => sum + e.ms, 0) / steps;
console.log(`backend ${tf.getBackend()}, batch ${batch}: ${(profile.kernels.length / steps).toFixed(0)} kernels/step, kernel time ${kernelMs.toFixed(2)} ms/step of ${wallPerStep.toFixed(2)} ms/step wall (profiled; the profiler itself adds time)`);
for (const [name, e] of rows) console.log(`${name.padEnd(22)} ${(e.calls / steps).toFixed(1).padStart(6)} calls/step ${(e.ms / steps).toFixed(3).padStart(8)} ms/step ${((100 * e.ms) / steps / kernelMs).toFixed(1).padStart(5)}%`);
disposeMlp(model);
