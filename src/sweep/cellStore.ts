/**
 * Writes one cell's run into its exact folder, ROOT/sweeps/<name>/<cell-id>/, by the run store's
 * scheme: build in a partial folder, rename into place when complete. The claim is atomic (mkdir),
 * so two processes never write the same cell; the partial folder holds owner.json so a later run
 * can tell a live claim from a killed one.
 *
 * Minimal stand-in until RunStore can write into an exact target folder (h3-signals); it has the
 * same surface as RunStore (RunSink) so runExperiment takes either.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '../store/record.js';
import { writeFileAtomic } from '../store/runStore.js';
import type { RunSink } from '../train/experiment.js';
import { type CellFile, OLD_PREFIX, ownerNow, PARTIAL_PREFIX, partialIsLive } from './sweepFolder.js';

export type ClaimResult = { kind: 'claimed'; store: CellStore } | { kind: 'done' } | { kind: 'busy' };

export class CellStore implements RunSink {
  private finished = false;

  private constructor(
    readonly runId: string,
    private readonly finalDir: string,
    private readonly partialDir: string,
    private readonly replace: boolean,
  ) {}

  /** Claims the cell for this process. `replace` (--force) redoes a finished cell. */
  static claim(sweepDir: string, cell: CellFile, replace: boolean): ClaimResult {
    const finalDir = join(sweepDir, cell.id);
    const partialDir = join(sweepDir, `${PARTIAL_PREFIX}${cell.id}`);
    if (!replace && existsSync(join(finalDir, 'summary.json'))) return { kind: 'done' };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        mkdirSync(partialDir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (partialIsLive(partialDir)) return { kind: 'busy' };
        rmSync(partialDir, { recursive: true, force: true });
        continue;
      }
      const store = new CellStore(cell.id, finalDir, partialDir, replace);
      writeFileAtomic(join(partialDir, 'owner.json'), `${JSON.stringify(ownerNow())}\n`);
      store.writeJson('cell.json', cell);
      return { kind: 'claimed', store };
    }
    return { kind: 'busy' };
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(join(this.partialDir, name), `${toJson(value, 2)}\n`);
  }

  appendJsonLine(name: string, value: unknown): void {
    appendFileSync(join(this.partialDir, name), `${toJson(value)}\n`);
  }

  /** Publishes the cell. A record another process published meanwhile is kept, this one dropped. */
  commit(): string {
    rmSync(join(this.partialDir, 'owner.json'), { force: true });
    if (this.replace && existsSync(this.finalDir)) {
      const old = join(this.finalDir, '..', `${OLD_PREFIX}${this.runId}-${process.pid}`);
      renameSync(this.finalDir, old);
      renameSync(this.partialDir, this.finalDir);
      rmSync(old, { recursive: true, force: true });
    } else {
      try {
        renameSync(this.partialDir, this.finalDir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        rmSync(this.partialDir, { recursive: true, force: true });
      }
    }
    this.finished = true;
    return this.finalDir;
  }

  abandon(): void {
    if (this.finished) return;
    rmSync(this.partialDir, { recursive: true, force: true });
    this.finished = true;
  }
}
