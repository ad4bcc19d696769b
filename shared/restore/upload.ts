import { chainFor, type Chain } from '../chains/config';
import { changedFiles, recordObject, type UploadStatus } from '../chains/plan';
import { withChainLock } from '../state/store';
import { eventRecords, parseRecord, type UploadedObject } from './obs-event';
import { advanceChain, type SubmitDeps } from './submit';

export interface UploadDeps extends SubmitDeps {
  chains: Chain[];
  lockTtlMs: number;
  /** Longest wait for a chain another invocation is working on. */
  lockWaitMs: number;
}

export type RecordStatus = 'submitted' | UploadStatus | 'failed';

/** What happened to one record of the event; the handler returns these and logs one line each. */
export interface RecordOutcome {
  record: number;
  status: RecordStatus;
  reason: string;
  bucket?: string;
  key?: string;
  chain?: string;
  jobName?: string;
  jobId?: string;
  /** The record could not be processed now (busy chain, cloud or Redis error); a redelivery will retry it. */
  retryable?: boolean;
}

type Outcome = Omit<RecordOutcome, 'record'>;

/** Records the object in its chain and, if its turn has come, sends it to DRS. */
export async function handleCreated(deps: UploadDeps, object: UploadedObject): Promise<Outcome> {
  const { bucket, key, eTag, uploadId } = object;
  const chain = chainFor(deps.chains, bucket, key);
  if (!chain) return { status: 'ignored', reason: 'not under any chain', bucket, key };

  return withChainLock(deps.store, chain.id, { ttlMs: deps.lockTtlMs, waitMs: deps.lockWaitMs }, async (lock): Promise<Outcome> => {
    const state = await deps.store.load(chain.id);
    const decision = recordObject(state, chain, { key, eTag, ...(uploadId ? { uploadId } : {}), now: deps.now() });
    const jobName = decision.state.files[key]?.jobName;
    const base = { bucket, key, chain: chain.id, ...(jobName ? { jobName } : {}) };
    if (decision.state !== state) await deps.store.save(lock, { meta: decision.state.meta, files: changedFiles(state, decision.state) });
    if (decision.status === 'ignored' || decision.status === 'cutover') return { ...base, status: decision.status, reason: decision.reason };
    // A duplicate still tries the chain's next step: a redelivery is how a file whose create failed gets retried.
    const advanced = await advanceChain(deps, chain, lock, decision.state);
    if (advanced.submitted?.key === key) {
      return { ...base, jobId: advanced.jobId, status: 'submitted', reason: advanced.reason };
    }
    if (decision.status === 'duplicate') return { ...base, status: 'duplicate', reason: decision.reason };
    if (advanced.refused?.key === key) return { ...base, status: 'failed', reason: advanced.reason };
    const waitingFor = advanced.submitted ? `waiting for ${advanced.submitted.key} (submitted now)` : advanced.reason;
    return { ...base, status: 'queued', reason: `${decision.reason}; ${waitingFor}` };
  });
}

/** Processes every record of an OBS event. A bad record is reported and skipped; it never stops the others. */
export async function processUploadEvent(deps: UploadDeps, event: unknown): Promise<RecordOutcome[]> {
  const { records, problem } = eventRecords(event);
  if (problem) deps.logger.warn('upload.event.malformed', { reason: problem });
  const outcomes: RecordOutcome[] = [];
  for (const [index, raw] of records.entries()) {
    const parsed = parseRecord(raw);
    let outcome: Outcome;
    if (parsed.kind === 'malformed') outcome = { status: 'ignored', reason: `malformed record: ${parsed.reason}`, bucket: parsed.bucket, key: parsed.key };
    else if (parsed.kind === 'removed') outcome = { status: 'ignored', reason: 'object removed; restores are driven by uploads only', bucket: parsed.bucket, key: parsed.key };
    else {
      try {
        outcome = await handleCreated(deps, parsed.object);
      } catch (error) {
        deps.logger.error('upload.record.error', { bucket: parsed.object.bucket, key: parsed.object.key, error });
        outcome = { status: 'failed', reason: (error as Error).message, bucket: parsed.object.bucket, key: parsed.object.key, retryable: true };
      }
    }
    const result = { record: index, ...outcome };
    deps.logger[result.status === 'failed' ? 'error' : 'info']('upload.record', { ...result });
    outcomes.push(result);
  }
  return outcomes;
}
