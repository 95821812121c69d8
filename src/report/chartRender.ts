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

/** A drawn mark with its data: what a test counts and measures (coordinates relative to its panel). */
export interface DrawnMark {
  /** vega's mark type: symbol, line, rect, area, text… */
  type: string;
  datum: Record<string, unknown>;
  x: number;
  y: number;
  /** The size of the panel (group) the mark is drawn in. */
  panelWidth: number;
  panelHeight: number;
}

async function withView<T>(chart: Chart, use: (view: import('vega').View) => Promise<T>): Promise<T> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(chart.spec).spec;
  // No loader: every spec carries its data inline, so nothing is ever fetched.
  // vega logs a failed expression and draws an empty chart: collect errors and fail instead.
  const errors: string[] = [];
  const logger = { level: () => logger, error: (...args: unknown[]) => errors.push(args.map(String).join(' ')), warn: () => logger, info: () => logger, debug: () => logger };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as never });
  try {
    const result = await use(view);
    if (errors.length > 0) throw new Error(`chart ${chart.name}: ${errors[0]}`);
    return result;
  } finally {
    view.finalize();
  }
}

export async function chartSvg(chart: Chart): Promise<string> {
  return withView(chart, (view) => view.toSVG());
}

/** Every data-bearing mark of the rendered chart (axes, legends and titles left out). */
export async function chartMarks(chart: Chart): Promise<DrawnMark[]> {
  return withView(chart, async (view) => {
    await view.runAsync();
    const marks: DrawnMark[] = [];
    type Node = { marktype?: string; role?: string; items?: Node[]; datum?: Record<string, unknown>; x?: number; y?: number; width?: number; height?: number };
    const walk = (node: Node, panel: { width: number; height: number }, inGuide: boolean) => {
      for (const item of node.items ?? []) {
        const guide = inGuide || /^(axis|legend|title)/.test(node.role ?? '');
        if (node.marktype && node.marktype !== 'group' && !guide && item.datum && node.role === 'mark') {
          marks.push({ type: node.marktype, datum: item.datum, x: item.x ?? 0, y: item.y ?? 0, panelWidth: panel.width, panelHeight: panel.height });
        }
        const inner = node.marktype === 'group' && typeof item.height === 'number' && item.height > 0 ? { width: item.width ?? 0, height: item.height } : panel;
        walk(item, inner, guide);
      }
    };
    walk((view.scenegraph() as unknown as { root: Node }).root, { width: 0, height: 0 }, false);
    return marks;
  });
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
