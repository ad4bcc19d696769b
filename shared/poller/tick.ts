import { throttleProblem } from '../alerts/throttle-problem';
import { chainProblems, checkFailingProblem, dcsProblems, taurusProblems, type Problem } from '../alerts/problems';
import { syncPages, type PageCounts } from './pager';
import type { Chain } from '../chains/config';
import type { HuaweiClient } from '../huawei/client';
import { isKnownDcsStatus } from '../huawei/dcs';
import type { Logger } from '../log/logger';
import { headerReaderFor } from '../restore/read-header';
import { trackChain } from '../restore/track';
import { chainIdOf, SOURCE_RECORDS } from '../chains/chain-id';
import { fileStatusOfJob } from '../chains/transitions';
import type { ChainState } from '../chains/state';
import { ChainBusyError, type StateStore } from '../state/store';
import { forEachBounded } from './bounded';
import type { PollerConfig } from './config';
import { reconcileSource } from './reconcile';

export interface TickDeps {
  chains: Chain[];
  store: StateStore;
  client: HuaweiClient;
  config: PollerConfig;
  logger: Logger;
  now: () => number;
  /** Waits between tries of a busy chain's lock; setTimeout unless a test passes its own. */
  sleep?: (ms: number) => Promise<void>;
  /** The invocation's remaining time; chains not started before the margin wait for the next tick. */
  remainingMs: () => number | undefined;
  inProgressMs: number;
  lockTtlMs: number;
  /** Judged before the tick (the configuration document's): its problems, under a scope that counts as looked at. */
  judged?: { scope: string; problems: Problem[] }[];
}

export interface TickSummary {
  chains: number;
  jobsChecked: number;
  chainsAdvanced: number;
  reconciled: number;
  lostUploadsFound: number;
  /** Chains left for the next tick: out of time, or locked by another invocation. */
  leftOver: number;
  watchesChecked: number;
  problems: number;
  pages: PageCounts;
  errors: { scope: string; error: string }[];
}

/** Stop starting new work with this much of the invocation left: what is started must also finish. */
const TIME_MARGIN_MS = 5_000;
/** A reconcile walk stops this much earlier still: the watches and the pages come after it. */
const RECONCILE_MARGIN_MS = 15_000;
/** A chain busy with an upload is left for the next tick rather than waited for long. */
const BUSY_WAIT_MS = 1_000;

const taurusTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+0000`;

/**
 * One poller tick: advance every database's chain (bounded concurrency, each under its lock), walk the
 * sources due a reconcile, read the watched DCS tasks and TaurusDB backups, then bring SMN pages in
 * line with what is wrong.
 */
export async function runTick(deps: TickDeps): Promise<TickSummary> {
  const { config, client } = deps;
  const problems: Problem[] = [];
  const evaluated = new Set<string>();
  const summary: TickSummary = {
    chains: 0,
    jobsChecked: 0,
    chainsAdvanced: 0,
    reconciled: 0,
    lostUploadsFound: 0,
    leftOver: 0,
    watchesChecked: 0,
    problems: 0,
    pages: { sent: 0, resolved: 0, suppressed: 0, failed: 0, skipped: false },
    errors: [],
  };
  const outOfTime = () => {
    const remaining = deps.remainingMs();
    return remaining !== undefined && remaining < TIME_MARGIN_MS;
  };
  /**
   * The error object itself goes to the log, not its message: an API error's operation, status, code
   * and request id are what on-call needs to look the call up. `during` says what the tick was doing.
   */
  const failed = (scope: string, error: unknown, during?: string) => {
    const message = (error as Error).message;
    summary.errors.push({ scope, error: during ? `${during}: ${message}` : message });
    deps.logger.error('poll.error', { scope, ...(during ? { during } : {}), error });
  };
  const submitDeps = {
    store: deps.store,
    drs: client.drs,
    obs: client.obs,
    rds: client.rds,
    logger: deps.logger,
    now: deps.now,
    remainingMs: deps.remainingMs,
    inProgressMs: deps.inProgressMs,
    maxJobsPerInstance: config.MAX_JOBS_PER_INSTANCE,
    lockTtlMs: deps.lockTtlMs,
    lockWaitMs: BUSY_WAIT_MS,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
  const defaultTopic = config.SMN_TOPIC_URN ?? '';
  const readHeader = headerReaderFor(client.obs);

  // Every database's chain of every source, side by side: its job, its next file, its problems.
  const sourceErrors = new Map<string, { during: string; error: unknown }[]>();
  const errorIn = (chain: Chain, during: string, error: unknown) => sourceErrors.set(chain.id, [...(sourceErrors.get(chain.id) ?? []), { during, error }]);
  /** Sources with a chain not looked at this tick: their open pages can neither resolve nor be judged. */
  const incomplete = new Set<string>();
  /** Sources whose state could not be read at all: nothing more is tried for them this tick. */
  const unreadable = new Set<string>();
  /** Instances with a chain whose state this tick could read: the others' slots are not worth asking the store for. */
  const reachable = new Set<string>();
  const chains: { chain: Chain; database: string }[] = [];
  for (const chain of deps.chains) {
    try {
      chains.push(...(await deps.store.listDatabases(chain.id)).map((database) => ({ chain, database })));
      reachable.add(chain.targetInstanceId);
    } catch (error) {
      failed(chain.id, error); // no state, nothing to judge: the source's open pages stay as they are
      incomplete.add(chain.id);
      unreadable.add(chain.id);
    }
  }
  summary.chains = chains.filter((c) => c.database !== SOURCE_RECORDS).length;
  /** Each chain's state after this tick's steps: its problems are judged once both passes are done. */
  const judged = new Map<string, { chain: Chain; database: string; state: ChainState }>();
  /** Instances where a job finished this tick, and the chains that found no slot free there. */
  const freed = new Set<string>();
  const queued: { chain: Chain; database: string }[] = [];
  /** `again`: a second ask for a slot; if it cannot run now, what the first pass found stands. */
  const step = async ({ chain, database }: { chain: Chain; database: string }, again = false) => {
    const notNow = () => {
      if (again) return;
      summary.leftOver += 1;
      incomplete.add(chain.id);
    };
    if (outOfTime()) {
      notNow();
      return;
    }
    let state: ChainState;
    try {
      const tracked = await trackChain(submitDeps, chain, database);
      summary.jobsChecked += tracked.checked.length;
      if (tracked.submitted.length > 0) summary.chainsAdvanced += 1;
      if (tracked.checked.some(({ drsStatus }) => fileStatusOfJob(drsStatus) !== 'running')) freed.add(chain.targetInstanceId);
      if (tracked.queued.length > 0) queued.push({ chain, database });
      state = tracked.state;
    } catch (error) {
      if (error instanceof ChainBusyError) {
        notNow();
        return;
      }
      errorIn(chain, `tracking the restore job of ${database || 'the source'}`, error);
      try {
        state = await deps.store.load(chainIdOf(chain, database));
      } catch {
        incomplete.add(chain.id);
        return;
      }
    }
    judged.set(chainIdOf(chain, database), { chain, database, state });
  };
  await forEachBounded(chains, config.POLL_CONCURRENCY, step);
  // A slot freed by a database visited after the one waiting for it would sit idle until the next
  // tick (a minute): the databases that found no slot where a job finished ask once more.
  const again = queued.filter(({ chain }) => freed.has(chain.targetInstanceId));
  queued.length = 0;
  await forEachBounded(again, config.POLL_CONCURRENCY, (queuedChain) => step(queuedChain, true));
  // Even when a check failed, judge what is known: a stuck or failed restore must still page.
  for (const { chain, database, state } of judged.values()) problems.push(...chainProblems(chain, state, deps.now(), defaultTopic, database));

  // Then the reconcile walks that are due or under way, with the time left: they never hold up tracking.
  const reconcileOutOfTime = () => {
    const remaining = deps.remainingMs();
    return remaining !== undefined && remaining < TIME_MARGIN_MS + RECONCILE_MARGIN_MS;
  };
  const readable = deps.chains.filter((chain) => !unreadable.has(chain.id));
  await forEachBounded(readable, config.POLL_CONCURRENCY, async (chain) => {
    try {
      const found = await reconcileSource({ ...submitDeps, readHeader, outOfTime: reconcileOutOfTime }, chain, config.RECONCILE_EVERY_MINUTES * 60_000);
      if (!found) return;
      if (found.complete) summary.reconciled += 1;
      summary.chainsAdvanced += found.advanced;
      summary.lostUploadsFound += found.queued.length;
    } catch (error) {
      // Reconcile and tracking fail separately: a missing OBS permission must not stop job tracking.
      if (!(error instanceof ChainBusyError)) errorIn(chain, `reconciling OBS ${chain.bucket}/${chain.prefix}`, error);
    }
  });
  for (const chain of deps.chains) {
    const errors = sourceErrors.get(chain.id) ?? [];
    if (errors.length > 0) {
      errors.forEach(({ during, error }) => failed(chain.id, error, during));
      const messages = errors.map(({ during, error }) => `${during}: ${(error as Error).message}`);
      problems.push(checkFailingProblem(chain.id, `chain ${chain.id}`, messages, deps.now(), chain.smnTopicUrn ?? defaultTopic));
    }
    if (!incomplete.has(chain.id)) evaluated.add(chain.id);
  }

  /** A watch that cannot be read pages (after a grace period) instead of going quiet. */
  const watch = async (scope: string, what: string, check: () => Promise<Problem[]>) => {
    try {
      problems.push(...(await check()));
      summary.watchesChecked += 1;
    } catch (error) {
      failed(scope, error);
      problems.push(checkFailingProblem(scope, what, [(error as Error).message], deps.now(), defaultTopic));
    }
    evaluated.add(scope);
  };
  await forEachBounded(config.WATCH_DCS_TASK_IDS, config.POLL_CONCURRENCY, (taskId) =>
    watch(taskId, `DCS migration task ${taskId}`, async () => {
      const task = await client.dcs.getMigrationTask(taskId);
      // A status DCS added since: shown as sent, neither a failure nor a failed check.
      if (!isKnownDcsStatus(task.status)) deps.logger.warn('dcs.status.unknown', { taskId, status: task.status });
      return dcsProblems(task, deps.now(), defaultTopic);
    }),
  );
  await forEachBounded(config.WATCH_TAURUSDB_INSTANCE_IDS, config.POLL_CONCURRENCY, (instanceId) =>
    watch(instanceId, `TaurusDB instance ${instanceId}`, async () => {
      const maxAgeHours = config.TAURUSDB_BACKUP_MAX_AGE_HOURS;
      // Twice the allowed age is enough to see both the newest completed backup and any newer failure.
      const backups = await client.taurusdb.listAllBackups({ instance_id: instanceId, begin_time: taurusTime(deps.now() - 2 * maxAgeHours * 3_600_000), end_time: taurusTime(deps.now()) });
      return taurusProblems(instanceId, backups, deps.now(), maxAgeHours, defaultTopic);
    }),
  );

  // DRS refusing new jobs into an instance for long: one page per instance, to the first of its chains' topics.
  const instances = new Map<string, string>();
  for (const chain of deps.chains) if (!instances.has(chain.targetInstanceId)) instances.set(chain.targetInstanceId, chain.smnTopicUrn ?? defaultTopic);
  await forEachBounded([...instances].filter(([instance]) => reachable.has(instance)), config.POLL_CONCURRENCY, async ([instance, topicUrn]) => {
    try {
      const problem = throttleProblem(instance, await deps.store.slots.inspect(instance, deps.now()), deps.now(), topicUrn);
      if (problem) problems.push(problem);
      evaluated.add(`instance ${instance}`);
    } catch (error) {
      failed(`instance ${instance}`, error, 'reading its restore slots');
    }
  });
  for (const { scope, problems: found } of deps.judged ?? []) {
    problems.push(...found);
    evaluated.add(scope);
  }

  summary.problems = problems.length;
  try {
    const judgedScopes = (deps.judged ?? []).map((j) => j.scope);
    const configured = new Set([
      ...deps.chains.map((c) => c.id),
      ...[...instances.keys()].map((i) => `instance ${i}`),
      ...config.WATCH_DCS_TASK_IDS,
      ...config.WATCH_TAURUSDB_INSTANCE_IDS,
      ...judgedScopes,
    ]);
    const pager = { store: deps.store, smn: client.smn, logger: deps.logger, now: deps.now, ...(config.PAGE_REMINDER_MINUTES ? { reminderMs: config.PAGE_REMINDER_MINUTES * 60_000 } : {}) };
    summary.pages = await syncPages(pager, problems, { evaluated, configured });
  } catch (error) {
    failed('pages', error);
  }
  deps.logger.info('poll.summary', { ...summary });
  return summary;
}
