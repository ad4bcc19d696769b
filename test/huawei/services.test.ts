import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/huawei/errors';
import { startHarness, type CloudHarness } from '../support/cloud';

let h: CloudHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.reset());

const TASK_ID = 'a276c1ffa0a54c2597fc824b917db317';
const TAURUS_INSTANCE = 'a48e43ff268f4c0e879652d65e63d0fbin01';

describe('DCS getMigrationTask', () => {
  it('returns the reference task with its Redis passwords redacted, and logs never carry them', async () => {
    h.cloud.faults.add({ operation: 'dcs.getMigrationTask', kind: 'status', status: 500, count: 1 });
    const task = await h.client.dcs.getMigrationTask(TASK_ID);
    expect(task).toMatchObject({ task_id: TASK_ID, status: 'TERMINATING', source_instance: { name: 'dcs-test', password: '[REDACTED]' }, target_instance: { name: 'test-instance', password: '[REDACTED]' } });
    expect(task.created_at).toBe('2019/10/22 14:44:30');
    h.logs.logger.info('dcs.task', { task, raw: h.cloud.dcs.tasks.get(TASK_ID), note: 'password is DCStest123' });
    expect(h.logs.text()).not.toContain('DCStest123');
  });

  it('accepts both documented spellings of the incremental status', async () => {
    for (const status of ['INCRMIGEATING', 'INCRMIGRATING', 'MIGRATION_FAILED']) {
      h.cloud.dcs.setStatus(TASK_ID, status);
      await expect(h.client.dcs.getMigrationTask(TASK_ID)).resolves.toMatchObject({ status });
    }
  });

  it('keeps the statuses DCS answers beyond the page, and one nobody has seen yet, as sent', async () => {
    for (const status of ['CREATING', 'ERROR', 'DELETED', 'MIGRATION_SUCCESS', 'PAUSED_FOR_SOMETHING_NEW']) {
      h.cloud.dcs.setStatus(TASK_ID, status);
      await expect(h.client.dcs.getMigrationTask(TASK_ID)).resolves.toMatchObject({ status });
    }
  });

  it('an unknown task is a typed 404', async () => {
    await expect(h.client.dcs.getMigrationTask('missing')).rejects.toMatchObject({ status: 404, operation: 'dcs.getMigrationTask' });
  });
});

