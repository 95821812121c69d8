/**
 * Training progress on stderr: a progress bar on a terminal, plain periodic lines otherwise
 * (logs and CI), one at each probe point and at least every PLAIN_INTERVAL_MS.
 */
import cliProgress from 'cli-progress';
import type { ChalkInstance } from 'chalk';
import type { ProbePoint } from '../train/loop.js';

const PLAIN_INTERVAL_MS = 10_000;

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
      `${this.color.bold('vgrad')} run ${info.runId} · backend ${info.backend} ${info.backendVersion} · ${info.trainSamples} training samples · ${info.steps} steps\n`,
    );
    if (this.stream.isTTY && info.steps > 0) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: 'training {bar} {value}/{total} steps | loss {loss} | {msPerStep} ms/step | eta {eta_formatted}',
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(info.steps, 0, { loss: '-', msPerStep: '-' });
    }
  }

  step(step: number, loss: number): void {
    const msPerStep = (performance.now() - this.started) / step;
    if (this.bar) {
      this.bar.update(step, { loss: loss.toFixed(4), msPerStep: msPerStep.toFixed(1) });
    } else if (performance.now() - this.lastPlainLine > PLAIN_INTERVAL_MS) {
      this.plainLine(`step ${step}/${this.steps}  loss ${loss.toFixed(4)}  ${msPerStep.toFixed(1)} ms/step`);
    }
  }

  probe(point: ProbePoint): void {
    if (this.bar) return;
    const train = point.trainLoss === null ? '' : `  train loss ${point.trainLoss.toFixed(4)}  train acc ${point.trainAcc!.toFixed(3)}`;
    this.plainLine(`step ${point.step}/${this.steps}${train}  probe loss ${point.probeLoss.toFixed(4)}  probe acc ${point.probeAcc.toFixed(3)}`);
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
