import { retireReplaced } from '../chains/transitions';
import { admitBackup, applyCutoverMarker, duplicateOf, type HeaderRead, type UploadDecision, type UploadStatus } from '../chains/admit';
import { SOURCE_RECORDS } from '../chains/chain-id';
import { chainFor, restoresDatabase, type Chain } from '../chains/config';
import { runChainStep, type ChainStepDeps, type StepDecision } from './chain-step';
import { makeStagingCopies, type StagingDeps } from './staging';
import type { AdvanceResult } from './submit';
import { eventRecords, parseRecord, type UploadedObject } from './obs-event';

/** Reads a backup version's header: at most once per (bucket, key, eTag); `changed` when OBS holds a newer version. */
export type ReadHeader = (object: { bucket: string; key: string; eTag: string }) => Promise<HeaderRead | { changed: true }>;

export interface UploadDeps extends StagingDeps {
  chains: Chain[];
  readHeader: ReadHeader;
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
  const { bucket, key, eTag, uploadId, uploadedAt: createdAt } = object;
  if (deps.chains.some((c) => c.bucket === bucket && key.startsWith(c.stagingPrefix))) {
    return { status: 'ignored', reason: 'a DRS-safe copy restore-pilot made; it is restored in place of its original', bucket, key };
  }
  const chain = chainFor(deps.chains, bucket, key);
  if (!chain) return { status: 'ignored', reason: 'not under any chain', bucket, key };
  const base = { bucket, key, chain: chain.id };
  const upload = { key, eTag, ...(uploadId ? { uploadId } : {}), ...(createdAt !== undefined ? { createdAt } : {}), now: deps.now() };

  if (key === chain.cutoverMarker) return { ...base, ...(await requestCutoverByMarker(deps, chain, key, upload.now, createdAt ?? upload.now)) };
  if (chain.pattern && !chain.pattern.test(key.slice(chain.prefix.length))) {
    return { ...base, status: 'ignored', reason: `not considered: the name does not match the chain's fileNamePattern ${chain.fileNamePattern}` };
  }
  // A redelivered event is told by its file's chain, found through the source's hint, without a read.
  const hinted = (await deps.store.locate(chain.id, [key])).get(key)?.database;
  if (hinted !== undefined) {
    const { result: seen, advanced } = await runChainStep(deps, chain, hinted, (state): StepDecision<UploadDecision | undefined> => {
      const duplicate = duplicateOf(state, upload);
      // A duplicate still tries the chain's next step: a redelivery is how a file whose create failed gets retried.
      return { state, advance: duplicate !== undefined, result: duplicate };
    });
    if (seen) return outcomeOf(deps, chain, base, key, hinted, seen, advanced);
  }
  // The header says which database's chain a new version belongs to, so it is read before that
  // chain's lock is taken.
  const read = await deps.readHeader({ bucket, key, eTag });
  if ('changed' in read) return { ...base, status: 'ignored', reason: 'a newer version replaced this object before it was read; its own event will follow' };
  const database = 'header' in read ? read.header.databaseName : SOURCE_RECORDS;
  // The old version, held by another database's chain, is retired first: a crash between the two
  // steps can never leave it to be sent with this version's bytes.
  if (hinted !== undefined && hinted !== database) await retireElsewhere(deps, chain, hinted, key, eTag);
  if (database !== SOURCE_RECORDS && !restoresDatabase(chain, database)) {
    return { ...base, status: 'ignored', reason: `a backup of ${database}, which this source does not restore (its databases / excludeDatabases lists)` };
  }
  const { result: decision, advanced: first } = await runChainStep(deps, chain, database, (state): StepDecision<UploadDecision> => {
    // Two deliveries of one event at once both read; the second is a duplicate here.
    const decided = admitBackup(state, chain, upload, read);
    return { state: decided.state, advance: decided.status !== 'ignored', result: decided };
  });
  return outcomeOf(deps, chain, base, key, database, decision, first);
}

/** After a chain step for an upload: makes the DRS-safe copies it asked for, then says what became of the file. */
async function outcomeOf(deps: UploadDeps, chain: Chain, base: Pick<Outcome, 'bucket' | 'key' | 'chain'>, key: string, database: string, decision: UploadDecision, first: AdvanceResult | undefined): Promise<Outcome> {
  const advanced = first && (await makeStagingCopies(deps, chain, first));
  const file = (advanced?.state ?? decision.state).files[key];
  const named = { ...base, ...(file?.jobName && decision.status !== 'ignored' ? { jobName: file.jobName } : {}) };
  const submitted = advanced?.submitted.find((s) => s.file.key === key);
  if (submitted) return { ...named, jobId: submitted.jobId, status: 'submitted', reason: submitted.adopted ? 'adopted the existing DRS job' : 'restore job created' };
  if (decision.status !== 'queued') return { ...named, status: decision.status, reason: decision.reason };
  const refused = advanced?.refused.find((r) => r.file.key === key);
  if (refused) return { ...named, status: 'failed', reason: refused.reason };
  const held = advanced?.held.find((h) => h.file.key === key);
  if (held) return { ...named, status: 'queued', reason: `${decision.reason}; ${held.reason}` };
  const slot = advanced?.queued.find((q) => q.file.key === key);
  if (slot) return { ...named, status: 'queued', reason: `${decision.reason}; ${slot.reason}` };
  if (file?.staging && !file.staging.eTag) return { ...named, status: 'queued', reason: `${decision.reason}; its name is not one DRS takes: a DRS-safe copy ${file.staging.key} is being made` };
  const view = advanced?.views.find((v) => v.database === database);
  const now = view?.next.kind === 'wait' ? view.next.detail : file?.status === 'not-needed' ? `not needed (${file.because})` : 'waiting for its turn';
  return { ...named, status: 'queued', reason: `${decision.reason}; ${now}` };
}

/** The chain that held an older version of the object (another database's, or none's) lets it go. */
export async function retireElsewhere(deps: UploadDeps | ChainStepDeps, chain: Chain, database: string, key: string, eTag: string): Promise<void> {
  await runChainStep(deps, chain, database, (state) => ({ state: retireReplaced(state, key, eTag, deps.now()), advance: false, result: undefined }));
}

/**
 * The cutover marker: every database of the source that has a chain takes the next log uploaded
 * after it as its final backup (admit.ts applyCutoverMarker), each under its own lock.
 */
async function requestCutoverByMarker(deps: UploadDeps, chain: Chain, key: string, now: number, at: number): Promise<{ status: UploadStatus; reason: string }> {
  const databases = (await deps.store.listDatabases(chain.id)).filter((database) => database !== SOURCE_RECORDS);
  if (databases.length === 0) return { status: 'ignored', reason: 'cutover marker uploaded before any backup of this source: there is no database to cut over yet' };
  const decisions: UploadDecision[] = [];
  for (const database of databases) {
    const { result } = await runChainStep(deps, chain, database, (state) => {
      const decision = applyCutoverMarker(state, chain, key, now, at);
      return { state: decision.state, advance: false, result: decision };
    });
    decisions.push(result);
  }
  if (decisions.every((d) => d.status === 'duplicate')) return { status: 'duplicate', reason: 'cutover already requested' };
  const first = decisions.find((d) => d.status !== 'duplicate')!;
  return { status: first.status, reason: databases.length === 1 ? first.reason : `${databases.length} databases: ${decisions.map((d, i) => `${databases[i]}: ${d.reason}`).join('; ')}` };
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
