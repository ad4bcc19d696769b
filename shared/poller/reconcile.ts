import { admitBackup, applyCutoverMarker, type HeaderRead } from '../chains/admit';
import { chainIdOf, SOURCE_RECORDS } from '../chains/chain-id';
import { restoresDatabase, type Chain } from '../chains/config';
import { restoreJobName } from '../chains/job-name';
import type { ChainState } from '../chains/state';
import { adoptJob } from '../chains/transitions';
import type { BackupMigrationJobSummary } from '../huawei/drs-schemas';
import type { ObsClient, ObsObject } from '../huawei/obs';
import { runChainStep } from '../restore/chain-step';
import { makeStagingCopies, type StagingDeps } from '../restore/staging';
import { retireElsewhere, type ReadHeader } from '../restore/upload';
import { ChainBusyError, type Location } from '../state/store';
import { forEachBounded } from './bounded';

export interface ReconcileDeps extends StagingDeps {
  obs: ObsClient;
  readHeader: ReadHeader;
  /** True when no further listing page may start in this invocation; the walk resumes next tick. */
  outOfTime: () => boolean;
}

export interface ReconcileResult {
  /** Backup files found in OBS that the upload handler never recorded. */
  queued: string[];
  /** Of those, files whose DRS job already existed under their deterministic name. */
  adopted: string[];
  /** Objects listed in this call. */
  listed: number;
  /** Databases whose next file went to DRS because of what was found. */
  advanced: number;
  /** The walk reached the end of the prefix (else it resumes from its cursor next tick). */
  complete: boolean;
  /** Objects it could not admit this time (a read failed, their database was busy): the next walk reads them again. */
  skipped: number;
}

/** OBS's clock and ours may differ: objects this close to the last walk's start are read again. */
const CLOCK_SLACK_MS = 15 * 60_000;
/** Header reads in flight at once: each is one 64 KiB ranged GET. */
const READS_IN_FLIGHT = 16;

/**
 * Makes a lost upload event harmless. Walks the source's OBS prefix one listing page at a time, linear
 * in the objects listed: an object is read only if it is newer than the last complete walk and no
 * database's chain knows its version (the source's hint, asked page by page, so memory holds one
 * page). What was read is admitted under each database's own lock, with the same rules as an upload,
 * adopting DRS jobs that already exist under the files' deterministic names, and the database moves
 * on at once. No lock is held across pages. When time runs out the walk stores its cursor in the
 * source's own chain and resumes there next tick. Undefined when no walk is due or under way.
 */
export async function reconcileSource(deps: ReconcileDeps, chain: Chain, everyMs: number): Promise<ReconcileResult | undefined> {
  const sourceId = chainIdOf(chain, SOURCE_RECORDS);
  const { meta } = await deps.store.load(sourceId);
  // Due every `everyMs`, and at once while a walk is under way: otherwise nothing to do (undefined).
  if (!meta.reconcileWalk && deps.now() - (meta.reconciledAt ?? 0) < everyMs) return undefined;
  const walk = meta.reconcileWalk ?? { marker: '', startedAt: deps.now() };
  // Objects a changed filter used to leave out were never read: the watermark does not hold for them.
  const filters = JSON.stringify([chain.prefix, chain.fileNamePattern ?? null, chain.databases ?? null, chain.excludeDatabases ?? null]);
  const seenBefore = meta.reconcileFilters === filters ? meta.reconciledThrough : undefined;
  const result: ReconcileResult = { queued: [], adopted: [], listed: 0, advanced: 0, complete: false, skipped: walk.skipped ?? 0 };
  let jobs: Map<string, BackupMigrationJobSummary> | undefined;
  // DRS's jobs under the source's names, listed once per call and only if needed: a long migration has thousands.
  const jobsByName = async () => (jobs ??= new Map((await deps.drs.listAllBackupMigrationJobs({ name: `rp-${chain.id}-` })).map((job) => [job.name.toLowerCase(), job])));

  let marker = walk.marker;
  let cutoverMarkerAt = walk.cutoverMarkerAt;
  // Kept after every page, so an error or the end of the invocation loses at most the page under way.
  const keepCursor = () =>
    saveSourceMeta(deps, chain, (m) => ({ ...m, reconcileWalk: { marker, startedAt: walk.startedAt, skipped: result.skipped, ...(cutoverMarkerAt !== undefined ? { cutoverMarkerAt } : {}) } }));
  for (;;) {
    if (deps.outOfTime()) {
      await keepCursor();
      return result;
    }
    const page = await deps.obs.listObjects(chain.bucket, { prefix: chain.prefix, ...(marker ? { marker } : {}) });
    result.listed += page.objects.length;
    const considered = page.objects.filter((o) => !o.key.startsWith(chain.stagingPrefix) && (o.key === chain.cutoverMarker || !chain.pattern || chain.pattern.test(o.key.slice(chain.prefix.length))));
    const marked = considered.find((o) => o.key === chain.cutoverMarker);
    if (marked) cutoverMarkerAt = createdAtOf(marked) ?? deps.now();
    const fresh = considered.filter((o) => o.key !== chain.cutoverMarker && !(seenBefore !== undefined && (createdAtOf(o) ?? Infinity) < seenBefore));
    const known = await deps.store.locate(chain.id, fresh.map((o) => o.key));
    const unknown = fresh.filter((o) => known.get(o.key)?.eTag !== o.eTag);
    await admitPage(deps, chain, unknown, known, jobsByName, result);
    if (!page.nextMarker) break;
    marker = page.nextMarker;
    await keepCursor();
  }
  if (cutoverMarkerAt !== undefined) await applyMarker(deps, chain, cutoverMarkerAt);
  // A walk that left objects out keeps the last watermark, so the next walk reads them again.
  const through = result.skipped === 0 ? walk.startedAt - CLOCK_SLACK_MS : seenBefore;
  await saveSourceMeta(deps, chain, ({ reconcileWalk: _done, reconciledThrough: _old, ...m }) => ({
    ...m,
    reconciledAt: deps.now(),
    reconcileFilters: filters,
    ...(through !== undefined ? { reconciledThrough: through } : {}),
  }));
  result.complete = true;
  if (result.queued.length > 0) deps.logger.warn('reconcile.found', { chain: chain.id, queued: result.queued, adopted: result.adopted });
  return result;
}

