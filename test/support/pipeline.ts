import { randomUUID } from 'node:crypto';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { createPollHandler } from '../../functions/poll-jobs/index';
import { parseChainList } from '../../shared/chains/config';
import { stagingKeyFor } from '../../shared/chains/drs-name';
import { createHuaweiClient } from '../../shared/huawei/client';
import { DEFAULT_MAX_JOBS_PER_INSTANCE } from '../../shared/restore/pacing';
import { trackChain } from '../../shared/restore/track';
import { openStateStore } from '../../shared/state/open';
import type { StateStore } from '../../shared/state/store';
import { loadSource, mergeChains } from '../../shared/state/source';
import type { ChainState } from '../../shared/chains/state';
import { backupForName } from '../../scripts/synthetic/backups';
import { captureLogs } from './cloud';
import { startLocalCloud, type LocalCloud } from '../../scripts/local-cloud/server';
import { removeKeys, testPrefix, testStateUrl } from './redis';

export const ERP_INSTANCE = '0a3182607bc549bcb46cc9a8755761a6in04';

export const TEST_CHAINS = [
  { id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: ERP_INSTANCE, cutoverMarker: 'erp/CUTOVER' },
  { id: 'crm', bucket: 'mig-backups', prefix: 'crm/', targetInstanceId: 'crm-instance-in04', mode: 'full-only' },
];

/** An OBS event for objects just put into the local cloud's OBS, keys encoded as OBS sends them. */
export function obsEvent(objects: { bucket?: string; key: string; eTag: string; sequencer?: string; eventName?: string; createdAt?: Date }[]) {
  return {
    Records: objects.map((o) => ({
      eventVersion: '2.0',
      eventSource: 'aws:s3',
      awsRegion: 'cn-north-4',
      eventTime: (o.createdAt ?? new Date()).toISOString(),
      eventName: o.eventName ?? 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'cfg-1',
        bucket: { name: o.bucket ?? 'mig-backups', arn: `arn:aws:s3:::${o.bucket ?? 'mig-backups'}` },
        object: {
          key: encodeURIComponent(o.key).replace(/%20/g, '+').replace(/%2F/g, '/'),
          eTag: o.eTag,
          size: 1024,
          versionId: 'null',
          ...(o.sequencer ? { sequencer: o.sequencer } : {}),
        },
      },
    })),
  };
}

/** What a test upload holds when it gives no content: a backup for a backup's name, else a note. */
export function contentFor(key: string): Uint8Array {
  try {
    return backupForName(key);
  } catch {
    return new TextEncoder().encode(`notes about ${key}\n`);
  }
}

export interface Pipeline {
  cloud: LocalCloud;
  store: StateStore;
  handler: (event: unknown, context?: object) => ReturnType<ReturnType<typeof createUploadHandler>>;
  logs: ReturnType<typeof captureLogs>;
  /**
   * Puts the object in OBS and returns the event OBS would send for it. A `DB_FULL_…`/`DB_LOG_…` name
   * gets a synthetic backup whose LSNs follow its timestamp (backupForName); any other name a text file.
   */
  upload(key: string, options?: { bucket?: string; content?: Uint8Array; size?: number; storageClass?: string }): ReturnType<typeof obsEvent>;
  /** One poller tick through the real poll-jobs handler, at the pipeline clock. */
  poll(context?: object): ReturnType<ReturnType<typeof createPollHandler>>;
  /** Moves the pipeline clock (handler, poller, track) forward: in-progress expiry, stuck jobs, stale backups, gaps. */
  advanceClock(ms: number): void;
  /** The SMN messages received so far: subject and message. */
  pages(): { subject: string; message: string }[];
  topicUrn: string;
  /** This pipeline's Redis key prefix, so a test can damage its own state and nobody else's. */
  keyPrefix: string;
  /** The functions' environment, for a second function instance of the same deployment. */
  env: Record<string, string>;
  /** The pipeline clock. */
  now: () => number;
  /** One poll step for every database of a chain (source): what the poller does on each tick. */
  track(chainId: string): Promise<Pick<Awaited<ReturnType<typeof trackChain>>, 'state' | 'checked' | 'submitted'>>;
  /** Every database's chain of a source as one state (shared/state/source.ts mergeChains). */
  state(chainId: string): Promise<ChainState>;
  /** Where the configuration document is, with `configDocument`: RESTORE_PILOT_CONFIG's value. */
  configPath: string;
  /** Uploads a new version of the configuration document (any text: a broken one too); returns its eTag. */
  putConfig(document: unknown): string;
  /** The DRS jobs created, in creation order; `file` is the uploaded object each restores (as the job's description names it). */
  created(): { file: string; mode: string; last: boolean; name: string }[];
  /** The objects DRS was given, in creation order: a DRS-safe copy where the file's own name breaks DRS's rules. */
  restored(): string[];
  /** The file name DRS gets for an uploaded object: its own, or its DRS-safe copy's (for `drs.script`). */
  drsName(key: string, bucket?: string): string;
  close(): Promise<void>;
}

