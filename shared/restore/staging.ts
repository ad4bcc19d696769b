import { chainIdOf, databaseOfFile } from '../chains/chain-id';
import type { Chain } from '../chains/config';
import type { BackupFileRecord } from '../chains/state';
import { withFile } from '../chains/transitions';
import { HuaweiApiError } from '../huawei/errors';
import { MAX_COPY_BYTES, type UploadedPart } from '../huawei/obs';
import { forEachBounded } from '../poller/bounded';
import { runChainStep, type ChainStepDeps } from './chain-step';
import type { AdvanceResult } from './submit';

/** Parts of a multipart copy: 1 GiB each (OBS takes 100 KB to 5 GB), four in flight. */
export const PART_BYTES = 1024 ** 3;
const PARTS_IN_FLIGHT = 4;
/** A part is not started with less than this left of the invocation: it finishes on the next one. */
const PART_TIME_MARGIN_MS = 15_000;

export interface StagingDeps extends ChainStepDeps {
  /** The invocation's remaining time, when the platform tells it. */
  remainingMs?: () => number | undefined;
}

/** Saves a change to one file's staging record under the chain's lock, if the file is still that version. */
async function recordStaging(deps: StagingDeps, chain: Chain, file: BackupFileRecord, staging: BackupFileRecord['staging'], advance: boolean) {
  return runChainStep(deps, chain, databaseOfFile(file), (state) => {
    const current = state.files[file.key];
    if (!current || current.eTag !== file.eTag) return { state, advance, result: undefined };
    const { staging: _old, ...rest } = current;
    return { state: withFile(state, { ...rest, ...(staging ? { staging } : {}) }, deps.now()), advance, result: undefined };
  });
}

/**
 * Server-side copy of one file version to its DRS-safe key; no backup byte passes through the
 * function. The key is deterministic per version, so a copy already there is ours and complete (OBS
 * shows an object only once it is whole). Up to 5 GB it is one CopyObject; above, a multipart copy
 * whose upload id is recorded first, so a later invocation resumes it, asking OBS which parts are
 * done. Returns the copy's eTag, or the upload to resume when time ran out before the last part.
 */
async function copyForDrs(deps: StagingDeps, chain: Chain, file: BackupFileRecord): Promise<{ eTag: string } | { paused: string }> {
  const target = { bucket: chain.bucket, key: file.staging!.key };
  const existing = await deps.obs.headObject(target.bucket, target.key);
  if (existing) return { eTag: existing.eTag };
  const source = { bucket: chain.bucket, key: file.key };
  const head = await deps.obs.headObject(source.bucket, source.key);
  let uploadId = file.staging!.uploadId;
  const giveUp = async (reason: string): Promise<never> => {
    if (uploadId) await deps.obs.abortMultipartUpload(target.bucket, target.key, uploadId);
    await recordStaging(deps, chain, file, { key: target.key }, false);
    throw new Error(`DRS-safe copy of ${file.key} abandoned: ${reason}`);
  };
  if (!head || head.eTag !== file.eTag) return giveUp('the object was replaced or deleted since it was uploaded; its new version is handled on its own');
  if (head.size <= MAX_COPY_BYTES) return { eTag: await deps.obs.copyObject(source, target, { ifMatch: file.eTag }) };

  if (!uploadId) {
    uploadId = await deps.obs.initiateMultipartUpload(target.bucket, target.key);
    // Recorded at once, so a later invocation resumes this upload rather than start another; the lease stays.
    await recordStaging(deps, chain, file, { ...file.staging!, uploadId }, false);
  }
  const count = Math.ceil(head.size / PART_BYTES);
  let outOfTime = false;
  const done = new Map<number, UploadedPart>();
  try {
    for (const part of await deps.obs.listParts(target.bucket, target.key, uploadId)) done.set(part.partNumber, part);
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
    await forEachBounded(missing, PARTS_IN_FLIGHT, async (partNumber) => {
      const remaining = deps.remainingMs?.();
      if (outOfTime || (remaining !== undefined && remaining < PART_TIME_MARGIN_MS)) {
        outOfTime = true;
        return;
      }
      const first = (partNumber - 1) * PART_BYTES;
      const eTag = await deps.obs.uploadPartCopy(target.bucket, target.key, uploadId!, partNumber, source, { first, last: Math.min(head.size, first + PART_BYTES) - 1 });
      done.set(partNumber, { partNumber, eTag } as UploadedPart);
    });
    if (outOfTime) {
      deps.logger.info('staging.copy.paused', { chain: chain.id, file: file.key, partsDone: done.size, parts: count });
      return { paused: uploadId };
    }
    const parts = [...done.values()].sort((a, b) => a.partNumber - b.partNumber).map(({ partNumber, eTag }) => ({ partNumber, eTag }));
    return { eTag: await deps.obs.completeMultipartUpload(target.bucket, target.key, uploadId, parts) };
  } catch (error) {
    if (!(error instanceof HuaweiApiError)) throw error;
    if (error.errorCode === 'NoSuchUpload') {
      // Finished by an invocation whose answer was lost, or aborted (by hand, by a lifecycle rule).
      const finished = await deps.obs.headObject(target.bucket, target.key);
      if (finished) return { eTag: finished.eTag };
      uploadId = undefined;
      return giveUp('its multipart upload is gone; the copy starts again');
    }
    if (error.status === 404 || error.status === 412) return giveUp(error.message);
    throw error;
  }
}

/**
 * Makes the DRS-safe copies a chain step asked for (AdvanceResult.staging), outside the chain's lock —
 * a copy of hundreds of GB outlives any lock — then records each finished copy and lets the chain
 * move on, which sends the copy to DRS. Returns the step's result with what was sent since added.
 */
export async function makeStagingCopies(deps: StagingDeps, chain: Chain, advanced: AdvanceResult): Promise<AdvanceResult> {
  let result = advanced;
  for (const file of advanced.staging) {
    let copied: Awaited<ReturnType<typeof copyForDrs>>;
    try {
      copied = await copyForDrs(deps, chain, file);
    } catch (error) {
      // Let the next invocation try at once rather than wait out this one's lease.
      const latest = (await deps.store.load(chainIdOf(chain, databaseOfFile(file)))).files[file.key]?.staging;
      if (latest?.copyingUntil !== undefined) await recordStaging(deps, chain, file, { key: latest.key, ...(latest.uploadId ? { uploadId: latest.uploadId } : {}) }, false);
      throw error;
    }
    if ('paused' in copied) {
      // The next invocation resumes it: the lease goes, the upload id stays.
      await recordStaging(deps, chain, file, { key: file.staging!.key, uploadId: copied.paused }, false);
      continue;
    }
    deps.logger.info('staging.copy.done', { chain: chain.id, file: file.key, copy: file.staging!.key });
    const next = (await recordStaging(deps, chain, file, { key: file.staging!.key, eTag: copied.eTag }, true)).advanced!;
    result = { ...next, submitted: [...result.submitted, ...next.submitted] };
  }
  return result;
}
