import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../scripts/local-cloud/server';
import { obsEvent, TEST_CHAINS } from '../support/pipeline';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const SERVERLESS = join(ROOT, 'node_modules/serverless/bin/serverless.js');
const REDIS_PASSWORD = 'dcs-password-never-printed';

/** `serverless <command>` as a user runs it from the repository, against the local cloud. */
async function serverless(cloud: LocalCloud, packageDir: string, args: string[], overrides: Record<string, string> = {}) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    ...cloud.env(),
    STATE_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379?prefix=deploy-${randomUUID()}:`,
    RESTORE_CHAINS: JSON.stringify(TEST_CHAINS),
    SMN_TOPIC_URN: `urn:smn:cn-north-4:${cloud.projectId}:oncall`,
    BACKUP_BUCKET: 'mig-backups',
    RESTORE_PILOT_VPC_ID: 'vpc-0001',
    RESTORE_PILOT_SUBNET_ID: 'subnet-0001',
    ...overrides,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [SERVERLESS, ...args, ...(args[0] === 'remove' ? [] : ['--package', packageDir])], { cwd: ROOT, env, timeout: 60_000 });
    return stdout + stderr;
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    throw new Error(`serverless ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
  }
}

/** Unzips a deployed function's code and calls its handler under plain node, as FunctionGraph would. */
async function invokeZip(code: Buffer, env: Record<string, string>, event: unknown): Promise<{ result?: unknown; error?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-code-'));
  writeFileSync(join(dir, 'code.zip'), code);
  mkdirSync(join(dir, 'code'));
  execFileSync('unzip', ['-q', join(dir, 'code.zip'), '-d', join(dir, 'code')]);
  const script = `
    const { handler } = require(${JSON.stringify(join(dir, 'code', 'index.js'))});
    const context = { getRequestID: () => 'req-1', getRemainingTimeInMilliSeconds: () => 30000 };
    handler(JSON.parse(process.argv[1]), context).then(
      (result) => { process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n'); process.exit(0); },
      (error) => { process.stdout.write('ERROR ' + error.message + '\\n'); process.exit(0); });`;
  // Asynchronously: the local cloud answering the handler runs in this process.
  const { stdout: out } = await run(process.execPath, ['-e', script, JSON.stringify(event)], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', cwd: dir });
  rmSync(dir, { recursive: true, force: true });
  const line = out.split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '))!;
  return line.startsWith('RESULT ') ? { result: JSON.parse(line.slice(7)) } : { error: line.slice(6) };
}

describe('serverless package / deploy / remove against the local cloud', () => {
  let cloud: LocalCloud;
  let packageDir: string;
  beforeAll(async () => {
    cloud = await startLocalCloud({ drs: { jobDurationMs: 60_000, precheckMs: 0 } });
    cloud.obs.createBucket('mig-backups');
    packageDir = mkdtempSync(join(tmpdir(), 'restore-pilot-sls-'));
  });
  afterAll(async () => {
    await cloud.close();
    rmSync(packageDir, { recursive: true, force: true });
  });

  it('packages one zip per function: index.js and its map, no node_modules', async () => {
    const output = await serverless(cloud, packageDir, ['package']);
    expect(output).toContain('packaged on-backup-upload');
    expect(readdirSync(packageDir).sort()).toEqual(['on-backup-upload.zip', 'poll-jobs.zip']);
    for (const zip of ['on-backup-upload.zip', 'poll-jobs.zip']) {
      expect(execFileSync('unzip', ['-Z1', join(packageDir, zip)], { encoding: 'utf8' }).trim().split('\n')).toEqual(['index.js', 'index.js.map']);
    }
  }, 90_000);

  it('a deploy with a broken setting stops before it changes anything, naming the setting', async () => {
    await expect(serverless(cloud, packageDir, ['deploy'], { RESTORE_CHAINS: '[{"id":"erp-prod"}]' })).rejects.toThrow(/cannot deploy on-backup-upload: RESTORE_CHAINS/);
    expect(cloud.requests.filter((r) => r.operation.startsWith('functiongraph.'))).toEqual([]);
  }, 90_000);

  it('deploys both functions with their triggers; a second deploy converges without duplicates', async () => {
    const first = await serverless(cloud, packageDir, ['deploy']);
    expect(first).toContain('created function restore-pilot-prod-on-backup-upload');
    const second = await serverless(cloud, packageDir, ['deploy']);
    expect(second).toContain('updated function restore-pilot-prod-poll-jobs');
    expect(second).not.toContain('added');
    for (const output of [first, second]) {
      expect(output).not.toContain(REDIS_PASSWORD);
      expect(output).not.toContain(cloud.env().HUAWEICLOUD_SDK_SK);
    }

    const functions = [...cloud.functiongraph.functions.values()];
    expect(functions.map((f) => f.name).sort()).toEqual(['restore-pilot-prod-on-backup-upload', 'restore-pilot-prod-poll-jobs']);
    const upload = functions.find((f) => f.name.endsWith('on-backup-upload'))!;
    const poll = functions.find((f) => f.name.endsWith('poll-jobs'))!;
    expect(upload).toMatchObject({ runtime: 'Node.js20.15', handler: 'index.handler', memorySize: 128, timeout: 60, agency: 'restore-pilot', vpc: { vpcId: 'vpc-0001', subnetId: 'subnet-0001' } });
    expect(poll.timeout).toBe(300);
    expect(upload.environment.STATE_URL).toBeUndefined();
    expect(upload.encryptedEnvironment.STATE_URL).toContain(REDIS_PASSWORD);
    expect(cloud.functiongraph.triggers.get(upload.urn)!.map((t) => [t.type, t.eventData])).toEqual([['OBS', { bucket: 'mig-backups', events: ['s3:ObjectCreated:*'] }]]);
    expect(cloud.functiongraph.triggers.get(poll.urn)!.map((t) => [t.type, t.eventData])).toEqual([['TIMER', { name: 'restore-pilot-poll', schedule_type: 'Rate', schedule: '1m' }]]);
  }, 120_000);

  it("each deployed zip's handler runs under plain node on a sample event", async () => {
    const functions = [...cloud.functiongraph.functions.values()];
    const upload = functions.find((f) => f.name.endsWith('on-backup-upload'))!;
    const poll = functions.find((f) => f.name.endsWith('poll-jobs'))!;
    // FunctionGraph hands the function its variables; the local cloud's endpoints and keys stand in for the agency.
    const envOf = (fn: typeof upload) => ({ ...fn.environment, ...fn.encryptedEnvironment, ...cloud.env(), NODE_OPTIONS: '' });

    const object = cloud.obs.put('mig-backups', 'erp/ERP_FULL_20261120_020000.bak', {});
    const uploaded = await invokeZip(upload.code, envOf(upload), obsEvent([{ key: 'erp/ERP_FULL_20261120_020000.bak', eTag: object.eTag, sequencer: object.sequencer }]));
    expect(uploaded, JSON.stringify(uploaded)).toMatchObject({ result: { counts: { submitted: 1 } } });
    expect(cloud.requests.filter((r) => r.operation === 'drs.createBackupMigrationJob' && r.status === 200)).toHaveLength(1);

    const polled = await invokeZip(poll.code, envOf(poll), { version: 'v1.0', time: new Date().toISOString(), trigger_type: 'TIMER', trigger_name: 'restore-pilot-poll', user_event: '' });
    expect(polled.error).toBeUndefined();
    expect(polled.result).toMatchObject({ chains: expect.any(Number) });
  }, 60_000);

  it('remove deletes the triggers and the functions; a second remove finds nothing to do', async () => {
    const output = await serverless(cloud, packageDir, ['remove']);
    expect(output).toContain('removed function restore-pilot-prod-on-backup-upload');
    expect(cloud.functiongraph.functions.size).toBe(0);
    expect(cloud.functiongraph.triggers.size).toBe(0);
    expect(await serverless(cloud, packageDir, ['remove'])).toContain('does not exist; nothing to remove');
  }, 120_000);
});
