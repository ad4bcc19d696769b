/** Median with min–max: every figure the bench reports is one of these, never a single sample. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stat(values: number[]): Stat {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length };
}

/** `median (min–max)` with the given formatter. */
export function fmt(s: Stat, format: (v: number) => string): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1) return `${format(s.median)} (1 run)`;
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

export const ms = (v: number) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v >= 100 ? 0 : 1)} ms`);
export const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
export const int = (v: number) => Math.round(v).toLocaleString('en-US');
export const num = (digits: number) => (v: number) => v.toFixed(digits);

/** A budget or target: the measured median against the limit. */
export interface Check {
  name: string;
  limit: string;
  measured: string;
  ok: boolean;
}

export const mark = (ok: boolean) => (ok ? '✅' : '❌');
