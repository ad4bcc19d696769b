import { classifyBackupFile } from '../chains/backup-file';
import { chainFor, type Chain } from '../chains/config';
import { applyCutoverMarker, applyUpload, type UploadStatus } from '../chains/plan';
import { MAX_NOTICES, type ChainState } from '../chains/state';
import type { Logger } from '../log/logger';
import { acquireChainLock } from '../state/store';
import { eventRecords, parseRecord, type UploadedObject } from './obs-event';
import { restoreJobName } from './job-request';
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

async function underChainLock(deps: UploadDeps, chain: Chain, work: (state: ChainState, lock: Parameters<typeof advanceChain>[2]) => Promise<Outcome>): Promise<Outcome> {
  const lock = await acquireChainLock(deps.store, chain.id, { ttlMs: deps.lockTtlMs, waitMs: deps.lockWaitMs });
  try {
    return await work(await deps.store.load(chain.id), lock);
  } finally {
    await deps.store.unlock(lock).catch(() => undefined);
  }
}

async function handleCreated(deps: UploadDeps, object: UploadedObject): Promise<Outcome> {
  const { bucket, key, eTag } = object;
  const chain = chainFor(deps.chains, bucket, key);
  if (!chain) return { status: 'ignored', reason: 'not under any chain', bucket, key };
  const base = { bucket, key, chain: chain.id };

  if (key === chain.cutoverMarker) {
    return underChainLock(deps, chain, async (state, lock) => {
      const decision = applyCutoverMarker(state, chain, key, deps.now());
      if (decision.state !== state) await deps.store.save(lock, { meta: decision.state.meta, files: [] });
      return { ...base, status: decision.status, reason: decision.reason };
    });
  }

  const name = classifyBackupFile(chain, key);
  if (!name) {
    return underChainLock(deps, chain, async (state, lock) => {
      if (!state.meta.notices.some((n) => n.kind === 'unrecognised-file' && n.key === key)) {
        const notice = { kind: 'unrecognised-file' as const, key, at: deps.now(), detail: `does not match the chain's file-name pattern ${chain.fileNamePattern}` };
        await deps.store.save(lock, { meta: { ...state.meta, notices: [...state.meta.notices, notice].slice(-MAX_NOTICES), updatedAt: deps.now() }, files: [] });
      }
      return { ...base, status: 'ignored', reason: "unrecognised: the name does not match the chain's file-name pattern" };
    });
  }

  const jobName = restoreJobName(chain.id, bucket, key, eTag);
  return underChainLock(deps, chain, async (state, lock) => {
    const decision = applyUpload(state, chain, { key, eTag, jobName, now: deps.now() }, name);
    if (decision.status === 'ignored') {
      await deps.store.save(lock, { meta: decision.state.meta, files: [] });
      return { ...base, jobName, status: decision.status, reason: decision.reason };
    }
    if (decision.status === 'queued') {
      const changed = Object.values(decision.state.files).filter((record) => record !== state.files[record.key]);
      await deps.store.save(lock, { meta: decision.state.meta, files: changed });
    }
    // A duplicate still tries the chain's next step: a redelivery is how a file whose create failed gets retried.
    const advanced = await advanceChain(deps, chain, lock, decision.state);
    if (decision.status === 'duplicate' && !(advanced.submitted?.key === key)) {
      return { ...base, jobName, status: 'duplicate', reason: decision.reason };
    }
    if (advanced.submitted) {
      if (advanced.submitted.key === key) {
        return { ...base, jobName, jobId: advanced.jobId, status: 'submitted', reason: advanced.adopted ? 'adopted the existing DRS job' : 'restore job created' };
      }
      return { ...base, jobName, status: 'queued', reason: `${decision.reason}; waiting for ${advanced.submitted.key} (submitted now)` };
    }
    if (advanced.refused?.key === key) return { ...base, jobName, status: 'failed', reason: advanced.reason };
    return { ...base, jobName, status: 'queued', reason: `${decision.reason}; ${advanced.reason}` };
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
