/**
 * Where runs are kept: ROOT/runs/<run-id>/{config.json, metrics.jsonl, summary.json}.
 *
 * A run is built in ROOT/runs/.partial-<run-id>/ and renamed into place only when it completes,
 * so a reader never sees a half-written run folder; every file inside is itself written to a temp
 * file and renamed. A run that fails or is killed leaves at most a .partial-* folder, which is
 * ignored and removed on the next start.
 */
import { appendFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../config/errors.js';
import { toJson } from './record.js';

const PARTIAL_PREFIX = '.partial-';
const STALE_PARTIAL_MS = 24 * 3600 * 1000;

/** Writes `text` to `path` via a temp file and a rename, so `path` is either old or complete. */
export function writeFileAtomic(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeTempFile(temp, text, path);
  renameSync(temp, path);
}

/**
 * Test-only hook (test/atomic.test.ts): with VGRAD_TEST_PAUSE_WRITE set to a file name, writing that
 * file stops half-way (half the text written, one line on stderr) and blocks forever, so a test can
 * kill the process mid-write and check the target holds the old content or the new, never a part.
 */
function writeTempFile(file: string, text: string, target: string): void {
  const pauseOn = process.env.VGRAD_TEST_PAUSE_WRITE;
  if (pauseOn !== undefined && basename(target) === pauseOn) {
    writeFileSync(file, text.slice(0, text.length >> 1));
    process.stderr.write(`vgrad-test: paused writing ${file}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  writeFileSync(file, text);
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${(error as Error).message.replace(/^[A-Z]+: /, '')}` : String(error);
}

export class RunStore {
  readonly finalDir: string;
  private readonly partialDir: string;
  private done = false;

  private constructor(readonly root: string, readonly runId: string) {
    this.finalDir = join(root, 'runs', runId);
    this.partialDir = join(root, 'runs', `${PARTIAL_PREFIX}${runId}`);
  }

  /** Claims a fresh run id under `root` (suffixing -2, -3 … on a clash) and creates its partial folder. */
  static create(root: string, baseId: string): RunStore {
    const runsDir = join(root, 'runs');
    try {
      mkdirSync(runsDir, { recursive: true });
    } catch (error) {
      throw new UsageError(`--out ${root}: cannot create ${runsDir} (${describeFsError(error)}); give a writable folder`);
    }
    removeStalePartials(runsDir);
    for (let attempt = 1; ; attempt++) {
      const runId = attempt === 1 ? baseId : `${baseId}-${attempt}`;
      const store = new RunStore(root, runId);
      if (existsSync(store.finalDir)) continue;
      try {
        mkdirSync(store.partialDir); // fails if another process claimed the id
        return store;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        throw new UsageError(`--out ${root}: cannot write in ${runsDir} (${describeFsError(error)}); give a writable folder`);
      }
    }
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(join(this.partialDir, name), `${toJson(value, 2)}\n`);
  }

  /** Appends one JSON line; the folder is published only when complete, so lines never tear for readers. */
  appendJsonLine(name: string, value: unknown): void {
    appendFileSync(join(this.partialDir, name), `${toJson(value)}\n`);
  }

  /** Publishes the run folder. */
  commit(): string {
    renameSync(this.partialDir, this.finalDir);
    this.done = true;
    return this.finalDir;
  }

  /** Removes the partial folder after a failure. */
  abandon(): void {
    if (this.done) return;
    rmSync(this.partialDir, { recursive: true, force: true });
    this.done = true;
  }
}

/** Partial folders of runs that died long ago (killed processes). Recent ones may belong to live runs. */
function removeStalePartials(runsDir: string): void {
  for (const name of readdirSync(runsDir)) {
    if (!name.startsWith(PARTIAL_PREFIX)) continue;
    const path = join(runsDir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_PARTIAL_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process got there first
    }
  }
}

/** A readable, sortable run id: time, activation, initializer, depth, seed. */
export function baseRunId(now: Date, act: string, init: string, depth: number, seed: number): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const safeInit = init.replace(/[^a-zA-Z0-9.=-]+/g, '_');
  return `${stamp}-${act}-${safeInit}-d${depth}-s${seed}`;
}
