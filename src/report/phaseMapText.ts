/**
 * The order-to-chaos map in the terminal: one character per grid point, σb² up the side and σw²
 * along the bottom. The character says ξ_c (the depth scale, in bands); colour, where allowed,
 * says the phase (blue ordered, red chaotic); '|' marks the critical line χ₁ = 1 in each row, so
 * the map reads the same with NO_COLOR.
 */
import type { ChalkInstance } from 'chalk';
import type { PhaseMap } from '../theory/phaseMap.js';
import { formatNumber } from './layerTable.js';

/** ξ_c bands: the upper bound of each and its character (darker = deeper signal propagation). */
export const XI_BANDS: { below: number; char: string }[] = [
  { below: 2, char: ' ' },
  { below: 5, char: '.' },
  { below: 10, char: ':' },
  { below: 20, char: '-' },
  { below: 50, char: '=' },
  { below: 100, char: '+' },
  { below: 300, char: '*' },
  { below: Infinity, char: '#' },
];

export function xiChar(xi: number | null): string {
  if (xi === null) return '?';
  return (XI_BANDS.find((band) => xi < band.below) ?? XI_BANDS[XI_BANDS.length - 1]).char;
}

export function renderPhaseMap(map: PhaseMap, color: ChalkInstance): string {
  const labels = map.sigmaB2.map((v) => String(Number(v.toPrecision(3))));
  const pad = Math.max(...labels.map((l) => l.length), 'σb²'.length);
  const columns = map.sigmaW2.length;
  const stepW = columns > 1 ? map.sigmaW2[1] - map.sigmaW2[0] : 1;
  const lines: string[] = [color.bold(`Order-to-chaos map: --act ${map.act}, ξ_c = −1/ln χ_c over σw² × σb² (Schoenholz et al. 2017)`)];
  lines.push(`${'σb²'.padStart(pad)}`);
  for (let r = map.sigmaB2.length - 1; r >= 0; r--) {
    const critical = map.critical[r];
    // The column nearest the critical σw² of this row.
    const criticalColumn = critical === null ? -1 : Math.round((critical - map.sigmaW2[0]) / stepW);
    let row = '';
    for (let c = 0; c < columns; c++) {
      const cell = map.cells[r][c];
      if (c === criticalColumn) {
        row += color.bold('|');
        continue;
      }
      const char = xiChar(cell.xiC);
      row += cell.phase === 'chaotic' || cell.phase === null ? color.red(char === ' ' ? '·' : char) : color.blue(char === ' ' ? '·' : char);
    }
    lines.push(`${labels[r].padStart(pad)} ${row}`);
  }
  const first = formatNumber(map.sigmaW2[0]);
  const last = formatNumber(map.sigmaW2[columns - 1]);
  lines.push(`${' '.repeat(pad)} ${first}${' '.repeat(Math.max(1, columns - first.length - last.length))}${last}  σw²`);
  const bandText = XI_BANDS.map((band, i) => `'${band.char === ' ' ? '·' : band.char}' ${i === 0 ? `< ${band.below}` : band.below === Infinity ? `≥ ${XI_BANDS[i - 1].below}` : `${XI_BANDS[i - 1].below}–${band.below}`}`);
  lines.push(`ξ_c (layers): ${bandText.join(', ')}`);
  lines.push(`'|' critical line χ₁ = 1: ordered (χ₁ < 1, inputs converge${color.level > 0 ? ', blue' : ''}) to its left, chaotic (χ₁ > 1${color.level > 0 ? ', red' : ''}) to its right; nets train up to depth ≈ 6ξ_c.`);
  const crit = map.critical.map((c, i) => (c === null ? null : `σb² ${formatNumber(map.sigmaB2[i])}: ${formatNumber(c)}`)).filter((x) => x !== null);
  if (crit.length > 0) lines.push(`critical σw²: ${[crit[0], crit[Math.floor(crit.length / 2)], crit[crit.length - 1]].filter((x, i, all) => all.indexOf(x) === i).join('; ')}`);
  return `${lines.join('\n')}\n`;
}
