import { describe, expect, it } from 'vitest';
import { backupForName, SyntheticDatabase } from '../../scripts/synthetic/backups';
import { admitBackup, applyCutoverMarker } from '../../shared/chains/admit';
import { parseChains, type Chain } from '../../shared/chains/config';
import { headerRead } from '../../shared/chains/header-read';
import { restoreJobName } from '../../shared/chains/job-name';
import { viewChain } from '../../shared/chains/select';
import { emptyChainState, type ChainState } from '../../shared/chains/state';
import { markFailed, markRunning, markSubmitting } from '../../shared/chains/transitions';
import { restoreAll } from '../support/chain-steps';

const [chain, fullOnly] = parseChains(
  JSON.stringify([
    { id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-1', cutoverMarker: 'erp/CUTOVER' },
    { id: 'crm', bucket: 'mig-backups', prefix: 'crm/', targetInstanceId: 'inst-2', mode: 'full-only' },
  ]),
) as [Chain, Chain];

/** An upload of a backup named in the maintenance-plan style, its LSNs following its timestamp. */
function upload(state: ChainState, key: string, eTag = 'e1', now = 1, on: Chain = chain, uploadId?: string) {
  return admitBackup(state, on, { key, eTag, now, ...(uploadId ? { uploadId } : {}) }, headerRead(backupForName(key)));
}
const next = (state: ChainState, now = 10) => viewChain(state, chain, now)[0]!.next;
const finalKey = (state: ChainState, database = 'DB') => viewChain(state, chain, 10).find((v) => v.database === database)?.final?.key;

describe('admission: what an upload does to the chain', () => {
  it('a submission left in progress is resumed only after its expiry', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = markSubmitting(state, 'erp/DB_FULL_20261120000000.bak', false, 100, 50);
    expect(next(state, 149)).toMatchObject({ kind: 'wait', code: 'in-flight' });
    expect(next(state, 150)).toMatchObject({ kind: 'submit', file: { key: 'erp/DB_FULL_20261120000000.bak' }, resume: true });
  });

  it('the same version twice is a duplicate; a failed file re-uploaded is retried; a running one is not replaced', () => {
    const key = 'erp/DB_FULL_20261120000000.bak';
    let state = upload(emptyChainState(), key, 'e1').state;
    expect(upload(state, key, 'e1').status).toBe('duplicate');
    state = markFailed(markSubmitting(state, key, false, 1, 10), key, 'damaged', 2, 'PRECHECK FAILED');
    expect(next(state)).toMatchObject({ kind: 'wait', code: 'halted', detail: expect.stringContaining(`${key} failed`) });
    const retried = upload(state, key, 'e2');
    expect(retried).toMatchObject({ status: 'queued' });
    expect(retried.state.files[key]).toMatchObject({ status: 'waiting', eTag: 'e2', jobName: restoreJobName('erp-prod', 'mig-backups', key, 'e2') });
    state = markRunning(markSubmitting(retried.state, key, false, 4, 10), key, 'j2', 5);
    expect(upload(state, key, 'e3')).toMatchObject({ status: 'ignored', reason: expect.stringContaining('being restored') });
  });

  it('a log older than the restored point is covered: taken out, never sent, never paged', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120010000.bak').state;
    state = upload(state, 'erp/DB_LOG_20261120000000.trn').state;
    state = upload(state, 'erp/DB_LOG_20261120030000.trn').state;
    const done = restoreAll(state, chain);
    expect(done.order).toEqual(['erp/DB_FULL_20261120010000.bak', 'erp/DB_LOG_20261120030000.trn']);
    expect(done.state.files['erp/DB_LOG_20261120000000.trn']).toMatchObject({ status: 'not-needed', because: 'covered' });
    const late = upload(done.state, 'erp/DB_LOG_20261120020000.trn');
    expect(late.status).toBe('queued');
    expect(restoreAll(late.state, chain).state.files['erp/DB_LOG_20261120020000.trn']).toMatchObject({ status: 'not-needed', because: 'covered' });
  });

  it('a second full is not needed while the log chain continues; it replaces a first full that failed before any log ran', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = restoreAll(state, chain).state;
    const second = upload(state, 'erp/DB_FULL_20261121000000.bak');
    expect(second.status).toBe('queued');
    expect(restoreAll(second.state, chain).state.files['erp/DB_FULL_20261121000000.bak']).toMatchObject({ status: 'not-needed', because: 'later-full' });

    let failed = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    failed = markFailed(failed, 'erp/DB_FULL_20261120000000.bak', 'bad', 2);
    const replaced = upload(failed, 'erp/DB_FULL_20261121000000.bak');
    expect(replaced.state.files['erp/DB_FULL_20261120000000.bak']?.status).toBe('superseded');
    expect(next(replaced.state)).toMatchObject({ kind: 'submit', file: { key: 'erp/DB_FULL_20261121000000.bak' } });
  });

  it('cutover: the next log uploaded after the marker is the last; a marker with nothing after it is noticed', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = upload(state, 'erp/DB_LOG_20261120010000.trn').state;
    const marked = applyCutoverMarker(state, chain, 'erp/CUTOVER', 5);
    expect(marked.status).toBe('cutover');
    expect(marked.state.meta.notices.map((n) => n.kind)).toEqual(['cutover-awaiting-tail-log']);
    expect(applyCutoverMarker(marked.state, chain, 'erp/CUTOVER', 6).status).toBe('duplicate');
    const tail = upload(marked.state, 'erp/DB_LOG_20261120020000.trn', 'e1', 7);
    expect(finalKey(tail.state)).toBe('erp/DB_LOG_20261120020000.trn');
    expect(tail.state.meta.notices).toEqual([]);
    expect(restoreAll(tail.state, chain).order).toEqual(['erp/DB_FULL_20261120000000.bak', 'erp/DB_LOG_20261120010000.trn', 'erp/DB_LOG_20261120020000.trn (last)']);
  });

  it('cutover: a failed older log re-uploaded after the marker is not the final one', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = upload(state, 'erp/DB_LOG_20261120010000.trn', 'e1', 1, chain, 'upload-1').state;
    state = upload(state, 'erp/DB_LOG_20261120020000.trn').state;
    state = markFailed(state, 'erp/DB_LOG_20261120010000.trn', 'bad', 2);
    state = applyCutoverMarker(state, chain, 'erp/CUTOVER', 3).state;
    const retried = upload(state, 'erp/DB_LOG_20261120010000.trn', 'e1', 4, chain, 'upload-2');
    expect(retried.state.files['erp/DB_LOG_20261120010000.trn']).toMatchObject({ status: 'waiting', attempt: 2 });
    // Re-uploaded after the marker but older by LSN than a log already known: not the final one.
    expect(finalKey(retried.state)).toBeUndefined();
    expect(finalKey(upload(retried.state, 'erp/DB_LOG_20261120030000.trn', 'e1', 5).state)).toBe('erp/DB_LOG_20261120030000.trn');
  });

  it('the cutover marker applies to each database of the chain: each one\'s next new log is its last', () => {
    const erp = new SyntheticDatabase('ERP');
    const sales = new SyntheticDatabase('Sales', { firstVlf: 40 });
    const admit = (s: ChainState, key: string, bytes: Uint8Array, now: number) => admitBackup(s, chain, { key, eTag: key, now }, headerRead(bytes)).state;
    let state = admit(admit(emptyChainState(), 'erp/ERP/full.bak', erp.full(), 1), 'erp/Sales/full.bak', sales.full(), 1);
    state = applyCutoverMarker(state, chain, 'erp/CUTOVER', 2).state;
    state = admit(state, 'erp/ERP/log1.trn', erp.log(), 3);
    expect(state.meta.notices.map((n) => n.detail)).toEqual([expect.stringContaining('waiting for the tail-log backup of ERP, Sales')]);
    state = admit(state, 'erp/Sales/log1.trn', sales.log(), 3);
    expect(state.meta.notices).toEqual([]);
    expect([finalKey(state, 'ERP'), finalKey(state, 'Sales')]).toEqual(['erp/ERP/log1.trn', 'erp/Sales/log1.trn']);
    expect(restoreAll(state, chain).order.filter((o) => o.endsWith('(last)')).sort()).toEqual(['erp/ERP/log1.trn (last)', 'erp/Sales/log1.trn (last)']);
  });

  it('an identical re-upload retries a failed file under a new job name; a redelivery does not', () => {
    const key = 'erp/DB_FULL_20261120000000.bak';
    let state = upload(emptyChainState(), key, 'e1', 1, chain, 'upload-1').state;
    state = markFailed(state, key, 'bad', 2);
    expect(upload(state, key, 'e1', 3, chain, 'upload-1').status).toBe('duplicate');
    expect(upload(state, key, 'e1', 3).status).toBe('duplicate'); // no upload identity: cannot tell, so no retry
    const retry = upload(state, key, 'e1', 3, chain, 'upload-2');
    expect(retry.status).toBe('queued');
    expect(retry.state.files[key]!.jobName).toBe(restoreJobName('erp-prod', 'mig-backups', key, 'e1', 2));
  });

  it('a file found by reconcile then failed: its late original event is not a re-upload; an object OBS created later is', () => {
    const key = 'erp/DB_FULL_20261120000000.bak';
    const listed = admitBackup(emptyChainState(), chain, { key, eTag: 'e1', createdAt: 100, now: 200 }, headerRead(backupForName(key))).state;
    const failed = markFailed(listed, key, 'bad', 300);
    expect(admitBackup(failed, chain, { key, eTag: 'e1', uploadId: 'seq-1', createdAt: 100, now: 400 }, headerRead(backupForName(key))).status).toBe('duplicate');
    expect(admitBackup(failed, chain, { key, eTag: 'e1', uploadId: 'seq-2', createdAt: 350, now: 400 }, headerRead(backupForName(key))).status).toBe('queued');
  });

  it('a file named _FINAL is the last backup of its database', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = upload(state, 'erp/DB_LOG_20261120010000_FINAL.trn').state;
    expect(restoreAll(state, chain).order).toEqual(['erp/DB_FULL_20261120000000.bak', 'erp/DB_LOG_20261120010000_FINAL.trn (last)']);
    expect(upload(restoreAll(state, chain).state, 'erp/DB_LOG_20261120020000.trn')).toMatchObject({ status: 'ignored', reason: expect.stringContaining('closed') });
  });

  it('full-only: the full is the last backup; logs are reported', () => {
    const state = upload(emptyChainState(), 'crm/CRM_FULL_20261120000000.bak', 'e1', 1, fullOnly).state;
    expect(upload(state, 'crm/CRM_LOG_20261120010000.trn', 'e1', 1, fullOnly)).toMatchObject({ status: 'ignored' });
    expect(restoreAll(state, fullOnly).order).toEqual(['crm/CRM_FULL_20261120000000.bak (last)']);
  });
});
