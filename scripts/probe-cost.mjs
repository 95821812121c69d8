// The probe's own cost, without the noise of comparing two timed runs: trains the reference net
// (784-300-100x4-10 relu, batch 64) for 430 steps, four times alternating probes off and every
// LOG_EVERY steps, and prints CPU ms per step, the CPU time spent inside the 4 probes, and V8's GC
// time. Probe overhead = probes / (LOG_EVERY x steps-only CPU ms per step). Needs `npm run build`.
// Usage: node scripts/probe-cost.mjs [BACKEND (wasm)] [LOG_EVERY (100)]
const root = new URL('..', import.meta.url).pathname;
const [backendName = 'wasm', every = '100'] = process.argv.slice(2);
const { PerformanceObserver } = await import('node:perf_hooks');
const tf = await import(`${root}/dist/src/backend/tf.js`);
const { selectBackend } = await import(`${root}/dist/src/backend/select.js`);
const { loadDataset } = await import(`${root}/dist/src/data/load.js`);
const { createMlp } = await import(`${root}/dist/src/model/mlp.js`);
const { parseInit } = await import(`${root}/dist/src/model/initializers.js`);
const { train } = await import(`${root}/dist/src/train/loop.js`);
await selectBackend(backendName);
console.log(`backend ${tf.getBackend()}`);
let gcMs = 0; new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });
const data = loadDataset({ data: 'mnist', seed: 1, standardize: false, trainSize: 4000, testSize: 1000 });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (const logEvery of [1e9, Number(every), 1e9, Number(every)]) {
  const model = createMlp({ sizes: [784, 300, 100, 100, 100, 100, 10], act: 'relu', alpha: 0.01 }, parseInit('he'), { act: 'relu', gain: 1 }, 1);
  let c0 = 0, w0 = 0, g0 = 0, probeCpu = 0, p0 = 0;
  await train(model, data, { optimizer: 'sgd', lr: 0.01, momentum: 0, batch: 64, steps: 431, seed: 1, probeSize: 512, logEvery }, {
    onStep: (step) => { if (step === 30) { c0 = cpu(); w0 = performance.now(); g0 = gcMs; probeCpu = 0; } p0 = cpu(); if (step === 430) console.log(backendName, `logEvery ${logEvery}: CPU ${((cpu() - c0) / 400).toFixed(2)} ms/step, wall ${((performance.now() - w0) / 400).toFixed(2)}, gc ${(gcMs - g0).toFixed(0)} ms, probes ${probeCpu.toFixed(0)} ms CPU` + (logEvery < 1e9 ? ` (${(probeCpu / Math.floor(400 / logEvery)).toFixed(0)} ms each)` : '')); },
    onProbe: (p) => { if (p.step > 30 && p.step <= 430) probeCpu += cpu() - p0; },
  });
  model.weights.concat(model.biases).forEach((v) => v.dispose());
}
