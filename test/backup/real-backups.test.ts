import { describe, expect, it } from 'vitest';
import { readBackupHeader } from '../../shared/backup/read-header';
import { expected, fixture } from './fixtures';

/**
 * Fields of expected-headers.json that are not header fields, or not in the leading bytes:
 * backupFinishDate exists only in the copy of the record near the end of the file.
 */
const NOT_IN_HEADER = new Set(['path', 'size', 'sha256', 'backupFinishDate', 'recoveryModel']);

describe('readBackupHeader on real SQL Server backups', () => {
  it('has all 29 fixtures, each at most 64 KiB', () => {
    expect(expected).toHaveLength(29);
    for (const file of expected) expect(fixture(file.path).length).toBeLessThanOrEqual(65_536);
  });

  it.each(expected.map((file) => [file.path, file] as const))('%s', (path, file) => {
    const result = readBackupHeader(fixture(path));
    if (!result.ok) throw new Error(`${path}: ${result.reason.code}`);
    const header = result.header as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(file)) {
      if (NOT_IN_HEADER.has(field)) continue;
      // LSNs compare as exact decimal strings: a Number would merge LSNs above 2^53.
      const actual = typeof header[field] === 'bigint' ? String(header[field]) : header[field];
      expect(actual, field).toEqual(value);
    }
    // Only the simple recovery model is told apart; FULL and BULK_LOGGED share the flag's absence.
    expect(result.header.simpleRecovery).toBe(file.recoveryModel === 'SIMPLE');
  });

  it('pairs the two stripes of one backup by media set and backup set, not by name', () => {
    const stripes = ['sql2008-backups/RestoreTimeStripe/Stripe1/RestoreTimeStripe.bak', 'sql2008-backups/RestoreTimeStripe/Stripe2/RestoreTimeStripe1.bak'].map((path) => {
      const result = readBackupHeader(fixture(path));
      if (!result.ok) throw new Error(result.reason.code);
      return result.header;
    });
    expect(stripes[0]!.mediaSetGuid).toBe(stripes[1]!.mediaSetGuid);
    expect(stripes[0]!.backupSetGuid).toBe(stripes[1]!.backupSetGuid);
    expect(stripes.map((s) => [s.mediaFamilyCount, s.mediaFamilySequenceNumber])).toEqual([
      [2, 1],
      [2, 2],
    ]);
  });
});
