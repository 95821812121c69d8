/**
 * Runs bench/torch_mlp_reference.py (PyTorch, CPU; shipped in this repository) for the same net and batch, so that
 * vgrad's speed is reported as a ratio measured in the same run. A dev tool: only used when
 * `vgrad bench --reference` is given, never by the product itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../util/errors.js';

/** The reference script shipped with vgrad (this file runs as dist/src/bench/torchReference.js). */
export const SHIPPED_REFERENCE = fileURLToPath(new URL('../../../bench/torch_mlp_reference.py', import.meta.url));

export interface TorchResult {
  framework: string;
  msPerStep: number;
  /** CPU time per step; absent from scripts that do not report it. */
  cpuMsPerStep?: number;
  samplesPerSec: number;
}

export function checkReference(script: string, python: string): void {
  if (!existsSync(script)) throw new UsageError(`--reference ${script}: no such file`);
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new UsageError(`--reference needs PyTorch: '${python} -c "import torch"' failed; on Debian: apt-get install -y python3-torch libopenblas0-pthread`);
  }
}

export function runTorchReference(script: string, python: string, layers: number[], act: string, batch: number, steps: number, threads = 1): TorchResult {
  const result = spawnSync(python, [script, '--layers', layers.join(','), '--act', act, '--batch', String(batch), '--steps', String(steps), '--threads', String(threads), '--json'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`PyTorch reference failed: ${result.stderr.trim().split('\n').pop()}`);
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop()!) as TorchResult;
  return parsed;
}
