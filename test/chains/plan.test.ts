import { describe, expect, it } from 'vitest';
import { classifyBackupFile, compareOrder } from '../../shared/chains/backup-file';
import { DEFAULT_FILE_NAME_PATTERN, parseChains, type Chain } from '../../shared/chains/config';
import { applyCutoverMarker, applyUpload, markRunning, markSubmitting, markSucceeded, markFailed, nextSubmission } from '../../shared/chains/plan';
import { emptyChainState, type ChainState } from '../../shared/chains/state';
import { restoreJobName } from '../../shared/chains/job-name';
import { obsLocation, restoreJobRequest } from '../../shared/restore/job-request';
import { parseRecord } from '../../shared/restore/obs-event';

const [chain, fullOnly] = parseChains(
  JSON.stringify([
    { id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-1', cutoverMarker: 'erp/CUTOVER' },
    { id: 'crm', bucket: 'mig-backups', prefix: 'crm/', targetInstanceId: 'inst-2', mode: 'full-only', restore: { resetDbNameMap: { '': 'crm_new' } } },
  ]),
) as [Chain, Chain];

function upload(state: ChainState, key: string, eTag = 'e1', now = 1, on: Chain = chain, uploadId?: string) {
  const name = classifyBackupFile(on, key);
  if (!name) throw new Error(`test file ${key} is unrecognised`);
  return applyUpload(state, on, { key, eTag, now, ...(uploadId ? { uploadId } : {}) }, name);
}

/** Runs the chain forward: submits what is next and lets it succeed, until nothing is submitted. */
function runToCompletion(state: ChainState, on: Chain = chain): { state: ChainState; order: string[] } {
  const order: string[] = [];
  for (;;) {
    const step = nextSubmission(state, on, 10);
    if (!step.submit) return { state, order };
    order.push(`${step.submit.key}${step.isLastBackup ? ' (last)' : ''}`);
    state = markSucceeded(markRunning(markSubmitting(state, step.submit.key, step.isLastBackup, 10, 1000), step.submit.key, 'job', 10), step.submit.key, 10);
  }
}

describe('file names', () => {
  it('the default pattern reads common SQL Server backup names', () => {
    const c = { pattern: new RegExp(DEFAULT_FILE_NAME_PATTERN), prefix: 'erp/' };
    expect(classifyBackupFile(c, 'erp/ERP_FULL_20261120000000.bak')).toEqual({ kind: 'full', order: '20261120000000', final: false });
    expect(classifyBackupFile(c, 'erp/SRV1_ERP_LOG_20261120_094500.trn')).toEqual({ kind: 'incremental', order: '20261120094500', final: false });
    expect(classifyBackupFile(c, 'erp/ERP_LOG_20261120120000_FINAL.trn')).toEqual({ kind: 'incremental', order: '20261120120000', final: true });
    expect(classifyBackupFile(c, 'erp/readme.txt')).toBeUndefined();
    expect(classifyBackupFile(c, 'erp/ERP_DIFF_20261120000000.bak')).toBeUndefined();
  });

  it('timestamps with and without separators compare as the same kind of number', () => {
    const c = { pattern: new RegExp(DEFAULT_FILE_NAME_PATTERN), prefix: '' };
    const early = classifyBackupFile(c, 'DB_LOG_20261120_094500.trn')!;
    const late = classifyBackupFile(c, 'DB_LOG_20261120100000.trn')!;
    expect(compareOrder(early.order, late.order)).toBe(-1);
  });

  it('order keys compare as numbers when both are digits, else as strings', () => {
    expect(compareOrder('9', '10')).toBe(-1);
    expect(compareOrder('99999999999999999999', '100000000000000000000')).toBe(-1);
    expect(compareOrder('b', 'a')).toBe(1);
    expect(compareOrder('10', '9a')).toBe(-1);
  });
});

describe('chain planning', () => {
  it('restores the full first, then logs by order key, whatever the upload order', () => {
    let state = emptyChainState();
    for (const key of ['erp/DB_LOG_20261120030000.trn', 'erp/DB_LOG_20261120010000.trn', 'erp/DB_FULL_20261120000000.bak', 'erp/DB_LOG_20261120020000_FINAL.trn']) {
      state = upload(state, key).state;
    }
    expect(runToCompletion(state).order).toEqual(['erp/DB_FULL_20261120000000.bak', 'erp/DB_LOG_20261120010000.trn', 'erp/DB_LOG_20261120020000_FINAL.trn (last)']);
  });

  it('a log newer than a waiting final backup is reported, not restored', () => {
    let state = upload(emptyChainState(), 'erp/DB_LOG_20261120020000_FINAL.trn').state;
    const after = upload(state, 'erp/DB_LOG_20261120030000.trn');
    expect(after).toMatchObject({ status: 'ignored', reason: expect.stringContaining('after the final') });
    expect(after.state.meta.notices[0]?.kind).toBe('upload-to-closed-chain');
    state = after.state;
  });

  it('waits for the running job, and nothing runs ahead of a log whose turn has not come', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = upload(state, 'erp/DB_LOG_20261120010000.trn').state;
    const first = nextSubmission(state, chain, 1);
    expect(first.submit?.key).toBe('erp/DB_FULL_20261120000000.bak');
    state = markRunning(markSubmitting(state, first.submit!.key, false, 1, 1000), first.submit!.key, 'j1', 2);
    expect(nextSubmission(state, chain, 3)).toEqual({ reason: 'waiting for erp/DB_FULL_20261120000000.bak to finish restoring' });
  });

  it('a submission left in progress is resumed only after its expiry', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = markSubmitting(state, 'erp/DB_FULL_20261120000000.bak', false, 100, 50);
    expect(nextSubmission(state, chain, 149).submit).toBeUndefined();
    expect(nextSubmission(state, chain, 150)).toMatchObject({ submit: { key: 'erp/DB_FULL_20261120000000.bak' }, resume: true });
  });

  it('the same version twice is a duplicate; a failed file re-uploaded is retried; a running one is not replaced', () => {
    const key = 'erp/DB_FULL_20261120000000.bak';
    let state = upload(emptyChainState(), key, 'e1').state;
    expect(upload(state, key, 'e1').status).toBe('duplicate');
    state = markFailed(markSubmitting(state, key, false, 1, 10), key, 'damaged', 2, 'PRECHECK FAILED');
    expect(nextSubmission(state, chain, 3)).toEqual({ reason: `chain halted: ${key} failed; re-upload it to retry` });
    const retried = upload(state, key, 'e2');
    expect(retried).toMatchObject({ status: 'queued' });
    expect(retried.state.files[key]).toMatchObject({ status: 'waiting', eTag: 'e2', jobName: restoreJobName('erp-prod', 'mig-backups', key, 'e2') });
    state = markRunning(markSubmitting(retried.state, key, false, 4, 10), key, 'j2', 5);
    expect(upload(state, key, 'e3')).toMatchObject({ status: 'ignored', reason: expect.stringContaining('being restored') });
  });

  it('logs older than what was already restored, or than the full, are late files', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120010000.bak').state;
    expect(upload(state, 'erp/DB_LOG_20261120000000.trn')).toMatchObject({ status: 'ignored', reason: expect.stringContaining('older than the full') });
    state = upload(state, 'erp/DB_LOG_20261120030000.trn').state;
    state = runToCompletion(state).state;
    expect(upload(state, 'erp/DB_LOG_20261120020000.trn')).toMatchObject({ status: 'ignored', reason: expect.stringContaining('already sent') });
  });

  it('a second full is refused unless the first failed before any log ran', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    expect(upload(state, 'erp/DB_FULL_20261121000000.bak')).toMatchObject({ status: 'ignored' });
    state = markFailed(state, 'erp/DB_FULL_20261120000000.bak', 'bad', 2);
    const replaced = upload(state, 'erp/DB_FULL_20261121000000.bak');
    expect(replaced.status).toBe('queued');
    expect(replaced.state.files['erp/DB_FULL_20261120000000.bak']?.status).toBe('superseded');
    expect(nextSubmission(replaced.state, chain, 3).submit?.key).toBe('erp/DB_FULL_20261121000000.bak');
  });

  it('cutover: the next log uploaded after the marker is the last; a marker with nothing after it is noticed', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = upload(state, 'erp/DB_LOG_20261120010000.trn').state;
    const marked = applyCutoverMarker(state, chain, 'erp/CUTOVER', 5);
    expect(marked.status).toBe('cutover');
    expect(marked.state.meta.notices.map((n) => n.kind)).toEqual(['cutover-awaiting-tail-log']);
    expect(applyCutoverMarker(marked.state, chain, 'erp/CUTOVER', 6).status).toBe('duplicate');
    const tail = upload(marked.state, 'erp/DB_LOG_20261120020000.trn');
    expect(tail.state.files['erp/DB_LOG_20261120020000.trn']?.final).toBe(true);
    expect(tail.state.meta.notices).toEqual([]);
    expect(runToCompletion(tail.state).order).toEqual(['erp/DB_FULL_20261120000000.bak', 'erp/DB_LOG_20261120010000.trn', 'erp/DB_LOG_20261120020000.trn (last)']);
  });

  it('cutover: a failed older log re-uploaded after the marker is not the final one', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = upload(state, 'erp/DB_LOG_20261120010000.trn').state;
    state = upload(state, 'erp/DB_LOG_20261120020000.trn').state;
    state = markFailed(state, 'erp/DB_LOG_20261120010000.trn', 'bad', 2);
    state = applyCutoverMarker(state, chain, 'erp/CUTOVER', 3).state;
    const retried = upload(state, 'erp/DB_LOG_20261120010000.trn', 'e1', 4, chain, 'upload-2');
    expect(retried.state.files['erp/DB_LOG_20261120010000.trn']).toMatchObject({ status: 'waiting', final: false, attempt: 2 });
    expect(upload(retried.state, 'erp/DB_LOG_20261120015000.trn').state.files['erp/DB_LOG_20261120015000.trn']?.final).toBe(false);
    expect(upload(retried.state, 'erp/DB_LOG_20261120030000.trn').state.files['erp/DB_LOG_20261120030000.trn']?.final).toBe(true);
  });

  it('an identical re-upload retries a failed file under a new job name; a redelivery does not', () => {
    const key = 'erp/DB_FULL_20261120000000.bak';
    let state = upload(emptyChainState(), key, 'e1', 1, chain, 'upload-1').state;
    state = markFailed(state, key, 'bad', 2);
    expect(upload(state, key, 'e1', 3, chain, 'upload-1').status).toBe('duplicate');
    expect(upload(state, key, 'e1', 3).status).toBe('duplicate'); // no upload identity: cannot tell, so no retry
    const retry = upload(state, key, 'e1', 3, chain, 'upload-2');
    expect(retry.status).toBe('queued');
    expect(retry.state.files[key]!.jobName).not.toBe(state.files[key]!.jobName);
    expect(retry.state.files[key]!.jobName).toBe(restoreJobName('erp-prod', 'mig-backups', key, 'e1', 2));
  });

  it('a replacement full drops the waiting logs taken before it, with a notice', () => {
    let state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    state = upload(state, 'erp/DB_LOG_20261120010000.trn').state;
    state = upload(state, 'erp/DB_LOG_20261120030000.trn').state;
    state = markFailed(state, 'erp/DB_FULL_20261120000000.bak', 'bad', 2);
    const replaced = upload(state, 'erp/DB_FULL_20261120020000.bak').state;
    expect(replaced.files['erp/DB_LOG_20261120010000.trn']?.status).toBe('superseded');
    expect(replaced.meta.notices).toMatchObject([{ kind: 'late-file', key: 'erp/DB_LOG_20261120010000.trn' }]);
    expect(runToCompletion(replaced).order).toEqual(['erp/DB_FULL_20261120020000.bak', 'erp/DB_LOG_20261120030000.trn']);
  });

  it('full-only: the full is the last backup; logs are reported', () => {
    const state = upload(emptyChainState(), 'crm/CRM_FULL_20261120000000.bak', 'e1', 1, fullOnly).state;
    expect(upload(state, 'crm/CRM_LOG_20261120010000.trn', 'e1', 1, fullOnly)).toMatchObject({ status: 'ignored' });
    expect(runToCompletion(state, fullOnly).order).toEqual(['crm/CRM_FULL_20261120000000.bak (last)']);
  });
});

