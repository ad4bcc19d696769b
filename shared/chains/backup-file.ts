import type { Chain } from './config';

export type BackupKind = 'full' | 'incremental';

/** What the file name says about a backup file. */
export interface BackupFileName {
  kind: BackupKind;
  order: string;
  /** The DBA marked it as the chain's final backup. */
  final: boolean;
}

/**
 * Reads the chain's pattern against the object name after the prefix; undefined means unrecognised.
 * An order key of digits with separators (20261120_094500) becomes its digits, so names written
 * with and without separators still compare as the timestamps they are.
 */
export function classifyBackupFile(chain: Pick<Chain, 'pattern' | 'prefix'>, key: string): BackupFileName | undefined {
  const match = chain.pattern.exec(key.slice(chain.prefix.length));
  const raw = match?.groups?.order;
  if (!match || !raw) return undefined;
  const order = /^\d[\d_.-]*$/.test(raw) ? raw.replace(/[_.-]/g, '') : raw;
  return { kind: match.groups?.full ? 'full' : 'incremental', order, final: Boolean(match.groups?.final) };
}

/** Order keys compare as numbers when both are all digits, otherwise as strings. */
export function compareOrder(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
