/**
 * Grid axes from what the user wrote, and their Cartesian product (Hydra's multirun, lighter).
 * Values stay as the text the user gave: each cell is validated by the run config parser, so a
 * sweep accepts exactly what `vgrad run` accepts.
 */
import { UsageError } from '../util/errors.js';
import type { ListKind } from './runOptions.js';

import type { Axis, AxisValue, Overrides } from '../store/record.js';

/** Declared with the sweep file they are stored in (store/record.ts). */
export type { Axis, AxisValue, Overrides };

const RANGE = /^(\d+)\.\.(\d+)(?::(\d+))?$/;
/** Cells one range may produce; a typo like 1..1000000 is refused instead of planned. */
const MAX_RANGE_VALUES = 10_000;

/** `a..b` or `a..b:step`, inclusive of b when the steps land on it: 2..30:4 → 2, 6, …, 30. */
export function expandRange(text: string, what: string): string[] | undefined {
  const match = RANGE.exec(text.trim());
  if (!match) return undefined;
  const [from, to, step] = [Number(match[1]), Number(match[2]), match[3] === undefined ? 1 : Number(match[3])];
  if (step < 1) throw new UsageError(`${what} '${text}': the step of a range must be ≥ 1, e.g. 2..30:4`);
  if (to < from) throw new UsageError(`${what} '${text}': a range goes up, from..to with from ≤ to, e.g. 2..30:4`);
  if ((to - from) / step + 1 > MAX_RANGE_VALUES) throw new UsageError(`${what} '${text}': more than ${MAX_RANGE_VALUES} values`);
  const values: string[] = [];
  for (let value = from; value <= to; value += step) values.push(String(value));
  return values;
}

/** Splits `he,vs:scale=2,mode=fan_in,xavier` into he | vs:scale=2,mode=fan_in | xavier. */
function splitSpecs(text: string): string[] {
  const items: string[] = [];
  for (const part of text.split(',')) {
    const continuesSpec = part.includes('=') && !part.includes(':') && items.length > 0 && items[items.length - 1].includes(':');
    if (continuesSpec) items[items.length - 1] += `,${part}`;
    else items.push(part);
  }
  return items;
}

/** The values one flag's text stands for, by the option's list kind. `what` names the flag or field. */
export function parseValueList(text: string, kind: ListKind, what: string): string[] {
  let items: string[];
  switch (kind) {
    case 'layers':
      items = text.split('/');
      break;
    case 'spec':
      items = splitSpecs(text);
      break;
    case 'single':
      items = [text];
      break;
    default:
      items = text.split(',');
  }
  items = items.map((item) => item.trim());
  if (items.some((item) => item === '')) {
    throw new UsageError(`${what} '${text}': an empty value in the list; write values separated by ${kind === 'layers' ? "'/'" : 'commas'}`);
  }
  if (kind === 'int') items = items.flatMap((item) => expandRange(item, what) ?? [item]);
  return unique(items);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * Every combination of the axes' values, first axis slowest; no axes gives one empty cell. One at a
 * time (an odometer), so a caller can stop between cells without the whole product in memory.
 */
export function* cartesian(axes: Axis[]): Generator<Overrides> {
  if (axes.some((axis) => axis.values.length === 0)) return;
  const at = axes.map(() => 0);
  for (;;) {
    yield Object.fromEntries(axes.map((axis, i) => [axis.key, axis.values[at[i]]]));
    let i = axes.length - 1;
    while (i >= 0 && ++at[i] === axes[i].values.length) at[i--] = 0;
    if (i < 0) return;
  }
}
