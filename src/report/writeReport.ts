/**
 * Writes a report folder: report.html and, per chart, NAME.svg and NAME.png (as --format asks).
 * Everything is rendered in memory first, then written to a hidden staging folder inside the
 * output folder and renamed into place file by file: a failure leaves no part-written file.
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { writeFileAtomic, writeTarget } from '../util/atomicFile.js';
import { makeFolders } from '../util/makeFolders.js';
import { DiskError, environmentProblem } from '../store/diskErrors.js';
import { chartSvg, svgToPng } from './chartRender.js';
import { reportCharts, type ScaleMode } from './chartSpecs.js';
import { trainableDepthChart } from './trainableDepthChart.js';
import { htmlReport } from './htmlReport.js';
import type { StoredRun } from './storedRuns.js';
import { onSignalExit } from '../util/signalExit.js';

export const REPORT_FORMATS = ['html', 'svg', 'png'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

function environment(what: string, error: unknown): never {
  const problem = environmentProblem(error);
  if (problem) throw new DiskError(`${what}: ${problem}`);
  throw error;
}

/** Renders and writes the report; returns the paths written. */
export async function writeReport(runs: StoredRun[], outDir: string, formats: ReportFormat[], title: string, histogramSteps?: number[], scale: ScaleMode = 'shared', only?: string[]): Promise<string[]> {
  let created: string | undefined;
  try {
    if (statSync(outDir, { throwIfNoEntry: false })?.isDirectory() === false) throw new UsageError(`--out ${outDir}: exists and is not a folder; give a folder (created if missing)`);
    created = makeFolders(outDir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (environmentProblem(error) === null && (error as NodeJS.ErrnoException).code !== undefined) {
      throw new UsageError(`--out ${outDir}: cannot create the folder (${(error as NodeJS.ErrnoException).code}); give a writable folder`);
    }
    environment(`--out ${outDir}: cannot create the folder`, error);
  }
  // Rendering takes seconds: a Ctrl-C meanwhile must not leave the empty folder it made behind.
  const forgetCleanup = onSignalExit(() => {
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
  });
  const trainable = only === undefined || only.includes('trainable-depth') ? trainableDepthChart(runs) : null;
  const charts = [...(trainable ? [trainable] : []), ...reportCharts(runs, histogramSteps, { scale, only })];
  const files: { name: string; data: string | Buffer }[] = [];
  const rendered: { chart: (typeof charts)[number]; svg: string }[] = [];
  for (const chart of charts) {
    const svg = await chartSvg(chart);
    rendered.push({ chart, svg });
    if (formats.includes('svg')) files.push({ name: `${chart.name}.svg`, data: svg });
    if (formats.includes('png')) files.push({ name: `${chart.name}.png`, data: await svgToPng(svg) });
  }
  if (formats.includes('html')) files.push({ name: 'report.html', data: htmlReport(title, runs, rendered) });

  forgetCleanup();
  const staging = join(outDir, `.partial-report-${process.pid}`);
  const written: string[] = [];
  try {
    // A device, FIFO or folder in the way is refused before anything is written; a symlink is written through.
    const targets = files.map((file) => writeTarget(join(outDir, file.name)));
    mkdirSync(staging);
    for (const file of files) writeFileSync(join(staging, file.name), file.data);
    files.forEach((file, i) => {
      const own = join(outDir, file.name);
      if (targets[i] === own) renameSync(join(staging, file.name), own);
      else writeFileAtomic(targets[i], file.data);
      written.push(own);
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    environment(`--out ${outDir}: cannot write the report`, error);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return written;
}