const CONFIG_BUCKET = 'rp-config';
const CONFIG_KEY = 'restore-pilot.json';

export async function startPipeline(
  options: {
    store?: (store: StateStore) => StateStore;
    inProgressMs?: number;
    chains?: unknown[];
    pollEnv?: Record<string, string>;
    maxJobsPerInstance?: number;
    /** Configure through a document in the local OBS (RESTORE_PILOT_CONFIG) instead of RESTORE_CHAINS; given the pages' topic. */
    configDocument?: (topicUrn: string) => { chains: unknown[] } & Record<string, unknown>;
  } = {},
): Promise<Pipeline> {
  const cloud = await startLocalCloud({ drs: { jobDurationMs: 60_000, precheckMs: 0 } });
  cloud.obs.createBucket('mig-backups');
  const keyPrefix = testPrefix();
  const stateUrl = testStateUrl(keyPrefix);
  const realStore = openStateStore(stateUrl);
  const store = options.store ? options.store(realStore) : realStore;
  const topicUrn = `urn:smn:cn-north-4:${cloud.projectId}:oncall`;
  const document = options.configDocument?.(topicUrn);
  const chainList = document?.chains ?? options.chains ?? TEST_CHAINS;
  const chainsJson = JSON.stringify(chainList);
  // The chains' target instances exist in the local RDS (SQL Server 2019 unless a test changes one).
  for (const chain of chainList as { targetInstanceId: string }[]) {
    if (!cloud.rds.instances.has(chain.targetInstanceId)) cloud.rds.setInstance(chain.targetInstanceId);
  }
  const maxJobsPerInstance = options.maxJobsPerInstance ?? DEFAULT_MAX_JOBS_PER_INSTANCE;
  const putConfig = (next: unknown) => cloud.obs.put(CONFIG_BUCKET, CONFIG_KEY, { content: typeof next === 'string' ? next : JSON.stringify(next, null, 2) }).eTag;
  if (document) putConfig(document);
  const configPath = `obs://${CONFIG_BUCKET}/${CONFIG_KEY}`;
  const env = {
    ...cloud.env(),
    STATE_URL: stateUrl,
    ...(document ? { RESTORE_PILOT_CONFIG: configPath } : { RESTORE_CHAINS: chainsJson, MAX_JOBS_PER_INSTANCE: String(maxJobsPerInstance) }),
  };
  // Time passes when a test says so (advanceClock), not by waiting for it.
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  // Waits between retries and for a busy lock stay real, since the lock's holder is a real concurrent
  // call, but short: the suite never sleeps for a backoff's full length.
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 20)));
  const upload = createUploadHandler({ env, store, inProgressMs: options.inProgressMs ?? 60_000, now, sleep });
  const logs = captureLogs();
  const context = {
    getRequestID: () => randomUUID(),
    getRemainingTimeInMilliSeconds: () => 30_000,
    getLogger: () => ({ info: (m: string) => logs.lines.push(m), warn: (m: string) => logs.lines.push(m), error: (m: string) => logs.lines.push(m) }),
  };
  const handler = Object.assign((event: unknown, overrides: object = {}) => upload(event, { ...context, ...overrides }), { close: upload.close });
  const client = createHuaweiClient({ env: cloud.env(), logger: logs.logger, now, sleep });
  const chains = parseChainList(chainList, 'chains');
  // A document carries its own settings; one also set in the environment would be refused.
  const poller = createPollHandler({ env: { ...env, ...(document ? {} : { SMN_TOPIC_URN: topicUrn }), ...options.pollEnv }, store, now, sleep });
  return {
    cloud,
    topicUrn,
    keyPrefix,
    env,
    now,
    configPath,
    putConfig,
    poll: (pollContext) => poller({ version: 'v1.0', time: new Date().toISOString(), trigger_type: 'TIMER', trigger_name: 'poll', user_event: '' }, { ...context, ...pollContext }),
    advanceClock: (ms) => {
      offsetMs += ms;
    },
    pages: () => cloud.smn.messages.map((m) => ({ subject: m.subject ?? '', message: m.message })),
    store,
    handler,
    logs,
    upload: (key, { bucket = 'mig-backups', content, size, storageClass }: { bucket?: string; content?: Uint8Array; size?: number; storageClass?: string } = {}) => {
      const object = cloud.obs.put(bucket, key, { content: content ?? contentFor(key), ...(size ? { size } : {}), ...(storageClass ? { storageClass } : {}) });
      return obsEvent([{ bucket, key, eTag: object.eTag, sequencer: object.sequencer, createdAt: object.lastModified }]);
    },
    track: async (chainId) => {
      const chain = chains.find((c) => c.id === chainId)!;
      const deps = { store, drs: client.drs, obs: client.obs, rds: client.rds, logger: logs.logger, now, sleep, inProgressMs: 60_000, maxJobsPerInstance, lockTtlMs: 30_000, lockWaitMs: 5_000 };
      const tracked = [];
      for (const database of (await store.listDatabases(chainId)).sort()) tracked.push(await trackChain(deps, chain, database));
      return {
        state: mergeChains(tracked.map((t, i) => ({ database: String(i), state: t.state }))),
        checked: tracked.flatMap((t) => t.checked),
        submitted: tracked.flatMap((t) => t.submitted),
      };
    },
    state: async (chainId) => mergeChains(await loadSource(store, chains.find((c) => c.id === chainId)!)),
    created: () =>
      cloud.requests
        .filter((r) => r.operation === 'drs.createBackupMigrationJob' && r.status === 200)
        .map((r) => {
          const body = r.body as { base_info: { name: string; description: string }; backup_info: { files: { name: string; obs_path: string }[] }; options: { recovery_mode: string; is_last_backup: boolean } };
          return { file: body.base_info.description.split(', ').at(-1)!, mode: body.options.recovery_mode, last: body.options.is_last_backup, name: body.base_info.name };
        }),
    drsName: (key, bucket = 'mig-backups') => {
      const chain = chains.find((c) => c.bucket === bucket && key.startsWith(c.prefix))!;
      const staged = stagingKeyFor(chain.stagingPrefix, chain.id, bucket, key, cloud.obs.get(bucket, key)!.eTag) ?? key;
      return staged.slice(staged.lastIndexOf('/') + 1);
    },
    restored: () =>
      cloud.requests
        .filter((r) => r.operation === 'drs.createBackupMigrationJob' && r.status === 200)
        .map((r) => {
          const { obs_path, name } = (r.body as { backup_info: { files: { name: string; obs_path: string }[] } }).backup_info.files[0]!;
          return obs_path + name;
        }),
    close: async () => {
      await store.close();
      await cloud.close();
      // A test may start several pipelines and close only the last; the file's cleanup catches the others.
      await removeKeys(keyPrefix);
    },
  };
}