const createdAtOf = (object: ObsObject) => {
  const at = Date.parse(object.lastModified);
  return Number.isFinite(at) ? at : undefined;
};

/** Reads the page's unknown objects outside any lock, then admits them database by database. */
async function admitPage(deps: ReconcileDeps, chain: Chain, objects: ObsObject[], known: Map<string, Location>, jobsByName: () => Promise<Map<string, BackupMigrationJobSummary>>, result: ReconcileResult) {
  const byDatabase = new Map<string, { object: ObsObject; read: HeaderRead }[]>();
  await forEachBounded(objects, READS_IN_FLIGHT, async (object) => {
    let read: Awaited<ReturnType<ReadHeader>>;
    try {
      read = await deps.readHeader({ bucket: chain.bucket, key: object.key, eTag: object.eTag });
    } catch (error) {
      // One object OBS will not serve now (an Archive object, a permission) must not stop the walk.
      deps.logger.warn('reconcile.read.failed', { chain: chain.id, key: object.key, error });
      result.skipped += 1;
      return;
    }
    // A version replaced since the listing is left to its own event or the next walk.
    if ('changed' in read) return;
    const database = 'header' in read ? read.header.databaseName : SOURCE_RECORDS;
    const held = known.get(object.key)?.database;
    if (held !== undefined && held !== database) await retireElsewhere(deps, chain, held, object.key, object.eTag);
    if (database !== SOURCE_RECORDS && !restoresDatabase(chain, database)) return;
    const list = byDatabase.get(database) ?? [];
    list.push({ object, read });
    byDatabase.set(database, list);
  });
  for (const [database, found] of byDatabase) {
    // In upload order, so "the next log after the cutover marker" means the same as for events.
    found.sort((a, b) => a.object.lastModified.localeCompare(b.object.lastModified) || (a.object.key < b.object.key ? -1 : 1));
    const jobs = database === SOURCE_RECORDS ? new Map<string, BackupMigrationJobSummary>() : await jobsByName();
    const step = runChainStep(deps, chain, database, (before) => {
      let state: ChainState = before;
      const queued: string[] = [];
      const adopted: string[] = [];
      for (const { object, read } of found) {
        const upload = { key: object.key, eTag: object.eTag, now: deps.now(), ...(createdAtOf(object) !== undefined ? { createdAt: createdAtOf(object)! } : {}) };
        const decision = admitBackup(state, chain, upload, read);
        state = decision.state;
        if (decision.status !== 'queued') continue;
        queued.push(object.key);
        // The latest attempt wins: a file retried before the state was lost has jobs under several names.
        const file = state.files[object.key]!;
        let attempt = 1;
        while (jobs.has(restoreJobName(chain.id, chain.bucket, file.key, file.eTag, attempt + 1))) attempt += 1;
        const jobName = restoreJobName(chain.id, chain.bucket, file.key, file.eTag, attempt);
        const job = jobs.get(jobName);
        if (!job) continue;
        state = adoptJob({ ...state, files: { ...state.files, [file.key]: { ...file, attempt, jobName } } }, file.key, job, deps.now());
        adopted.push(file.key);
      }
      return { state, advance: queued.length > 0, result: { queued, adopted } };
    });
    const stepped = await step.catch((error: unknown) => {
      // A database busy with an upload is left to the next walk; the others of the page go on.
      if (error instanceof ChainBusyError) return undefined;
      throw error;
    });
    if (!stepped) {
      result.skipped += found.length;
      continue;
    }
    const { result: admitted, advanced } = stepped;
    if (advanced && (await makeStagingCopies(deps, chain, advanced)).submitted.length > 0) result.advanced += 1;
    result.queued.push(...admitted.queued);
    result.adopted.push(...admitted.adopted);
  }
}

/** The marker was seen in the walk: every database takes it as a cutover request, as for its event. */
async function applyMarker(deps: ReconcileDeps, chain: Chain, at: number) {
  for (const database of await deps.store.listDatabases(chain.id)) {
    if (database === SOURCE_RECORDS) continue;
    await runChainStep(deps, chain, database, (state) => {
      const decision = applyCutoverMarker(state, chain, chain.cutoverMarker!, deps.now(), at);
      return { state: decision.state, advance: false, result: undefined };
    });
  }
}

async function saveSourceMeta(deps: ReconcileDeps, chain: Chain, change: (meta: ChainState['meta']) => ChainState['meta']) {
  await runChainStep(deps, chain, SOURCE_RECORDS, (state) => ({ state: { ...state, meta: { ...change(state.meta), updatedAt: deps.now() } }, advance: false, result: undefined }));
}