describe('restore job request', () => {
  it('maps a file to the documented DRS request', () => {
    const state = upload(emptyChainState(), 'erp/DB_FULL_20261120000000.bak').state;
    const request = restoreJobRequest(chain, state.files['erp/DB_FULL_20261120000000.bak']!, false);
    expect(request).toMatchObject({
      base_info: { name: expect.stringMatching(/^rp-erp-prod-[0-9a-f]{16}$/), engine_type: 'sqlserver' },
      target_db_info: { target_instance_id: 'inst-1' },
      backup_info: { file_source: 'OBS', bucket_name: 'mig-backups', files: [{ name: 'DB_FULL_20261120000000.bak', obs_path: 'erp/' }] },
      options: { recovery_mode: 'full', is_last_backup: false, is_precheck: true, is_cover: false, is_default_restore: true, is_delete_backup_file: true },
    });
    expect(obsLocation('c.bak')).toEqual({ name: 'c.bak', obsPath: '' });
    expect(obsLocation('a/b/c.bak')).toEqual({ name: 'c.bak', obsPath: 'a/b/' });
  });

  it('renames the database only on a full that is the last backup', () => {
    const state = upload(emptyChainState(), 'crm/CRM_FULL_20261120000000.bak', 'e1', 1, fullOnly).state;
    const file = state.files['crm/CRM_FULL_20261120000000.bak']!;
    expect(restoreJobRequest(fullOnly, file, true).options.reset_db_name_map).toEqual({ '': 'crm_new' });
  });

  it('job names are 4-50 chars of [A-Za-z0-9_-], stable per version, different per eTag', () => {
    const name = restoreJobName('a-twenty-char-chain-', 'b', 'k'.repeat(1000), 'e');
    expect(name).toMatch(/^[A-Za-z0-9_-]{4,50}$/);
    expect(restoreJobName('c', 'b', 'k', 'e')).toBe(restoreJobName('c', 'b', 'k', 'e'));
    expect(restoreJobName('c', 'b', 'k', 'e')).not.toBe(restoreJobName('c', 'b', 'k', 'f'));
  });
});

