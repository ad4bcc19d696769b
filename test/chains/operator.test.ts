import { describe, expect, it } from 'vitest';
import { classifyBackupFile } from '../../shared/chains/backup-file';
import { parseChains, type Chain } from '../../shared/chains/config';
import { requestCutover, retryFile, skipConsequences, skipFile } from '../../shared/chains/operator';
import { applyUpload, markFailed, markRunning, markSubmitting, nextSubmission } from '../../shared/chains/plan';
import { emptyChainState, type ChainState } from '../../shared/chains/state';

const [chain, fullOnly] = parseChains(
  JSON.stringify([
    { id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-1' },
    { id: 'crm', bucket: 'mig-backups', prefix: 'crm/', targetInstanceId: 'inst-2', mode: 'full-only' },
  ]),
) as [Chain, Chain];
const FULL = 'erp/ERP_FULL_20261120000000.bak';
const LOG = (n: number) => `erp/ERP_LOG_2026112001${String(n).padStart(2, '0')}00.trn`;

function withFiles(...keys: string[]): ChainState {
  return keys.reduce((state, key) => applyUpload(state, chain, { key, eTag: 'e1', now: 1 }, classifyBackupFile(chain, key)!).state, emptyChainState());
}
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
    expect(nextSubmission(done(retryFile(state, chain, FULL, 5)).state, chain, 5)).toMatchObject({ submit: { key: FULL }, resume: true });
  });

  it('a new full after a skipped one drops the waiting logs older than it, as after a failed one', () => {
    const state = withFiles(FULL, LOG(1), LOG(3));
    const skipped = done(skipFile(state, chain, FULL, 5)).state;
    const NEW_FULL = 'erp/ERP_FULL_20261120010200.bak';
    const next = applyUpload(skipped, chain, { key: NEW_FULL, eTag: 'e2', now: 6 }, classifyBackupFile(chain, NEW_FULL)!).state;
    expect(next.files[LOG(1)]!.status).toBe('superseded');
    expect(next.files[LOG(3)]!.status).toBe('waiting');
    expect(next.meta.notices.map((n) => [n.kind, n.key])).toEqual([['late-file', LOG(1)]]);
  });

  it('retry and skip refuse files in the wrong state, naming the state', () => {
    const state = markRunning(markSubmitting(withFiles(FULL), FULL, false, 2, 1000), FULL, 'job-1', 2);
    expect(retryFile(state, chain, FULL, 5)).toEqual({ refused: `${FULL} is running; only a failed file can be retried` });
    expect(skipFile(state, chain, FULL, 5)).toEqual({ refused: `${FULL} is running; only a waiting or failed file can be skipped` });
    expect(retryFile(state, chain, LOG(9), 5)).toEqual({ refused: `${LOG(9)} is not a file of chain erp-prod` });
  });

  it('a skipped log leaves the chain, and the next log goes after the full', () => {
    const state = failed(withFiles(FULL, LOG(1), LOG(2)), LOG(1));
    const afterFull = { ...state, files: { ...state.files, [FULL]: { ...state.files[FULL]!, status: 'succeeded' as const } } };
    expect(nextSubmission(afterFull, chain, 5)).toMatchObject({ reason: expect.stringContaining('chain halted') });
    const skipped = done(skipFile(afterFull, chain, LOG(1), 5)).state;
    expect(skipped.files[LOG(1)]!.status).toBe('skipped');
    expect(nextSubmission(skipped, chain, 5).submit?.key).toBe(LOG(2));
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
