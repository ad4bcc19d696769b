import { afterEach, describe, expect, it } from 'vitest';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { createPollHandler } from '../../functions/poll-jobs/index';
import { obsEvent, startPipeline, type Pipeline } from '../support/pipeline';
import { testPrefix, testStateUrl } from '../support/redis';
import { openStateStore } from '../../shared/state/open';
import { ObsConfigSource } from '../../shared/config/live';
import { parseConfigLocation } from '../../shared/config/document';
import { startHarness } from '../support/cloud';

let p: Pipeline;
afterEach(async () => p?.close());

const MINUTE = 60_000;
const SOURCES = 5;
const DATABASES_PER_SOURCE = 100;
const source = (i: number) => ({ id: `src-${i}`, bucket: 'mig-backups', prefix: `src${i}/`, targetInstanceId: `rds-src${i}-in04` });
// MAX_JOBS_PER_INSTANCE from the document: each source's 100 fulls go to DRS at once (the default, 4, would queue 96).
const estate = (topicUrn: string) => ({ chains: Array.from({ length: SOURCES }, (_, i) => source(i)), SMN_TOPIC_URN: topicUrn, RECONCILE_EVERY_MINUTES: 60, MAX_JOBS_PER_INSTANCE: 100 });
const db = (n: number) => `DB${String(n).padStart(3, '0')}`;
const full = (i: number, n: number) => `src${i}/${db(n)}_FULL_20261120000000.bak`;

/** GetObject calls for the configuration document that reached the local OBS, with their answers. */
const documentReads = () => p.cloud.requests.filter((r) => r.operation === 'obs.getObject' && r.path.includes('restore-pilot.json')).map((r) => r.status);
const subjects = () => p.pages().map((m) => m.subject);
/** Uploads and sends the events of several objects as one OBS event. */
async function uploadAll(keys: string[]) {
  const events = keys.map((key) => p.upload(key).Records[0]!);
  return p.handler({ Records: events });
}

