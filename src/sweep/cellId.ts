/**
 * A cell's identity: a hash of its normalized config (every default filled in), so `--depth 2`
 * and no flag name the same cell, whichever way the grid was written. A readable prefix keeps
 * folder listings useful; the hash makes the id unique.
 */
import { createHash } from 'node:crypto';
import type { RunConfig } from '../config/runConfig.js';

/** The settings that decide a cell's numbers: everything but where it and its TensorBoard copy are stored. */
export type CellConfig = Omit<RunConfig, 'out' | 'tensorboard'>;

export function cellConfigOf(config: RunConfig): CellConfig {
  const { out: _out, tensorboard: _tensorboard, ...rest } = config;
  return rest;
}

/** JSON with object keys sorted at every level, so equal configs give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const HASH_CHARS = 10;

export function cellId(config: CellConfig): string {
  const hash = createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, HASH_CHARS);
  const init = config.init.replace(/[^a-z0-9.-]+/gi, '_').slice(0, 24);
  return `${config.act}-${init}-d${config.depth}-s${config.seed}-${hash}`;
}

/** Ids and names become folder names: one path component of safe characters, never '.' or '..'. */
const SAFE_COMPONENT = /^[A-Za-z0-9][A-Za-z0-9._=-]{0,127}$/;

export function isSafeComponent(name: string): boolean {
  return SAFE_COMPONENT.test(name) && !name.includes('..');
}
