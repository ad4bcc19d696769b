import type { S3Event } from 'aws-lambda';
import { remainingTimeMs, type FunctionGraphContext } from '../../shared/functiongraph/context';
import { headerReaderFor } from '../../shared/restore/read-header';
import { maxJobsPerInstance } from '../../shared/restore/pacing';
import { processUploadEvent, type RecordOutcome } from '../../shared/restore/upload';
import { configured, createRuntime, lockWaitMs, type Clock, type Runtime } from '../../shared/runtime';
import { readSettings, type Settings } from '../../shared/settings';
import type { StateStore } from '../../shared/state/store';

export interface UploadSummary {
  records: RecordOutcome[];
  counts: Record<RecordOutcome['status'], number>;
}

export interface UploadHandlerOptions extends Clock {
  /** Stands in for process.env; the context's user data still comes first. */
  env?: Settings;
  /** Replaces the store STATE_URL would open. */
  store?: StateStore;
  inProgressMs?: number;
  lockTtlMs?: number;
}

/**
 * OBS trigger: each uploaded backup becomes exactly one DRS restore job, in chain order. Returns a
 * summary per record; throws only when a record could not be processed now (busy chain, cloud or
 * Redis error), so that FunctionGraph redelivers the event: every record is idempotent.
 */
export function createUploadHandler(options: UploadHandlerOptions = {}) {
  let runtime: Runtime | undefined;
  const handler = async (event: S3Event | unknown, context?: FunctionGraphContext): Promise<UploadSummary> => {
    const settings = readSettings(context, options.env ?? process.env);
    runtime ??= createRuntime(settings, options.store);
    const clock = { now: options.now ?? Date.now, ...(options.sleep ? { sleep: options.sleep } : {}) };
    const { configuration, logger, client } = await configured(runtime, context, clock);
    const records = await processUploadEvent(
      {
        chains: configuration.chains,
        store: runtime.store,
        drs: client.drs,
        obs: client.obs,
        rds: client.rds,
        readHeader: headerReaderFor(client.obs),
        logger,
        ...clock,
        inProgressMs: options.inProgressMs ?? 60_000,
        maxJobsPerInstance: maxJobsPerInstance(configuration.settings),
        lockTtlMs: options.lockTtlMs ?? 30_000,
        lockWaitMs: lockWaitMs(context),
        remainingMs: () => remainingTimeMs(context),
      },
      event,
    );
    const counts = { submitted: 0, queued: 0, duplicate: 0, refused: 0, ignored: 0, cutover: 0, failed: 0 };
    for (const record of records) counts[record.status] += 1;
    logger.info('upload.summary', { counts });
    const retry = records.filter((r) => r.retryable);
    if (retry.length > 0) {
      throw new Error(`${retry.length} of ${records.length} record(s) could not be processed now and will be retried: ${retry.map((r) => `${r.key}: ${r.reason}`).join('; ')}`);
    }
    return { records, counts };
  };
  return Object.assign(handler, { close: async () => runtime?.store.close() });
}

export const handler = createUploadHandler();
