/**
 * Drawing the charts: vega-lite compiles a spec to vega, vega renders SVG headless (no browser, no
 * canvas), resvg turns the SVG into PNG with the DejaVu Sans files the dejavu-fonts-ttf package
 * ships, so a PNG has the same legible text on a machine with no fonts installed.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DiskError } from '../store/diskErrors.js';
import type { Chart } from './chartSpecs.js';

/** PNG pixels per SVG unit: 2 for sharp text on high-density screens and in print. */
export const PNG_SCALE = 2;

/** The shipped font files (regular and bold); an environment error if the package is missing. */
export function chartFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(require.resolve('dejavu-fonts-ttf/package.json'));
  } catch {
    throw new DiskError('the font package dejavu-fonts-ttf is not installed (npm install) — PNG charts need its DejaVu Sans files');
  }
  const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => join(root, 'ttf', name));
  const missing = files.find((file) => !existsSync(file));
  if (missing) throw new DiskError(`${missing}: font file missing (reinstall dejavu-fonts-ttf)`);
  return files;
}

export async function chartSvg(chart: Chart): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(chart.spec).spec;
  // No loader: every spec carries its data inline, so nothing is ever fetched.
  // vega logs a failed expression and draws an empty chart: collect errors and fail instead.
  const errors: string[] = [];
  const logger = { level: () => logger, error: (...args: unknown[]) => errors.push(args.map(String).join(' ')), warn: () => logger, info: () => logger, debug: () => logger };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as never });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`chart ${chart.name}: ${errors[0]}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/** resvg's options: only the shipped fonts (the same PNG on every machine), 2× zoom, white background. */
export function pngOptions() {
  return {
    font: { loadSystemFonts: false, fontFiles: chartFontFiles(), defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom' as const, value: PNG_SCALE },
    background: 'white',
  };
}

export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, pngOptions()).render().asPng();
}
