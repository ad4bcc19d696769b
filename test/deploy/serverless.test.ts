import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeployedFunction } from '../../scripts/local-cloud/functiongraph';
import { deployService } from '../../scripts/serverless/deploy';
import { parseServiceSpec } from '../../scripts/serverless/spec';
import { createTransport } from '../../shared/huawei/client';
import { FunctionGraphClient } from '../../shared/huawei/functiongraph';
import { createLogger } from '../../shared/log/logger';
import { startLocalCloud, type LocalCloud } from '../../scripts/local-cloud/server';
import { contentFor, obsEvent, TEST_CHAINS } from '../support/pipeline';
import { testPrefix, testRedisUrl, testStateUrl, trackPrefix } from '../support/redis';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const SERVERLESS = join(ROOT, 'node_modules/serverless/bin/serverless.js');
// A password the deploy must never print: the test Redis's own if it has one, else one it ignores.
const REDIS_PASSWORD = new URL(testRedisUrl()).password || 'dcs-password-never-printed';
// Every deploy of this file shares one prefix, so its keys are removed when the file ends.
const DEPLOY_PREFIX = testPrefix('deploy');

/** `serverless <command>` as a user runs it from the repository, against the local cloud. */
async function serverless(cloud: LocalCloud, packageDir: string, args: string[], overrides: Record<string, string> = {}) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    ...cloud.env(),
    STATE_URL: testStateUrl(DEPLOY_PREFIX, { password: REDIS_PASSWORD }),
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

/**
 * Unzips a deployed function's code and calls its handler under plain node, as FunctionGraph would:
 * plain variables in the environment, encrypted ones only through context.getUserData, the project
 * in RUNTIME_PROJECT_ID, the agency's keys through the context. The local cloud's endpoints stand in
 * for the region's.
 */
