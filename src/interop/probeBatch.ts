/**
 * A run's probe batch, rebuilt from its stored config through the same data code the run used
 * (same source, seed, split sizes, standardization): the first min(probeSize, test samples) rows
 * of the test split, as train/loop.ts takes them. As safetensors: `inputs` F32 [n, features],
 * `labels` U8 [n].
 */
import { dataOptionsOf, loadDataset } from '../data/load.js';
import type { RunRecord } from '../store/record.js';
import { encodeSafetensors } from './safetensors.js';

export function probeBatchSafetensors(config: RunRecord['config'], runId: string): { bytes: Uint8Array; count: number } {
  const data = loadDataset(dataOptionsOf(config));
  const count = Math.min(config.probeSize, data.test.labels.length);
  const bytes = encodeSafetensors(
    {
      inputs: { dtype: 'F32', shape: [count, data.features], data: data.test.x.slice(0, count * data.features) },
      labels: { dtype: 'U8', shape: [count], data: data.test.labels.slice(0, count) },
    },
    { producer: 'vgrad', runId, what: 'probe batch' },
  );
  return { bytes, count };
}