describe('chain config', () => {
  const bad = (chains: unknown) => () => parseChains(JSON.stringify(chains));
  it('names the field that is wrong', () => {
    expect(() => parseChains(undefined)).toThrow(/RESTORE_CHAINS: is not set/);
    expect(() => parseChains('{')).toThrow(/RESTORE_CHAINS.*JSON/);
    expect(bad([{ id: 'x', bucket: 'B', targetInstanceId: 'i' }])).toThrow(/RESTORE_CHAINS\[0\]\.bucket/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', fileNamePattern: '(' }])).toThrow(/fileNamePattern.*regular expression/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', fileNamePattern: '^(?<n>\\d+)$' }])).toThrow(/fileNamePattern.*order/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', restore: { isDefaultRestore: false } }])).toThrow(/restore\.dbNames/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', restore: { resetDbNameMap: { '': 'n' } } }])).toThrow(/resetDbNameMap.*full-only/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', mode: 'full-only', restore: { resetDbNameMap: { old_db: 'n' } } }])).toThrow(/resetDbNameMap.*key ""/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', typo: 1 }])).toThrow(/RESTORE_CHAINS\[0\]/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i', smnTopicUrn: 'nope' }])).toThrow(/smnTopicUrn/);
    expect(bad([{ id: 'x', bucket: 'bb-b', prefix: 'a/', targetInstanceId: 'i', cutoverMarker: 'b/CUT' }])).toThrow(/cutoverMarker/);
    expect(bad([{ id: 'x', bucket: 'bb-b', targetInstanceId: 'i' }, { id: 'x', bucket: 'cc-c', targetInstanceId: 'i' }])).toThrow(/RESTORE_CHAINS\[1\]\.id/);
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