describe('TaurusDB listBackups', () => {
  it('sends +0800 times percent-encoded and signed, and filters by them', async () => {
    h.cloud.taurusdb.add({ ...h.cloud.taurusdb.backups[0]!, id: 'b2', status: 'FAILED', begin_time: '2018-08-10T12:00:00+0800' });
    const result = await h.client.taurusdb.listBackups({ instance_id: TAURUS_INSTANCE, begin_time: '2018-08-06T10:41:14+0800', end_time: '2018-08-08T10:41:14+0800' });
    expect(result.backups.map((b) => b.id)).toEqual(['43e4feaab48f11e89039fa163ebaa7e4br01']);
    expect(result.total_count).toBe(1);
    const sent = h.cloud.requests.at(-1)!;
    expect(sent.query.get('begin_time')).toBe('2018-08-06T10:41:14+0800');
    const all = await h.client.taurusdb.listAllBackups({ instance_id: TAURUS_INSTANCE, status: 'FAILED' });
    expect(all.map((b) => b.id)).toEqual(['b2']);
  });

  it('reads a backup as the service answers it: AVAILABLE, size in MB with a fraction, backup_level a string', async () => {
    const [backup] = await h.client.taurusdb.listAllBackups({ instance_id: TAURUS_INSTANCE, begin_time: '2018-08-09T00:00:00+0800', end_time: '2018-08-10T00:00:00+0800' });
    expect(backup).toMatchObject({ status: 'AVAILABLE', size: 27.5, backup_level: '0' });
  });

  it('validates times, pairs and limits before sending', async () => {
    const bad: [object, string][] = [
      [{ instance_id: TAURUS_INSTANCE, begin_time: '2018-08-06T10:41:14+0800' }, 'end_time'],
      [{ instance_id: TAURUS_INSTANCE, begin_time: '2018-08-06 10:41:14', end_time: '2018-08-07T10:41:14+0800' }, 'begin_time'],
      [{ instance_id: TAURUS_INSTANCE, begin_time: '2018-08-07T10:41:14+0800', end_time: '2018-08-06T10:41:14+0800' }, 'end_time'],
      [{ instance_id: TAURUS_INSTANCE, limit: 101 }, 'limit'],
      [{ instance_id: '' }, 'instance_id'],
    ];
    for (const [query, field] of bad) {
      const error = await h.client.taurusdb.listBackups(query as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toMatchObject({ field });
    }
    expect(h.cloud.requests).toHaveLength(0);
  });
});

describe('SMN publishMessage', () => {
  const topic = () => `urn:smn:cn-north-4:${h.cloud.projectId}:restore-pilot-oncall`;

  it('publishes and the cloud records the message', async () => {
    const result = await h.client.smn.publishMessage(topic(), { subject: 'Restore failed: erp-prod', message: 'What happened…' });
    expect(result.message_id).toMatch(/^[0-9a-f]{32}$/);
    expect(h.cloud.smn.messages.at(-1)).toMatchObject({ topicUrn: topic(), subject: 'Restore failed: erp-prod', message: 'What happened…' });
  });

  it('checks subject bytes, message size and the topic URN before sending', async () => {
    await expect(h.client.smn.publishMessage(topic(), { subject: 'é'.repeat(257), message: 'x' })).rejects.toMatchObject({ field: 'subject' });
    await expect(h.client.smn.publishMessage(topic(), { subject: 's', message: 'x'.repeat(256 * 1024 + 1) })).rejects.toMatchObject({ field: 'message' });
    await expect(h.client.smn.publishMessage(topic(), { subject: 's' })).rejects.toMatchObject({ field: 'message' });
    await expect(h.client.smn.publishMessage('arn:aws:sns:x', { message: 'x' })).rejects.toMatchObject({ field: 'topic_urn' });
    await expect(h.client.smn.publishMessage(topic(), { subject: 'é'.repeat(256), message: 'x'.repeat(256 * 1024) })).resolves.toBeDefined();
  });

  it('publishes a message_structure: each protocol gets its own text, others the default', async () => {
    const structure = JSON.stringify({ default: 'full page', email: 'full page for email', sms: 'short text' });
    await h.client.smn.publishMessage(topic(), { subject: 'Restore failed', message_structure: structure });
    expect(h.cloud.smn.messages.at(-1)!.deliveries).toEqual({
      email: { delivered: true, subject: 'Restore failed', text: 'full page for email' },
      sms: { delivered: true, text: 'short text' },
      https: { delivered: true, text: 'full page' },
    });
  });

  it('checks a message_structure before sending, and the local SMN checks it on its own', async () => {
    for (const bad of ['not json', '[]', JSON.stringify({ sms: 'no default' }), JSON.stringify({ default: 'x', sms: 1 })]) {
      await expect(h.client.smn.publishMessage(topic(), { message_structure: bad })).rejects.toMatchObject({ field: 'message_structure' });
    }
    expect(h.cloud.requests).toHaveLength(0);
    const { Transport } = await import('../../shared/huawei/transport');
    const { resolveEndpoints } = await import('../../shared/huawei/endpoints');
    const { DEFAULT_ACCESS_KEY } = await import('../../scripts/local-cloud/server');
    const raw = new Transport({ endpoints: resolveEndpoints(h.cloud.env()), credentials: { ...DEFAULT_ACCESS_KEY, source: 'environment' }, logger: h.logs.logger, pools: h.pools });
    const send = (body: unknown) => raw.send({ operation: 'raw', service: 'smn', method: 'POST', path: `/v2/${h.cloud.projectId}/notifications/topics/${topic()}/publish`, body, retry: false });
    await expect(send({ message_structure: JSON.stringify({ sms: 'no default' }) })).rejects.toMatchObject({ status: 400, errorMsg: expect.stringContaining('default') });
  });

  it('is not retried: a 500 reaches SMN once', async () => {
    h.cloud.faults.add({ operation: 'smn.publishMessage', kind: 'status', status: 500, count: 1 });
    await expect(h.client.smn.publishMessage(topic(), { message: 'x' })).rejects.toMatchObject({ status: 500, outcomeUnknown: true });
    expect(h.cloud.requests.filter((r) => r.operation === 'smn.publishMessage')).toHaveLength(1);
  });
});