async function invokeZip(cloud: LocalCloud, fn: DeployedFunction, event: unknown): Promise<{ result?: unknown; error?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-code-'));
  writeFileSync(join(dir, 'code.zip'), fn.code);
  mkdirSync(join(dir, 'code'));
  execFileSync('unzip', ['-q', join(dir, 'code.zip'), '-d', join(dir, 'code')]);
  const { HUAWEICLOUD_SDK_AK: ak, HUAWEICLOUD_SDK_SK: sk, HUAWEICLOUD_SDK_PROJECT_ID: projectId, HUAWEICLOUD_REGION: _region, ...endpoints } = cloud.env();
  const env = { PATH: process.env.PATH ?? '', ...fn.environment, ...endpoints, RUNTIME_PROJECT_ID: projectId, NODE_OPTIONS: '' };
  const userData = { ...fn.environment, ...fn.encryptedEnvironment };
  const script = `
    const { handler } = require(${JSON.stringify(join(dir, 'code', 'index.js'))});
    const userData = JSON.parse(process.argv[2]);
    const context = {
      getRequestID: () => 'req-1',
      getRemainingTimeInMilliSeconds: () => 30000,
      getUserData: (key) => userData[key],
      getSecurityAccessKey: () => ${JSON.stringify(ak)},
      getSecuritySecretKey: () => ${JSON.stringify(sk)},
    };
    handler(JSON.parse(process.argv[1]), context).then(
      (result) => { process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n'); process.exit(0); },
      (error) => { process.stdout.write('ERROR ' + error.message + '\\n'); process.exit(0); });`;
  // Asynchronously: the local cloud answering the handler runs in this process.
  const { stdout: out } = await run(process.execPath, ['-e', script, JSON.stringify(event), JSON.stringify(userData)], { env, encoding: 'utf8', cwd: dir });
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
    expect(poll.memorySize).toBe(256);
    expect(upload.environment.STATE_URL).toBeUndefined();
    expect(upload.encryptedEnvironment.STATE_URL).toContain(REDIS_PASSWORD);
    expect(cloud.functiongraph.triggers.get(upload.urn)!.map((t) => [t.type, t.eventData])).toEqual([['OBS', { bucket: 'mig-backups', events: ['s3:ObjectCreated:*'] }]]);
    expect(cloud.functiongraph.triggers.get(poll.urn)!.map((t) => [t.type, t.eventData])).toEqual([['TIMER', { name: 'restore-pilot-poll', schedule_type: 'Rate', schedule: '1m' }]]);
  }, 120_000);

  it('an environment over the region\'s limit is refused before any change, and the deployed functions stay as they were', async () => {
    const before = [...cloud.functiongraph.functions.values()].map((f) => ({ ...f, environment: { ...f.environment } }));
    const calls = cloud.requests.length;
    const many = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ ...TEST_CHAINS[0], id: `chain-${i}`, prefix: `c${i}/` })));
    await expect(serverless(cloud, packageDir, ['deploy'], { RESTORE_CHAINS: many })).rejects.toThrow(
      /cannot deploy on-backup-upload: environment is \d+ characters \(keys plus values, plain and encrypted together; RESTORE_CHAINS alone \d+\), and FunctionGraph allows 2048 in cn-north-4/,
    );
    expect(cloud.requests.slice(calls).filter((r) => r.method !== 'GET')).toEqual([]);
    expect([...cloud.functiongraph.functions.values()]).toEqual(before);
  }, 90_000);

  it('when FunctionGraph itself refuses the new configuration, the code deployed before stays', async () => {
    // A deployer who claims 4096 for a region that takes 2048 gets past preflight; FunctionGraph refuses.
    const { transport, projectId } = createTransport({ env: cloud.env(), logger: createLogger({ level: 'error' }) });
    const many = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ ...TEST_CHAINS[0], id: `chain-${i}`, prefix: `c${i}/` })));
    const spec = parseServiceSpec(
      {
        service: 'restore-pilot',
        provider: { name: 'huawei', stage: 'prod', region: 'cn-north-4', memorySize: 128, environmentLimit: 4096, environment: { STATE_URL: testRedisUrl(), RESTORE_CHAINS: many } },
        functions: { 'on-backup-upload': { events: [{ obs: { bucket: 'mig-backups' } }] } },
      },
      projectId,
    );
    const deployed = [...cloud.functiongraph.functions.values()].find((f) => f.name === 'restore-pilot-prod-on-backup-upload')!;
    const code = deployed.code;
    const newZip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60)]);
    await expect(deployService(new FunctionGraphClient(transport, projectId), spec, new Map([['on-backup-upload', newZip]]), () => {})).rejects.toThrow(/FSS\.1001.*limit is 2048/);
    expect(deployed.code.equals(code)).toBe(true);
  }, 30_000);

  it("each deployed zip's handler runs under plain node on a sample event", async () => {
    const functions = [...cloud.functiongraph.functions.values()];
    const upload = functions.find((f) => f.name.endsWith('on-backup-upload'))!;
    const poll = functions.find((f) => f.name.endsWith('poll-jobs'))!;
    expect(upload.environment.STATE_URL).toBeUndefined();

    const object = cloud.obs.put('mig-backups', 'erp/ERP_FULL_20261120_020000.bak', { content: contentFor('erp/ERP_FULL_20261120_020000.bak') });
    const uploaded = await invokeZip(cloud, upload, obsEvent([{ key: 'erp/ERP_FULL_20261120_020000.bak', eTag: object.eTag, sequencer: object.sequencer }]));
    expect(uploaded, JSON.stringify(uploaded)).toMatchObject({ result: { counts: { submitted: 1 } } });
    expect(cloud.requests.filter((r) => r.operation === 'drs.createBackupMigrationJob' && r.status === 200)).toHaveLength(1);

    const polled = await invokeZip(cloud, poll, { version: 'v1.0', time: new Date().toISOString(), trigger_type: 'TIMER', trigger_name: 'restore-pilot-poll', user_event: '' });
    expect(polled.error).toBeUndefined();
    expect(polled.result).toMatchObject({ chains: expect.any(Number) });
  }, 60_000);

  it('with the chains in a document in OBS: the deploy reads and checks it first, and the deployed zips run on it', async () => {
    const path = 'obs://rp-config/restore-pilot.json';
    const topic = `urn:smn:cn-north-4:${cloud.projectId}:oncall`;
    const chains = Array.from({ length: 20 }, (_, i) => ({ ...TEST_CHAINS[0], id: `chain-${i}`, prefix: `c${i}/`, cutoverMarker: undefined }));
    const pointer = { RESTORE_PILOT_CONFIG: path, RESTORE_CHAINS: '', SMN_TOPIC_URN: '' };
    const calls = cloud.requests.length;
    cloud.obs.put('rp-config', 'restore-pilot.json', { content: JSON.stringify({ chains: [{ ...chains[0], bucket: 'Mig_Backups' }], SMN_TOPIC_URN: topic }) });
    await expect(serverless(cloud, packageDir, ['deploy'], pointer)).rejects.toThrow(/cannot deploy on-backup-upload: RESTORE_PILOT_CONFIG obs:\/\/rp-config\/restore-pilot.json: chains\[0\]\.bucket: /);
    expect(cloud.requests.slice(calls).filter((r) => r.operation.startsWith('functiongraph.') && r.method !== 'GET')).toEqual([]);

    // 20 chains: far over 2048 characters as RESTORE_CHAINS, a pointer of 35 as a document.
    cloud.obs.put('rp-config', 'restore-pilot.json', { content: JSON.stringify({ chains, SMN_TOPIC_URN: topic }) });
    await serverless(cloud, packageDir, ['deploy'], pointer);
    const upload = [...cloud.functiongraph.functions.values()].find((f) => f.name.endsWith('on-backup-upload'))!;
    expect(upload.environment.RESTORE_PILOT_CONFIG).toBe(path);
    expect(upload.environment.RESTORE_CHAINS ?? '').toBe('');
    const key = 'c7/ERP_FULL_20261120_030000.bak';
    const object = cloud.obs.put('mig-backups', key, { content: contentFor(key) });
    const uploaded = await invokeZip(cloud, upload, obsEvent([{ key, eTag: object.eTag, sequencer: object.sequencer }]));
    expect(uploaded, JSON.stringify(uploaded)).toMatchObject({ result: { counts: { submitted: 1 } } });
  }, 120_000);

  it('remove deletes the triggers and the functions; a second remove finds nothing to do', async () => {
    const output = await serverless(cloud, packageDir, ['remove']);
    expect(output).toContain('removed function restore-pilot-prod-on-backup-upload');
    expect(cloud.functiongraph.functions.size).toBe(0);
    expect(cloud.functiongraph.triggers.size).toBe(0);
    expect(await serverless(cloud, packageDir, ['remove'])).toContain('does not exist; nothing to remove');
  }, 120_000);
});

