import { describe, expect, it } from 'vitest';
import { parseChains, restoresDatabase } from '../../shared/chains/config';
import { parseRecord } from '../../shared/restore/obs-event';

describe('chain config', () => {
  const bad = (chains: unknown) => () => parseChains(JSON.stringify(chains));
  it('names the field that is wrong', () => {
    expect(() => parseChains(undefined)).toThrow(/RESTORE_CHAINS: is not set/);
    expect(() => parseChains('{')).toThrow(/RESTORE_CHAINS.*JSON/);
    expect(bad([{ id: 'x', bucket: 'B', targetInstanceId: 'i' }])).toThrow(/RESTORE_CHAINS\[0\]\.bucket/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', fileNamePattern: '(' }])).toThrow(/fileNamePattern.*regular expression/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', restore: { isDefaultRestore: false } }])).toThrow(/restore\.dbNames/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', restore: { resetDbNameMap: { '': 'n' } } }])).toThrow(/resetDbNameMap.*full-only/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', mode: 'full-only', restore: { resetDbNameMap: { old_db: 'n' } } }])).toThrow(/resetDbNameMap.*key ""/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', typo: 1 }])).toThrow(/RESTORE_CHAINS\[0\]/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', smnTopicUrn: 'nope' }])).toThrow(/smnTopicUrn/);
    expect(bad([{ id: 'x', bucket: 'bb-b', prefix: 'a/', targetInstanceId: 'i', cutoverMarker: 'b/CUT' }])).toThrow(/cutoverMarker/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i' }, { id: 'x', bucket: 'cc-c', targetInstanceId: 'i' }])).toThrow(/RESTORE_CHAINS\[1\]\.id/);
  });

  it('a source restores every database, or only those it lists, never those it excludes (names compare as SQL Server compares them)', () => {
    const source = (extra: object) => parseChains(JSON.stringify([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', ...extra }]))[0]!;
    expect(restoresDatabase(source({}), 'ERP')).toBe(true);
    expect(restoresDatabase(source({ databases: ['erp', 'Sales'] }), 'ERP')).toBe(true);
    expect(restoresDatabase(source({ databases: ['erp', 'Sales'] }), 'HR')).toBe(false);
    expect(restoresDatabase(source({ excludeDatabases: ['scratch'] }), 'Scratch')).toBe(false);
    expect(restoresDatabase(source({ databases: ['ERP'], excludeDatabases: ['ERP'] }), 'ERP')).toBe(false);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', databases: [] }])).toThrow(/RESTORE_CHAINS\[0\]\.databases: must name at least one/);
  });

  it('a fileNamePattern only narrows which objects are considered; configs written for the old order group still load', () => {
    const [narrowed] = parseChains(JSON.stringify([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', fileNamePattern: '^.*_(?:(?<full>FULL)|LOG)_(?<order>\\d{8}_?\\d{6})(?<final>_FINAL)?\\.(?:bak|trn)$' }]));
    expect(narrowed!.pattern!.test('ERP_LOG_20261120_094500.trn')).toBe(true);
    expect(parseChains(JSON.stringify([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i' }]))[0]!.pattern).toBeUndefined();
  });
});

describe('OBS event records', () => {
  const record = (key: string, extra: object = {}) => ({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key, eTag: '"abc"', ...extra } } });
  it('decodes keys as OBS sends them and accepts obs-shaped records', () => {
    expect(parseRecord(record('erp/My+DB_FULL%281%29.bak'))).toMatchObject({ kind: 'created', object: { key: 'erp/My DB_FULL(1).bak', eTag: 'abc' } });
    expect(parseRecord({ eventName: 'ObjectCreated:Post', obs: record('k').s3 })).toMatchObject({ kind: 'created', object: { key: 'k' } });
    expect(parseRecord({ ...record('k'), eventName: 'ObjectRemoved:DeleteMarkerCreated' })).toMatchObject({ kind: 'removed' });
    expect(parseRecord({ ...record('k'), eventName: 'ObjectRestore:Post' })).toMatchObject({ kind: 'malformed', reason: expect.stringContaining('unknown event') });
    expect(parseRecord(record('%E0%A4%A'))).toMatchObject({ kind: 'malformed', reason: expect.stringContaining('URL encoding') });
  });
});