describe('configuration as an OBS object (RESTORE_PILOT_CONFIG)', () => {
  it('5 sources and 500 databases from the document; a broken version is refused, the last good one stays in force with one page, and a fixed one resolves it', async () => {
    p = await startPipeline({ configDocument: estate });
    for (let i = 0; i < SOURCES; i++) {
      const summary = await uploadAll(Array.from({ length: DATABASES_PER_SOURCE }, (_, n) => full(i, i * DATABASES_PER_SOURCE + n)));
      expect(summary.counts.submitted).toBe(DATABASES_PER_SOURCE);
    }
    expect(p.created()).toHaveLength(SOURCES * DATABASES_PER_SOURCE);
    const first = await p.poll();
    expect(first).toMatchObject({ chains: SOURCES * DATABASES_PER_SOURCE, jobsChecked: 500, errors: [] });
    expect(p.pages()).toEqual([]);

    // Someone uploads a version whose fourth source names a bucket OBS cannot have.
    const broken = estate(p.topicUrn);
    broken.chains[3] = { ...broken.chains[3]!, bucket: 'Mig_Backups' };
    const brokenETag = p.putConfig(broken);
    p.advanceClock(MINUTE);
    p.cloud.drs.settle(); // the 500 restores finish: their instances' slots are free again
    await p.poll();
    await uploadAll([full(4, 500)]); // the last good version is still in force: uploads become jobs
    expect(p.created().at(-1)!.file).toBe(full(4, 500));
    for (let tick = 0; tick < 3; tick++) {
      p.advanceClock(MINUTE);
      await p.poll();
    }
    expect(subjects()).toEqual([`[restore-pilot] Configuration refused: ${p.configPath}`]);
    const page = p.pages()[0]!.message;
    expect(page).toContain(`the new version of ${p.configPath} (eTag ${brokenETag}) does not validate`);
    expect(page).toMatch(/chains\[3\]\.bucket: /);
    expect(page).toContain('In force: the last good version');
    expect(page).toContain('npx restore-pilot config check FILE');

    // A new instance starting now finds the broken version, and runs on the last good one from Redis.
    const env = { ...p.cloud.env(), STATE_URL: testStateUrl(p.keyPrefix), RESTORE_PILOT_CONFIG: p.configPath };
    const coldStart = createUploadHandler({ env });
    try {
      const outcome = await coldStart(p.upload(full(2, 501)));
      expect(outcome.counts).toMatchObject({ submitted: 1 });
    } finally {
      await coldStart.close();
    }

    // The DBA fixes the document (and adds a source): it takes effect within a minute, and the page resolves.
    const fixed = estate(p.topicUrn);
    fixed.chains.push(source(5));
    p.cloud.rds.setInstance(source(5).targetInstanceId);
    p.putConfig(fixed);
    p.advanceClock(MINUTE);
    await p.poll();
    expect(subjects()).toEqual([`[restore-pilot] Configuration refused: ${p.configPath}`, `[restore-pilot] RESOLVED: Configuration refused: ${p.configPath}`]);
    expect((await uploadAll([`src5/${db(600)}_FULL_20261120000000.bak`])).counts.submitted).toBe(1);
  }, 60_000);

  it('asks OBS at most once a minute, with If-None-Match: 304 keeps the parsed version; a valid change takes effect without a restart', async () => {
    p = await startPipeline({ configDocument: (topicUrn) => ({ chains: [source(0)], SMN_TOPIC_URN: topicUrn }) });
    for (let i = 0; i < 10; i++) {
      await p.handler(obsEvent([]));
      await p.poll();
      p.advanceClock(5_000);
    }
    // Two instances (the upload handler's and the poller's), each read the document once at cold start.
    expect(documentReads()).toEqual([200, 200]);
    p.advanceClock(MINUTE);
    await p.handler(obsEvent([]));
    await p.poll();
    await p.poll();
    expect(documentReads()).toEqual([200, 200, 304, 304]);
    expect(p.logs.text()).not.toContain('config.changed');

    // Not a chain yet: ignored. Then the document gains the source; within a minute the same instance takes it.
    expect((await p.handler(p.upload('src1/ERP_FULL_20261120000000.bak'))).counts).toMatchObject({ ignored: 1 });
    p.cloud.rds.setInstance(source(1).targetInstanceId);
    p.putConfig({ chains: [source(0), source(1)], SMN_TOPIC_URN: p.topicUrn });
    expect((await p.handler(p.upload('src1/ERP_FULL_20261120000001.bak'))).counts).toMatchObject({ ignored: 1 });
    p.advanceClock(MINUTE);
    expect((await p.handler(p.upload('src1/ERP_FULL_20261120000002.bak'))).counts).toMatchObject({ submitted: 1 });
    expect(documentReads()).toEqual([200, 200, 304, 304, 200]);
    expect(p.logs.text()).toContain('config.changed');
    expect(p.pages()).toEqual([]);
  });

  it('a cold start with a broken version and no last good one fails naming the document and the problem', async () => {
    p = await startPipeline({ configDocument: (topicUrn) => ({ chains: [source(0)], SMN_TOPIC_URN: topicUrn }) });
    p.putConfig({ chains: [{ ...source(0), targetInstanceId: '' }], SMN_TOPIC_URN: p.topicUrn });
    // A fresh key space: no instance ever recorded a good version there.
    const store = openStateStore(testStateUrl(testPrefix()));
    const env = { ...p.cloud.env(), STATE_URL: 'redis://unused:6379', RESTORE_PILOT_CONFIG: p.configPath };
    const upload = createUploadHandler({ env, store });
    await expect(upload(obsEvent([]))).rejects.toThrow(
      `invalid configuration RESTORE_PILOT_CONFIG: ${p.configPath}: chains[0].targetInstanceId: is required; no earlier valid version is recorded in the state store to run on: fix the document and upload it again`,
    );
    const missing = createUploadHandler({ env: { ...env, RESTORE_PILOT_CONFIG: 'obs://rp-config/nothing-here.json' }, store });
    await expect(missing(obsEvent([]))).rejects.toThrow(/RESTORE_PILOT_CONFIG: obs:\/\/rp-config\/nothing-here.json: cannot be read: .*NoSuchKey/);
    await store.close();
  });

  it('RESTORE_CHAINS and RESTORE_PILOT_CONFIG both set is an error naming both; so is a setting in both the environment and the document', async () => {
    p = await startPipeline({ configDocument: (topicUrn) => ({ chains: [source(0)], SMN_TOPIC_URN: topicUrn }) });
    const env = { ...p.cloud.env(), STATE_URL: testStateUrl(p.keyPrefix), RESTORE_PILOT_CONFIG: p.configPath };
    const both = createUploadHandler({ env: { ...env, RESTORE_CHAINS: JSON.stringify([source(0)]) } });
    await expect(both(obsEvent([]))).rejects.toThrow('invalid configuration RESTORE_PILOT_CONFIG: and RESTORE_CHAINS are both set');
    const poll = createPollHandler({ env: { ...env, SMN_TOPIC_URN: p.topicUrn }, store: p.store });
    await expect(poll(undefined)).rejects.toThrow(`SMN_TOPIC_URN: is set both in the environment and in ${p.configPath}`);
  });
});

describe('If-None-Match on GetObject: our client and the local cloud, each read from the OBS page', () => {
  it('304 with no body while the eTag matches, the object when it differs; the source keeps the parsed version on 304', async () => {
    const h = await startHarness();
    try {
      const { eTag } = h.cloud.obs.put('rp-config', 'c.json', { content: JSON.stringify({ chains: [source(0)], SMN_TOPIC_URN: 'urn:smn:cn-north-4:p:t' }) });
      const read = (ifNoneMatch?: string) => h.client.obs.readObjectText('rp-config', 'c.json', { maxBytes: 1024, ...(ifNoneMatch ? { ifNoneMatch } : {}) });
      expect(await read(eTag)).toEqual({ notModified: true });
      expect(await read('0123456789abcdef0123456789abcdef')).toMatchObject({ eTag });
      expect(h.cloud.requests.map((r) => r.status)).toEqual([304, 200]);
      await expect(h.client.obs.readObjectText('rp-config', 'c.json', { maxBytes: 10 })).rejects.toThrow(/larger than 10 bytes/);

      let now = 0;
      const store = openStateStore(testStateUrl(testPrefix()));
      const config = new ObsConfigSource(parseConfigLocation('obs://rp-config/c.json'), store, {});
      const deps = { obs: h.client.obs, logger: h.logs.logger, now: () => now };
      const first = await config.current(deps);
      now += 59_999;
      expect(await config.current(deps)).toBe(first);
      now += 1;
      expect(await config.current(deps)).toBe(first); // asked, 304: the same parsed object
      expect(h.cloud.requests.slice(3).map((r) => [r.operation, r.status])).toEqual([
        ['obs.getObject', 200],
        ['obs.getObject', 304],
      ]);
      await store.close();
    } finally {
      await h.close();
    }
  });
});
