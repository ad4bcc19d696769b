/**
 * Headers parsed per second by readBackupHeader, on the 64 KiB excerpts of a real uncompressed backup
 * and a real compressed one (test/fixtures/mssql): the reader gets what one ranged read returns. Each
 * round parses for a fixed time; the figure is the median over the rounds. In process: no I/O is timed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBackupHeader } from '../../shared/backup/read-header';
import { fmt, int, mark, stat, type Check, type Stat } from './stats';

export const TARGET = { uncompressedPerSecond: 20_000, compressedPerSecond: 5_000 };

const FILES = {
  uncompressed: 'OlaMsFilter/complex/Full/test_FULL_20160629_141300.bak',
  compressed: 'compressed/northwind.bak',
} as const;

export interface HeaderReaderOptions {
  rounds: number;
  roundMs: number;
}

export type HeaderReaderResult = Record<keyof typeof FILES, Stat>;

function perSecond(bytes: Uint8Array, roundMs: number): number {
  let parsed = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < roundMs) {
    for (let i = 0; i < 100; i++) if (readBackupHeader(bytes).ok) parsed++;
    elapsed = performance.now() - start;
  }
  return (parsed / elapsed) * 1000;
}

/** `fixtures`: the test/fixtures/mssql folder of the checkout. */
export function runHeaderReader(fixtures: string, options: HeaderReaderOptions): HeaderReaderResult {
  const bytes = { uncompressed: readFileSync(join(fixtures, FILES.uncompressed)), compressed: readFileSync(join(fixtures, FILES.compressed)) };
  for (const [kind, file] of Object.entries(bytes)) if (!readBackupHeader(file).ok) throw new Error(`${kind} fixture does not read`);
  const samples = { uncompressed: [] as number[], compressed: [] as number[] };
  perSecond(bytes.uncompressed, options.roundMs); // warm-up: let the JIT settle before the first round
  perSecond(bytes.compressed, options.roundMs);
  for (let round = 0; round < options.rounds; round++) {
    // Alternate the order so neither kind always runs on a cooler or hotter process.
    const order = round % 2 === 0 ? (['uncompressed', 'compressed'] as const) : (['compressed', 'uncompressed'] as const);
    for (const kind of order) samples[kind].push(perSecond(bytes[kind], options.roundMs));
  }
  return { uncompressed: stat(samples.uncompressed), compressed: stat(samples.compressed) };
}

export function headerReaderSection(result: HeaderReaderResult, options: HeaderReaderOptions, checks: Check[]): string[] {
  const rows = (['uncompressed', 'compressed'] as const).map((kind) => {
    const target = kind === 'uncompressed' ? TARGET.uncompressedPerSecond : TARGET.compressedPerSecond;
    const ok = result[kind].median >= target;
    checks.push({ name: `header reader: ${kind} headers/s`, limit: `≥ ${int(target)}`, measured: int(result[kind].median), ok });
    return `| ${kind} (${FILES[kind]}) | ${fmt(result[kind], int)} ${mark(ok)} | ≥ ${int(target)} |`;
  });
  return [
    '### Header reader',
    '',
    `readBackupHeader on a 64 KiB excerpt, in process; ${options.rounds} rounds of ${options.roundMs} ms.`,
    '',
    '| backup | headers/s | target |',
    '| --- | --- | --- |',
    ...rows,
  ];
}
