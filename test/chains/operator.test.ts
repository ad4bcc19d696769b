import { describe, expect, it } from 'vitest';
import { backupForName, SyntheticDatabase } from '../../scripts/synthetic/backups';
import { admitBackup } from '../../shared/chains/admit';
import { parseChains, type Chain } from '../../shared/chains/config';
import { headerRead } from '../../shared/chains/header-read';
import { requestCutover, restartFrom, retryFile, skipConsequences, skipFile } from '../../shared/chains/operator';
import { viewChain } from '../../shared/chains/select';
import { emptyChainState, type ChainState } from '../../shared/chains/state';
import { markFailed, markRunning, markSubmitting, markSucceeded } from '../../shared/chains/transitions';

const [chain, fullOnly] = parseChains(
  JSON.stringify([
    { id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-1' },
    { id: 'crm', bucket: 'mig-backups', prefix: 'crm/', targetInstanceId: 'inst-2', mode: 'full-only' },
  ]),
) as [Chain, Chain];
const FULL = 'erp/ERP_FULL_20261120000000.bak';
const LOG = (n: number) => `erp/ERP_LOG_2026112001${String(n).padStart(2, '0')}00.trn`;

const admit = (state: ChainState, key: string, bytes = backupForName(key), now = 1) => admitBackup(state, chain, { key, eTag: `e-${key}`, now }, headerRead(bytes)).state;
const withFiles = (...keys: string[]): ChainState => keys.reduce((state, key) => admit(state, key), emptyChainState());
const next = (state: ChainState) => viewChain(state, chain, 5)[0]!.next;
const succeeded = (state: ChainState, key: string) => markSucceeded(markRunning(markSubmitting(state, key, false, 2, 1000), key, `job-${key}`, 2), key, 3);
const failed = (state: ChainState, key: string) => markFailed(markRunning(markSubmitting(state, key, false, 2, 1000), key, 'job-1', 2), key, 'disk full', 3, 'FAILED');
const done = (d: ReturnType<typeof retryFile>) => {
  if ('refused' in d) throw new Error(d.refused);
  return d;
};

describe('operator decisions', () => {
  it('retry turns a failed file into the next submission under a new job name', () => {
    const state = failed(withFiles(FULL, LOG(1)), FULL);
    const retried = done(retryFile(state, chain, FULL, 5)).state.files[FULL]!;
    expect(retried).toMatchObject({ status: 'waiting', attempt: 2 });
    expect(retried.jobName).not.toBe(state.files[FULL]!.jobName);
    expect(retried.jobId).toBeUndefined();
    // Looked up by name before any create: the state may have been rebuilt knowing only attempt 1.
    expect(next(done(retryFile(state, chain, FULL, 5)).state)).toMatchObject({ kind: 'submit', file: { key: FULL }, resume: true });
  });

  it('after a skipped full the chain starts from a new one; logs it covers are not needed', () => {
    const state = withFiles(FULL, LOG(1), LOG(3));
    const skipped = done(skipFile(state, chain, FULL, 5)).state;
    const NEW_FULL = 'erp/ERP_FULL_20261120010200.bak';
    const restored = succeeded(admit(skipped, NEW_FULL), NEW_FULL);
    const [view] = viewChain(restored, chain, 5);
    expect(view!.notNeeded.map((n) => [n.file.key, n.because])).toEqual([[LOG(1), 'covered']]);
    expect(view!.next).toMatchObject({ kind: 'submit', file: { key: LOG(3) } });
  });

  it('restart from a newer full: restored over the database, then only the logs after it', () => {
    const db = new SyntheticDatabase('ERP');
    const files: [string, Uint8Array][] = [['erp/f1.bak', db.full()], ['erp/l1.trn', db.log()], ['erp/l2.trn', db.log()], ['erp/l3.trn', db.log()], ['erp/f2.bak', db.full()], ['erp/l4.trn', db.log()]];
    let state = files.filter(([key]) => key !== 'erp/l2.trn').reduce((s, [key, bytes]) => admit(s, key, bytes), emptyChainState());
    state = succeeded(succeeded(state, 'erp/f1.bak'), 'erp/l1.trn');
    expect(next(state)).toMatchObject({ kind: 'wait', code: 'hole' });
    expect(restartFrom(state, chain, 'erp/l3.trn', 6)).toEqual({ refused: 'erp/l3.trn is not a full backup DRS can restore in chain erp-prod' });
    const restarted = done(restartFrom(state, chain, 'erp/f2.bak', 6)).state;
    expect(restarted.files['erp/f2.bak']).toMatchObject({ status: 'waiting', cover: true });
    expect(['erp/f1.bak', 'erp/l1.trn', 'erp/l3.trn'].map((k) => restarted.files[k]!.status)).toEqual(['superseded', 'superseded', 'superseded']);
    expect(next(restarted)).toMatchObject({ kind: 'submit', file: { key: 'erp/f2.bak' } });
    expect(next(succeeded(restarted, 'erp/f2.bak'))).toMatchObject({ kind: 'submit', file: { key: 'erp/l4.trn' } });
  });

  it('retry and skip refuse files in the wrong state, naming the state', () => {
    const state = markRunning(markSubmitting(withFiles(FULL), FULL, false, 2, 1000), FULL, 'job-1', 2);
    expect(retryFile(state, chain, FULL, 5)).toEqual({ refused: `${FULL} is running; only a failed file, or one held by its preflight, can be retried` });
    expect(skipFile(state, chain, FULL, 5)).toEqual({ refused: `${FULL} is running; only a waiting or failed file can be skipped` });
    expect(retryFile(state, chain, LOG(9), 5)).toEqual({ refused: `${LOG(9)} is not a file of chain erp-prod` });
  });

  it('a skipped log leaves the chain, and the next log goes after the full', () => {
    const state = failed(withFiles(FULL, LOG(1), LOG(2)), LOG(1));
    const afterFull = { ...state, files: { ...state.files, [FULL]: { ...state.files[FULL]!, status: 'succeeded' as const } } };
    expect(next(afterFull)).toMatchObject({ kind: 'wait', code: 'halted' });
    const skipped = done(skipFile(afterFull, chain, LOG(1), 5)).state;
    expect(skipped.files[LOG(1)]!.status).toBe('skipped');
    expect(next(skipped)).toMatchObject({ kind: 'submit', file: { key: LOG(2) } });
  });

  it('the skip warning says what breaks: the whole chain for a full, later logs for a log', () => {
    const state = withFiles(FULL, LOG(1), LOG(2), LOG(3));
    expect(skipConsequences(state, FULL)).toContain('is the FULL backup');
    expect(skipConsequences(state, LOG(1))).toContain('every later log restore (2 waiting now) will FAIL');
  });

  it('cutover: refused for a full-only chain and when already requested', () => {
    expect(requestCutover(emptyChainState(), fullOnly, 1)).toEqual({ refused: 'chain crm is full-only: its full backup is already the last' });
    const requested = done(requestCutover(withFiles(FULL), chain, 1)).state;
    expect(requested.meta.cutoverRequestedAt).toBe(1);
    expect(requestCutover(requested, chain, 2)).toEqual({ refused: 'cutover was already requested for chain erp-prod' });
  });
});
