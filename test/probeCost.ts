/** Not a test: times the probe on a depth-30 net (`node dist/test/probeCost.js`), for before/after comparisons. */
import { selectBackend } from '../src/backend/select.js';
import { loadDataset } from '../src/data/load.js';
import { parseInit } from '../src/model/initializers.js';
import { batchTensors, createMlp, disposeBatch, disposeMlp } from '../src/model/mlp.js';
import { probe } from '../src/probes/layerStats.js';

await selectBackend('auto');
const data = loadDataset({ data: 'gaussian', seed: 1, standardize: false, trainSize: 10, testSize: 512 });
const depth = Number(process.argv[2] ?? 30);
const sizes = [784, 300, ...Array(depth - 1).fill(100), 10];
const model = createMlp({ sizes, act: 'relu', alpha: 0 }, parseInit('he'), { act: 'relu', gain: 1 }, 1);
const batch = batchTensors(data.test.x, data.test.labels, 784, 10);
for (let i = 0; i < 5; i++) probe(model, batch);
const times: number[] = [];
for (let r = 0; r < 7; r++) {
  const t = performance.now();
  for (let i = 0; i < 10; i++) probe(model, batch);
  times.push((performance.now() - t) / 10);
}
times.sort((a, b) => a - b);
console.log(`depth ${depth}: probe median ${times[3].toFixed(2)} ms (min ${times[0].toFixed(2)})`);
disposeBatch(batch);
disposeMlp(model);
