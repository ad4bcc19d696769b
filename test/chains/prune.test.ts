import { describe, expect, it } from 'vitest';
import { admitBackup } from '../../shared/chains/admit';
import { parseChains, type Chain } from '../../shared/chains/config';
import { headerRead } from '../../shared/chains/header-read';
import { FINISHED_KEPT_MS, prunableFiles, pruneFinished, RECENT_FINISHED, REFUSED_KEPT_MS } from '../../shared/chains/prune';
import { viewChain } from '../../shared/chains/select';
import { emptyChainState, type ChainState } from '../../shared/chains/state';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { restoreAll } from '../support/chain-steps';

/**
 * Bounded state: a database with months of log backups keeps a fixed number of records, and what
 * left the state is never sent again (it is read again and found covered by its LSNs).
 */
const [chain] = parseChains(JSON.stringify([{ id: 'erp', bucket: 'mig-backups', prefix: '', targetInstanceId: 'rds-1' }])) as [Chain];

function admit(state: ChainState, key: string, bytes: Uint8Array, now: number): ChainState {
  return admitBackup(state, chain, { key, eTag: `e-${key}`, uploadId: `u-${key}`, now }, headerRead(bytes)).state;
}

/** Long after every migration here. */
const LATER = 30 * 24 * 3_600_000;
/** A log backup every 15 minutes, as a busy database takes them. */
const LOG_EVERY = 15 * 60_000;

/** A full and `logs` logs of one database, each restored (and pruned) as it arrives; the bytes kept to upload again. */
function migrate(name: string, logs: number, secondFullAfterLog?: number) {
  const db = new SyntheticDatabase(name);
  const bytes = new Map<string, Uint8Array>();
  let state = emptyChainState();
  let now = 1_000;
  const arrive = (key: string, content: Uint8Array) => {
    bytes.set(key, content);
    state = pruneFinished(restoreAll(admit(state, key, content, (now += LOG_EVERY)), chain, now).state, now);
  };
  arrive(`${name}/FULL.bak`, db.full());
  for (let i = 1; i <= logs; i++) {
    arrive(`${name}/LOG_${String(i).padStart(5, '0')}.trn`, db.log());
    if (i === secondFullAfterLog) arrive(`${name}/FULL_2.bak`, db.full());
  }
  // As the state stands a month later: the last hour's files have left too.
  return { state: pruneFinished(state, LATER), bytes, db };
}

describe('finished files leave the state; the restore point stays', () => {
  it('after 300 restored logs a database holds its full, its restore point and the last finished files', () => {
    const { state } = migrate('ERP', 300);
    const keys = Object.keys(state.files).sort();
    expect(keys.length).toBe(RECENT_FINISHED + 2);
    expect(keys).toContain('ERP/FULL.bak');
    expect(keys).toContain('ERP/LOG_00300.trn');
    expect(keys).not.toContain('ERP/LOG_00279.trn');
    expect(keys).toContain('ERP/LOG_00280.trn');
    const [view] = viewChain(state, chain, LATER);
    expect(view!.restoredTo?.file.key).toBe('ERP/LOG_00300.trn');
    expect(view!.next).toMatchObject({ kind: 'wait', code: 'nothing-waiting' });
  });

  it('the next log after pruning is sent as it would have been without', () => {
    const { state, db } = migrate('ERP', 60);
    const { order } = restoreAll(admit(state, 'ERP/LOG_00061.trn', db.log(), LATER), chain, LATER);
    expect(order).toEqual(['ERP/LOG_00061.trn']);
  });

  it('an old log or full delivered again after its record left is found covered and never sent', () => {
    const { state, bytes } = migrate('ERP', 60, 10);
    expect(state.files['ERP/LOG_00005.trn']).toBeUndefined();
    expect(state.files['ERP/FULL_2.bak']).toBeUndefined();
    let again = admit(state, 'ERP/LOG_00005.trn', bytes.get('ERP/LOG_00005.trn')!, LATER);
    again = admit(again, 'ERP/FULL_2.bak', bytes.get('ERP/FULL_2.bak')!, LATER);
    const { state: after, order } = restoreAll(again, chain, LATER);
    expect(order).toEqual([]);
    expect(after.files['ERP/LOG_00005.trn']).toMatchObject({ status: 'not-needed', because: 'covered' });
    expect(after.files['ERP/FULL_2.bak']).toMatchObject({ status: 'not-needed', because: 'covered' });
  });

  it('a failed file and an undeleted DRS-safe copy never leave, however old', () => {
    const { state } = migrate('ERP', 40);
    const restored = Object.values(state.files).find((f) => f.status === 'succeeded' && f.key !== 'ERP/FULL.bak')!;
    const old = (key: string, extra: object) => ({ ...restored, key, finishedAt: 1, ...extra });
    const files = {
      ...state.files,
      'ERP/COPIED.trn': old('ERP/COPIED.trn', { staging: { key: 'restore-pilot-staging/erp/copied-0123456789ab.bak', eTag: 'c' } }),
      'ERP/FAILED.trn': old('ERP/FAILED.trn', { status: 'failed' }),
      'ERP/WAITING.trn': old('ERP/WAITING.trn', { status: 'waiting' }),
      'ERP/DONE.trn': old('ERP/DONE.trn', {}),
    };
    expect(prunableFiles({ ...state, files }, LATER)).toEqual(['ERP/DONE.trn']);
  });

  it('a finished file stays an hour at least, so the next reconcile walk passes it before it leaves', () => {
    const { state } = migrate('ERP', 30);
    const restored = Object.values(state.files).find((f) => f.status === 'succeeded' && f.key !== 'ERP/FULL.bak')!;
    const burst = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`ERP/burst-${i}.trn`, { ...restored, key: `ERP/burst-${i}.trn`, finishedAt: LATER + i }]));
    const withBurst = { ...state, files: { ...state.files, ...burst } };
    expect(prunableFiles(withBurst, LATER + 30)).toHaveLength(20); // only the older ones: the burst is too fresh
    expect(prunableFiles(withBurst, LATER + 30 + FINISHED_KEPT_MS)).toHaveLength(30);
  });

  it('a refused file stays a day, so its page goes out before its record leaves', () => {
    const { state } = migrate('ERP', 30);
    const refused = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`ERP/notes-${i}.txt`, { ...state.files['ERP/FULL.bak']!, key: `ERP/notes-${i}.txt`, header: undefined, status: 'refused' as const, finishedAt: 1_000 + i }]),
    );
    const withRefused = { ...state, files: { ...state.files, ...refused } };
    expect(prunableFiles(withRefused, 1_000 + 60_000)).toEqual([]);
    expect(prunableFiles(withRefused, 1_030 + REFUSED_KEPT_MS)).toHaveLength(10);
  });

  it('each database keeps its own recent files', () => {
    const a = migrate('ERP', 30).state;
    const b = migrate('CRM', 30).state;
    const both = pruneFinished({ meta: a.meta, files: { ...a.files, ...b.files } }, LATER);
    expect(Object.keys(both.files).filter((k) => k.startsWith('CRM/'))).toHaveLength(RECENT_FINISHED + 2);
    expect(Object.keys(both.files).filter((k) => k.startsWith('ERP/'))).toHaveLength(RECENT_FINISHED + 2);
  });
});
