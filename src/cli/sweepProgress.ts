/**
 * Sweep progress on stderr. On a terminal: an overall bar (cells done of total, ETA) and one line
 * per worker saying which cell it runs and how far it is. Otherwise (logs, CI, Slurm output
 * files): one plain line per finished cell.
 */
import cliProgress from 'cli-progress';
import type { ChalkInstance } from 'chalk';
import type { CellOutcome } from '../sweep/pool.js';
import type { PlannedCell } from '../sweep/plan.js';
import { verdictColor } from '../report/sweepTable.js';

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class SweepProgress {
  private multi: cliProgress.MultiBar | undefined;
  private overall: cliProgress.SingleBar | undefined;
  private readonly workers = new Map<number, cliProgress.SingleBar>();
  private done = 0;
  private failed = 0;
  private started = performance.now();
  private cellMsTotal = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly color: ChalkInstance,
    private readonly total: number,
    private readonly jobs: number,
  ) {}

  start(): void {
    this.started = performance.now();
    if (!this.stream.isTTY || this.total === 0) return;
    this.multi = new cliProgress.MultiBar(
      { stream: this.stream, hideCursor: true, clearOnComplete: true, autopadding: true, format: '{label} {bar} {value}/{total} {unit} {info}', barsize: 20 },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multi.create(this.total, 0, { label: 'cells   ', unit: 'cells', info: '' });
  }

  private eta(): string {
    const remaining = this.total - this.done;
    if (this.done === 0 || remaining === 0) return '';
    const perCell = this.cellMsTotal / this.done;
    return `eta ${duration((perCell * remaining) / Math.min(this.jobs, remaining))}`;
  }

  cellStart(worker: number, cell: PlannedCell): void {
    if (!this.multi) return;
    const bar = this.workers.get(worker) ?? this.multi.create(1, 0, { label: `worker ${worker + 1}`, unit: 'steps', info: '' });
    this.workers.set(worker, bar);
    bar.setTotal(1);
    bar.update(0, { info: cell.id });
  }

  cellSteps(worker: number, cell: PlannedCell, steps: number): void {
    const bar = this.workers.get(worker);
    if (!bar) return;
    bar.setTotal(Math.max(1, steps));
    bar.update(0, { info: cell.id });
  }

  cellProgress(worker: number, cell: PlannedCell, step: number, loss: number): void {
    this.workers.get(worker)?.update(step, { info: `${cell.id} loss ${loss.toFixed(3)}` });
  }

  cellEnd(cell: PlannedCell, outcome: CellOutcome, verdict: string | null): void {
    if (outcome.kind === 'interrupted') return;
    this.done++;
    this.cellMsTotal += outcome.ms;
    if (outcome.kind === 'failed') this.failed++;
    const status = outcome.kind === 'failed' ? this.color.red.bold('FAILED') : outcome.kind;
    if (this.overall) {
      this.overall.update(this.done, { info: `${this.eta()}${this.failed ? ` · ${this.failed} failed` : ''}` });
      if (outcome.kind === 'failed') this.multi!.log(`${cell.id} failed: ${outcome.error}\n`);
      return;
    }
    const parts = [`[${this.done}/${this.total}] ${cell.id} ${status}`];
    if (verdict) parts.push(verdictColor(this.color, verdict));
    if (outcome.error) parts.push(outcome.error);
    parts.push(duration(outcome.ms));
    const eta = this.eta();
    if (eta) parts.push(eta);
    this.stream.write(`${parts.join(' · ')}\n`);
  }

  stop(): void {
    this.multi?.stop();
    this.multi = undefined;
  }

  elapsed(): string {
    return duration(performance.now() - this.started);
  }
}
