/**
 * Training progress on stderr: a progress bar on a terminal, plain periodic lines otherwise
 * (logs and CI), one at each probe point and at least every PLAIN_INTERVAL_MS.
 */
import cliProgress from 'cli-progress';
import type { ChalkInstance } from 'chalk';
import type { ProbePoint } from '../train/loop.js';
import { fitLines } from '../report/fitWidth.js';
import { terminalColumns } from './terminal.js';

const PLAIN_INTERVAL_MS = 10_000;
const BAR_FORMAT = 'training {bar} {value}/{total} steps | loss {loss} | {msPerStep} ms/step | eta {timeLeft}';

/** Time left as 42s, 3m05s or 1h02m; a dash until there is a rate to estimate it from. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Bar cells that leave the rest of the line room on a `columns`-wide terminal (cli-progress cuts what overflows). */
export function barSize(columns: number | undefined, steps: number): number {
  const rest = BAR_FORMAT.replace('{bar}', '')
    .replace('{value}/{total}', `${steps}/${steps}`)
    .replace('{loss}', '0.0000')
    .replace('{msPerStep}', '0000.0')
    .replace('{timeLeft}', '00h00m').length;
  return Math.max(5, Math.min(40, (columns ?? 80) - 1 - rest));
}

export class ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;
  private steps = 0;
  private started = 0;
  private lastPlainLine = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly color: ChalkInstance,
  ) {}

  start(info: { runId: string; steps: number; backend: string; backendVersion: string; trainSamples: number }): void {
    this.steps = info.steps;
    this.started = performance.now();
    this.lastPlainLine = this.started;
    this.stream.write(
      fitLines(
        `${this.color.bold('vgrad')} run ${info.runId} · backend ${info.backend} ${info.backendVersion} · ${info.trainSamples} training samples · ${info.steps} steps`,
        this.stream.isTTY ? terminalColumns(this.stream) : undefined,
      ) + '\n',
    );
    if (this.stream.isTTY && info.steps > 0) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: BAR_FORMAT,
          barsize: barSize(terminalColumns(this.stream), info.steps),
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(info.steps, 0, { loss: '–', msPerStep: '–', timeLeft: formatEta(undefined) });
    }
  }

  step(step: number, loss: number): void {
    const msPerStep = (performance.now() - this.started) / step;
    if (this.bar) {
      this.bar.update(step, { loss: loss.toFixed(4), msPerStep: msPerStep.toFixed(1), timeLeft: formatEta(((this.steps - step) * msPerStep) / 1000) });
    } else if (performance.now() - this.lastPlainLine > PLAIN_INTERVAL_MS) {
      this.plainLine(`step ${step}/${this.steps}  loss ${loss.toFixed(4)}  ${msPerStep.toFixed(1)} ms/step`);
    }
  }

  probe(point: ProbePoint): void {
    if (this.bar) return;
    const train = point.trainLoss === null ? '' : `  train loss ${point.trainLoss.toFixed(4)}  train acc ${point.trainAcc!.toFixed(3)}`;
    const clip = point.clip?.clippedShare == null ? '' : `  clipped ${(100 * point.clip.clippedShare).toFixed(0)}%  ‖g‖ ${point.clip.meanPreClipNorm!.toPrecision(3)}`;
    this.plainLine(`step ${point.step}/${this.steps}${train}  probe loss ${point.probeLoss.toFixed(4)}  probe acc ${point.probeAcc.toFixed(3)}${clip}`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private plainLine(text: string): void {
    this.lastPlainLine = performance.now();
    this.stream.write(`${text}\n`);
  }
}
