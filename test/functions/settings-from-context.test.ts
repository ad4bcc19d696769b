import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { createPollHandler } from '../../functions/poll-jobs/index';
import { startLocalCloud, type LocalCloud } from '../../scripts/local-cloud/server';
import { SETTING_NAMES } from '../../shared/settings';
import { SERVICES } from '../../shared/huawei/endpoints';
import { PollerConfig } from '../../shared/poller/config';
import { contentFor, obsEvent, TEST_CHAINS } from '../support/pipeline';
import { testPrefix, testRedisUrl } from '../support/redis';

/**
 * FunctionGraph gives a function its encrypted settings only through context.getUserData(key), its
 * project through getProjectID() and its agency's keys through the security getters: nothing in
 * process.env. These tests run both handlers that way, with an empty environment.
 */
function functionGraphContext(cloud: LocalCloud, userData: Record<string, string>) {
  const { HUAWEICLOUD_SDK_AK: ak = '', HUAWEICLOUD_SDK_SK: sk = '' } = cloud.env();
  return {
    getRequestID: () => randomUUID(),
    getRemainingTimeInMilliSeconds: () => 30_000,
    getLogger: () => ({ info() {}, warn() {}, error() {} }),
    getUserData: (key: string) => userData[key],
    getProjectID: () => cloud.projectId,
    getSecurityAccessKey: () => ak,
    getSecuritySecretKey: () => sk,
  };
}

describe('settings come from the FunctionGraph context first', () => {
  let cloud: LocalCloud;
  const keyPrefix = testPrefix('test-settings');
  beforeAll(async () => {
    cloud = await startLocalCloud({ drs: { jobDurationMs: 60_000, precheckMs: 0 } });
    cloud.obs.createBucket('mig-backups');
  });
  afterAll(async () => {
    await cloud.close();
  });

  it('both functions work with every setting only in the user data, the encrypted STATE_URL included', async () => {
    const { HUAWEICLOUD_SDK_AK: _ak, HUAWEICLOUD_SDK_SK: _sk, HUAWEICLOUD_SDK_PROJECT_ID: _project, ...endpoints } = cloud.env();
    const userData = {
      ...endpoints,
      STATE_URL: testRedisUrl(),
      STATE_KEY_PREFIX: keyPrefix,
      RESTORE_CHAINS: JSON.stringify(TEST_CHAINS),
      SMN_TOPIC_URN: `urn:smn:cn-north-4:${cloud.projectId}:oncall`,
    };
    const upload = createUploadHandler({ env: {} });
    const poll = createPollHandler({ env: {} });
    try {
      const object = cloud.obs.put('mig-backups', 'erp/ERP_FULL_20261120_020000.bak', { content: contentFor('erp/ERP_FULL_20261120_020000.bak') });
      const uploaded = await upload(obsEvent([{ key: 'erp/ERP_FULL_20261120_020000.bak', eTag: object.eTag, sequencer: object.sequencer }]), functionGraphContext(cloud, userData));
      expect(uploaded.counts.submitted).toBe(1);
      const created = cloud.requests.filter((r) => r.operation === 'drs.createBackupMigrationJob' && r.status === 200);
      expect(created).toHaveLength(1);
      // The project came from the context: the job was created under it.
      expect(created[0]!.path).toContain(`/v5/${cloud.projectId}/`);

      const tick = await poll({ version: 'v1.0', time: new Date().toISOString(), trigger_type: 'TIMER', trigger_name: 'poll', user_event: '' }, functionGraphContext(cloud, userData));
      expect(tick.chains).toBe(1); // the one database uploaded to
      expect(tick.errors).toEqual([]);
    } finally {
      await upload.close();
      await poll.close();
    }
  }, 30_000);

  it('takes the project id from RUNTIME_PROJECT_ID when the context has none', async () => {
    const { HUAWEICLOUD_SDK_PROJECT_ID: _project, ...env } = cloud.env();
    const upload = createUploadHandler({ env: { ...env, RUNTIME_PROJECT_ID: cloud.projectId, STATE_URL: testRedisUrl(), STATE_KEY_PREFIX: keyPrefix, RESTORE_CHAINS: JSON.stringify(TEST_CHAINS) } });
    try {
      const object = cloud.obs.put('mig-backups', 'crm/CRM_FULL_20261120_020000.bak', { content: contentFor('crm/CRM_FULL_20261120_020000.bak') });
      const uploaded = await upload(obsEvent([{ key: 'crm/CRM_FULL_20261120_020000.bak', eTag: object.eTag, sequencer: object.sequencer }]), { getRequestID: () => 'r' });
      expect(uploaded.counts.submitted).toBe(1);
    } finally {
      await upload.close();
    }
  }, 30_000);

  it('with nothing anywhere, each function fails at start naming the missing setting', async () => {
    const context = { getRequestID: () => 'r', getUserData: () => undefined };
    const upload = createUploadHandler({ env: {} });
    const poll = createPollHandler({ env: {} });
    await expect(upload({ Records: [] }, context)).rejects.toThrow(/invalid configuration RESTORE_CHAINS: /);
    await expect(poll(undefined, context)).rejects.toThrow(/invalid configuration RESTORE_CHAINS: /);
    const withChains = createUploadHandler({ env: {} });
    await expect(withChains({ Records: [] }, { getUserData: (key: string) => (key === 'RESTORE_CHAINS' ? JSON.stringify(TEST_CHAINS) : undefined) })).rejects.toThrow(/invalid configuration STATE_URL: is not set/);
  });

  it('the catalogue holds every setting the endpoints and the poller read', () => {
    for (const name of [...Object.values(SERVICES).map((s) => s.env), ...Object.keys(PollerConfig.shape)]) expect(SETTING_NAMES).toContain(name);
  });
});
