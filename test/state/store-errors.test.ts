import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { createPollHandler } from '../../functions/poll-jobs/index';
import { startLocalCloud, type LocalCloud } from '../../scripts/local-cloud/server';
import { RedisStateStore } from '../../shared/state/redis-store';
import { describeStoreError, StateStoreError } from '../../shared/state/store-error';
import type { StateStore } from '../../shared/state/store';
import { contentFor, obsEvent, TEST_CHAINS } from '../support/pipeline';
import { testPrefix, testRedisUrl } from '../support/redis';
import { freePort, redisServerOnPath, startPrivateRedis, type PrivateRedis } from '../setup/private-redis';

const PASSWORD = 'correct-horse-battery';
const WRONG = 'wrong-staple-7731';
const opened: StateStore[] = [];
const open = (url: string) => {
  const store = new RedisStateStore(url, { keyPrefix: testPrefix() });
  opened.push(store);
  return store;
};
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

/** The StateStoreError a call rejects with; fails the test if it resolves or throws anything else. */
async function storeError(call: Promise<unknown>): Promise<StateStoreError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateStoreError);
  return error as StateStoreError;
}

describe('state store errors name the store, the operation and the cause', () => {
  it('a closed port: connection refused, with the store as redis://host:port/db and never the password', async () => {
    const port = await freePort();
    const error = await storeError(open(`redis://:${PASSWORD}@127.0.0.1:${port}/2`).load('erp-prod'));
    expect(error).toMatchObject({ name: 'StateStoreError', store: `redis://127.0.0.1:${port}/2`, operation: 'load', kind: 'connection-refused' });
    expect(error.message).toBe(`state store redis://127.0.0.1:${port}/2: load failed: connection refused: nothing accepts connections on 127.0.0.1:${port} (is Redis running there, and is the port right?)`);
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toMatch(/max retries/i);
  });

  it('an unresolvable host: host not found', async () => {
    const error = await storeError(open('redis://no-such-host.invalid:6379').tryLock('erp-prod', 5_000));
    expect(error).toMatchObject({ store: 'redis://no-such-host.invalid:6379/0', operation: 'lock', kind: 'host-not-found' });
    expect(error.message).toMatch(/^state store redis:\/\/no-such-host\.invalid:6379\/0: lock failed: host not found: no-such-host\.invalid does not resolve/);
  });

  describe.skipIf(!redisServerOnPath(process.env.PATH))('a Redis that requires a password (a private redis-server --requirepass)', () => {
    let server: PrivateRedis;
    beforeAll(async () => {
      server = await startPrivateRedis(redisServerOnPath(process.env.PATH)!, ['--requirepass', PASSWORD]);
    });
    afterAll(async () => server?.stop());

    it('a wrong password: authentication failed, and the password is never in the message', async () => {
      const url = `redis://:${WRONG}@127.0.0.1:${server.port}`;
      const error = await storeError(open(url).loadPages());
      expect(error).toMatchObject({ store: `redis://127.0.0.1:${server.port}/0`, operation: 'load pages', kind: 'auth-failed' });
      expect(error.message).toBe(`state store redis://127.0.0.1:${server.port}/0: load pages failed: authentication failed: 127.0.0.1:${server.port} refused the password in STATE_URL`);
      expect(error.message).not.toContain(WRONG);
      expect(JSON.stringify(error)).not.toContain(WRONG);
    });

    it('no password: authentication failed, saying one is required', async () => {
      const error = await storeError(open(`redis://127.0.0.1:${server.port}`).load('erp-prod'));
      expect(error.kind).toBe('auth-failed');
      expect(error.message).toContain('requires a password and STATE_URL gives none');
    });

    it('the right password works', async () => {
      expect(await open(`redis://:${PASSWORD}@127.0.0.1:${server.port}`).loadPages()).toEqual([]);
    });
  });

  it('a cluster redirect and a timeout, as the client reports them, are named too', () => {
    const where = { host: 'dcs', port: '6379' };
    expect(describeStoreError(Object.assign(new Error('MOVED 3999 10.0.0.5:6379'), { name: 'ReplyError' }), undefined, where)).toEqual({
      kind: 'cluster-redirect',
      detail: 'cluster redirect (MOVED to 10.0.0.5:6379): dcs:6379 is a Redis Cluster node; add ?cluster=true to STATE_URL',
    });
    expect(describeStoreError(new Error('ASK 12 10.0.0.6:6379'), undefined, where).kind).toBe('cluster-redirect');
    const timedOut = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    const gaveUp = Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' });
    expect(describeStoreError(gaveUp, timedOut, where)).toMatchObject({ kind: 'timeout', detail: expect.stringContaining('dcs:6379 did not answer in time') });
    const clusterDown = Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError', lastNodeError: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(describeStoreError(clusterDown, undefined, where).kind).toBe('connection-refused');
  });
});

describe('the functions with the state store unreachable', () => {
  let cloud: LocalCloud;
  let stateUrl: string;
  beforeAll(async () => {
    cloud = await startLocalCloud({ drs: { jobDurationMs: 60_000, precheckMs: 0 } });
    cloud.obs.createBucket('mig-backups');
    stateUrl = `redis://:${PASSWORD}@127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => cloud.close());

  it('the upload handler still throws, so FunctionGraph redelivers, with the store error; the poller summary carries it', async () => {
    const env = { ...cloud.env(), STATE_URL: stateUrl, RESTORE_CHAINS: JSON.stringify(TEST_CHAINS), SMN_TOPIC_URN: `urn:smn:cn-north-4:${cloud.projectId}:oncall` };
    const upload = createUploadHandler({ env });
    const poll = createPollHandler({ env });
    try {
      const key = 'erp/ERP_FULL_20261120_020000.bak';
      const object = cloud.obs.put('mig-backups', key, { content: contentFor(key) });
      const thrown = await upload(obsEvent([{ key, eTag: object.eTag, sequencer: object.sequencer }]), { getRequestID: () => 'r' }).catch((e: Error) => e);
      expect(thrown).toBeInstanceOf(Error);
      const port = new URL(stateUrl).port;
      expect((thrown as Error).message).toContain(`${key}: state store redis://127.0.0.1:${port}/0: load failed: connection refused`);

      const tick = await poll({ version: 'v1.0', time: new Date().toISOString(), trigger_type: 'TIMER', trigger_name: 'poll', user_event: '' }, { getRequestID: () => 'r' });
      expect(tick.errors).toContainEqual({ scope: 'erp-prod', error: expect.stringMatching(new RegExp(`^state store redis://127\\.0\\.0\\.1:${port}/0: load failed: connection refused`)) });
      for (const message of [(thrown as Error).message, JSON.stringify(tick)]) expect(message).not.toContain(PASSWORD);
    } finally {
      await upload.close();
      await poll.close();
    }
  });
});

// The test Redis itself is reachable: the wrapper must not change what a healthy store returns.
it('a healthy store answers as before', async () => {
  expect(await open(testRedisUrl()).load('nobody')).toEqual({ meta: { notices: [], updatedAt: 0 }, files: {} });
});
