/** A change as a signed percentage with a true minus sign: +8.0%, −20.1%; 0.0% when it rounds to zero. */
export function signedPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '–';
  const magnitude = Math.abs(fraction * 100).toFixed(digits);
  if (Number(magnitude) === 0) return `${magnitude}%`;
  return `${fraction < 0 ? '−' : '+'}${magnitude}%`;
}
