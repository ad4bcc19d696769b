import { describe, expect, it } from 'vitest';
import { admitBackup, type HeaderRead } from '../../shared/chains/admit';
import { parseChains, type Chain } from '../../shared/chains/config';
import { headerRead } from '../../shared/chains/header-read';
import { viewDatabase, viewChain } from '../../shared/chains/select';
import { emptyChainState, type ChainState } from '../../shared/chains/state';
import { expected, fixture } from '../backup/fixtures';
import { restoreAll as playDrs } from '../support/chain-steps';

/**
 * Selection by LSN over the real backups' headers (test/fixtures/mssql, read by the real reader):
 * what SQL Server would restore, in which order, and what it would refuse.
 */
const [chain] = parseChains(JSON.stringify([{ id: 'lab', bucket: 'mig-backups', prefix: '', targetInstanceId: 'rds-1' }])) as [Chain];
const under = (folder: string) => expected.map((e) => e.path).filter((p) => p.startsWith(folder));
const readOf = (path: string) => headerRead(fixture(path));

/** Admits the files in the given order, as uploads would. */
function admit(state: ChainState, paths: string[], now = 1_000): ChainState {
  for (const path of paths) state = admitBackup(state, chain, { key: path, eTag: `e-${path}`, uploadId: `u-${path}`, now }, readOf(path)).state;
  return state;
}

const restoreAll = (state: ChainState) => {
  const { state: after, order } = playDrs(state, chain);
  return { state: after, restored: order };
};

const shuffle = (paths: string[]) => [...paths].sort((a, b) => (a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1));

describe('a chain restores by LSN, as SQL Server does (real backups)', () => {
  it('OlaMsFilter/complex, all present: the newest full, then every log not covered, in LSN order; no differential', () => {
    const { state, restored } = restoreAll(admit(emptyChainState(), shuffle(under('OlaMsFilter/complex/'))));
    expect(restored).toEqual([
      'OlaMsFilter/complex/Full/test_FULL_20160629_142200.bak',
      'OlaMsFilter/complex/Log/test_LOG_20160629_142300.trn',
      'OlaMsFilter/complex/Log/test_LOG_20160629_142600.trn',
      'OlaMsFilter/complex/Log/test_LOG_20160629_142900.trn',
    ]);
    const because = (name: string) => state.files[`OlaMsFilter/complex/${name}`]!.because;
    expect(because('Full/test_FULL_20160629_141300.bak')).toBe('older-full');
    expect(because('Diff/test_DIFF_20160629_142500.bak')).toBe('differential');
    expect(because('Log/test_LOG_20160629_141700.trn')).toBe('covered');
    expect(because('Log/test_LOG_20160629_143000.trn')).toBe('empty-log');
  });

  it('OlaMsFilter/complex, the first full restored before the rest arrive: the log chain runs on across the second full', () => {
    const first = 'OlaMsFilter/complex/Full/test_FULL_20160629_141300.bak';
    let { state } = restoreAll(admit(emptyChainState(), [first]));
    ({ state } = restoreAll(admit(state, shuffle(under('OlaMsFilter/complex/').filter((p) => p !== first)))));
    const restored = Object.values(state.files).filter((f) => f.status === 'succeeded').map((f) => f.key.split('/').at(-1)).sort();
    expect(restored).toEqual(['test_FULL_20160629_141300.bak', 'test_LOG_20160629_141400.trn', 'test_LOG_20160629_141700.trn', 'test_LOG_20160629_142000.trn', 'test_LOG_20160629_142300.trn', 'test_LOG_20160629_142600.trn', 'test_LOG_20160629_142900.trn']);
    expect(state.files['OlaMsFilter/complex/Full/test_FULL_20160629_142200.bak']!.because).toBe('later-full');
  });

  it('dbOrphanUsers: its first log starts long before the full and ends after it, and is next', () => {
    const { restored } = restoreAll(admit(emptyChainState(), shuffle(under('sql2008-backups/dbOrphanUsers/'))));
    expect(restored.map((p) => p.split('/').at(-1))).toEqual(['SQL2008_dbOrphanUsers_FULL_20170518_041740.bak', 'SQL2008_dbOrphanUsers_LOG_20170518_041831.trn']);
  });

  it('a missing log is a hole: nothing past it, both neighbours named; when it arrives the chain goes on', () => {
    const missing = 'OlaMsFilter/complex/Log/test_LOG_20160629_142600.trn';
    const { state } = restoreAll(admit(emptyChainState(), under('OlaMsFilter/complex/').filter((p) => p !== missing)));
    const [view] = viewChain(state, chain, 0);
    expect(view!.next).toMatchObject({ kind: 'wait', code: 'hole' });
    const hole = view!.next.kind === 'wait' ? view!.next.hole! : undefined;
    expect(hole!.restoredTo.lsn).toBe(21000000022400001n);
    expect(hole!.restoredTo.file.key).toBe('OlaMsFilter/complex/Log/test_LOG_20160629_142300.trn');
    expect(hole!.nextAvailable.header.firstLsn).toBe('21000000023900001');
    const healed = restoreAll(admit(state, [missing]));
    expect(healed.restored.map((p) => p.split('/').at(-1))).toEqual(['test_LOG_20160629_142600.trn', 'test_LOG_20160629_142900.trn']);
  });

  it('an empty log at the restored point is restored when it is the final one', () => {
    let state = restoreAll(admit(emptyChainState(), under('sql2008-backups/dbOrphanUsers/FULL/').concat(under('sql2008-backups/dbOrphanUsers/LOG/SQL2008_dbOrphanUsers_LOG_20170518_041831')))).state;
    const emptyLog = 'sql2008-backups/dbOrphanUsers/LOG/SQL2008_dbOrphanUsers_LOG_20170518_041837.trn';
    state = admitBackup({ ...state, meta: { ...state.meta, cutoverRequestedAt: 5_000 } }, chain, { key: emptyLog, eTag: 'e', now: 6_000 }, readOf(emptyLog)).state;
    const [view] = viewChain(state, chain, 0);
    expect(view!.final?.key).toBe(emptyLog);
    expect(view!.next).toMatchObject({ kind: 'submit', isLastBackup: true, file: { key: emptyLog } });
  });
});