describe('two stages of one service, one Redis', () => {
  let cloud: LocalCloud;
  let packageDir: string;
  const stateUrl = testRedisUrl();
  beforeAll(async () => {
    cloud = await startLocalCloud({ drs: { jobDurationMs: 60_000, precheckMs: 0 } });
    for (const bucket of ['mig-backups', 'mig-backups-staging']) cloud.obs.createBucket(bucket);
    packageDir = mkdtempSync(join(tmpdir(), 'restore-pilot-sls-'));
    await serverless(cloud, packageDir, ['package']);
  }, 90_000);
  afterAll(async () => {
    await cloud.close();
    rmSync(packageDir, { recursive: true, force: true });
  });
  // The run's id in the stage name puts it in the stage's key prefix (restore-pilot:<stage>:), where the
  // end-of-run check looks; test/setup/cleanup.ts removes these keys when the file ends.
  const STAGE_RUN = inject('redisRunId');
  for (const name of ['prod', 'staging']) trackPrefix(`restore-pilot:${name}-${STAGE_RUN}:`);
  const stage = (name: string, bucket: string) => {
    const chains = JSON.stringify([{ id: `erp-${name}`, bucket, prefix: 'erp/', targetInstanceId: TEST_CHAINS[0]!.targetInstanceId }]);
    return ['deploy', '--stage', `${name}-${STAGE_RUN}`, { STATE_URL: stateUrl, RESTORE_CHAINS: chains, BACKUP_BUCKET: bucket }] as const;
  };

  it('a second stage on a bucket another function already watches is refused before anything is created', async () => {
    const [cmd, flag, prod, prodEnv] = stage('prod', 'mig-backups');
    await serverless(cloud, packageDir, [cmd, flag, prod], prodEnv);
    const calls = cloud.requests.length;
    const [, , staging, stagingEnv] = stage('staging', 'mig-backups');
    await expect(serverless(cloud, packageDir, [cmd, flag, staging], stagingEnv)).rejects.toThrow(
      new RegExp(`cannot deploy on-backup-upload: bucket mig-backups already has an OBS trigger, of function restore-pilot-prod-${STAGE_RUN}-on-backup-upload, and FunctionGraph allows one per bucket`),
    );
    expect(cloud.requests.slice(calls).filter((r) => r.method !== 'GET')).toEqual([]);
    expect([...cloud.functiongraph.functions.values()].map((f) => f.name).filter((n) => n.includes('staging'))).toEqual([]);
  }, 120_000);

  it('each stage keeps its own key space: each pages its own problem once, never the other\'s', async () => {
    const [cmd, flag, staging, stagingEnv] = stage('staging', 'mig-backups-staging');
    await serverless(cloud, packageDir, [cmd, flag, staging], stagingEnv);
    const poller = (name: string) => [...cloud.functiongraph.functions.values()].find((f) => f.name === `restore-pilot-${name}-${STAGE_RUN}-poll-jobs`)!;
    expect(poller('prod').environment.STATE_KEY_PREFIX).toBe(`restore-pilot:prod-${STAGE_RUN}:`);
    // One problem per stage: a file in the chain's folder that is not a backup.
    cloud.obs.put('mig-backups', 'erp/notes.txt', {});
    cloud.obs.put('mig-backups-staging', 'erp/notes.txt', {});
    const tick = { version: 'v1.0', time: new Date().toISOString(), trigger_type: 'TIMER', trigger_name: 'restore-pilot-poll', user_event: '' };
    for (let round = 0; round < 3; round++) {
      for (const name of ['prod', 'staging']) {
        const polled = await invokeZip(cloud, poller(name), tick);
        expect(polled.error).toBeUndefined();
      }
    }
    const subjects = cloud.smn.messages.map((m) => m.subject ?? '');
    expect(subjects.filter((s) => /resolved/i.test(s))).toEqual([]);
    expect(subjects.filter((s) => s.includes('erp-prod'))).toHaveLength(1);
    expect(subjects.filter((s) => s.includes('erp-staging'))).toHaveLength(1);
    expect(subjects).toHaveLength(2);
  }, 120_000);
});