describe('refused before DRS, with a stable code', () => {
  const refusalOf = (state: ChainState, path: string) => state.files[path]!.refusal?.code;

  it('both stripes of a striped backup, a password-protected one, and a database the chain does not restore', () => {
    const stripes = under('sql2008-backups/RestoreTimeStripe/');
    const state = admit(emptyChainState(), [...stripes, 'backuppassword/passwd.bak']);
    expect(stripes.map((p) => refusalOf(state, p))).toEqual(['striped', 'striped']);
    expect(refusalOf(state, 'backuppassword/passwd.bak')).toBe('password-protected');
    expect(viewChain(state, chain, 0)).toEqual([]);
  });

  it('a backup of another database with the same name (another BindingID) never enters the chain', () => {
    const db2 = 'sql2008-backups/db2/FULL/SQL2008_db2_FULL_20170518_041738.bak';
    let state = admit(emptyChainState(), [db2]);
    const read = readOf(db2) as Extract<HeaderRead, { header: unknown }>;
    const impostor = { header: { ...read.header, bindingId: '00000000-0000-4000-a000-000000000001', serverName: 'OTHER\\SQL' } };
    state = admitBackup(state, chain, { key: 'other/db2.bak', eTag: 'x', now: 1 }, impostor).state;
    expect(state.files['other/db2.bak']).toMatchObject({ status: 'refused', refusal: { code: 'other-database' } });
  });

  it('system databases and file or partial backups', () => {
    const { header } = readOf('sql2008-backups/db2/FULL/SQL2008_db2_FULL_20170518_041738.bak') as Extract<HeaderRead, { header: unknown }>;
    const codeFor = (h: typeof header) => admitBackup(emptyChainState(), chain, { key: 'k', eTag: 'e', now: 1 }, { header: h }).state.files.k!.refusal?.code;
    expect(codeFor({ ...header, databaseName: 'msdb' })).toBe('system-database');
    expect(codeFor({ ...header, databaseName: 'rdsadmin' })).toBe('system-database');
    expect(codeFor({ ...header, type: 'partial' })).toBe('partial-backup');
    expect(codeFor({ ...header, type: 'file' })).toBe('partial-backup');
  });

  it('unreadable files are refused with the reader\'s code: a zip renamed .bak, an upload cut at 2 KiB', () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(200).fill(0)]);
    expect(headerRead(zip)).toMatchObject({ refusal: { code: 'not-a-backup' } });
    expect(headerRead(fixture('OlaMsFilter/complex/Full/test_FULL_20160629_141300.bak').slice(0, 2048))).toMatchObject({ refusal: { code: 'truncated' } });
  });
});

describe('one view per database', () => {
  it('two databases in one chain restore side by side, each from its own full', () => {
    const state = admit(emptyChainState(), [...under('sql2008-backups/db2/'), ...under('sql2008-backups/dbOrphanUsers/FULL/')]);
    const views = viewChain(state, chain, 0);
    expect(views.map((v) => [v.database, v.next.kind])).toEqual([
      ['db2', 'submit'],
      ['dbOrphanUsers', 'submit'],
    ]);
    expect(viewDatabase('db2', views[0]!.files, { mode: 'incremental' }, 0).notNeeded.map((n) => n.because)).toEqual(['differential']);
  });
});
