import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentSize, preflight } from '../../scripts/serverless/preflight';
import { parseServiceSpec, planTriggers, splitEnvironment } from '../../scripts/serverless/spec';
import { writeZip } from '../../scripts/serverless/zip';

const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';
const config = (overrides: Record<string, unknown> = {}) => ({
  service: 'restore-pilot',
  provider: { name: 'huawei', stage: 'prod', region: 'cn-north-4', memorySize: 128, timeout: 60, environment: { STATE_URL: 'redis://:pw@dcs:6379', LOG_LEVEL: 'info' } },
  functions: {
    'on-backup-upload': { handler: 'index.handler', events: [{ obs: { bucket: 'mig-backups', events: ['s3:ObjectCreated:*'] } }] },
    'poll-jobs': { handler: 'index.handler', timeout: 300, environment: { WATCH_DCS_TASK_IDS: 'a,b' }, events: [{ timer: { name: 'poll', schedule: '1m' } }] },
  },
  ...overrides,
});

describe('serverless.yml → FunctionGraph specs', () => {
  it('names functions service-stage-key, merges environment, maps OBS and TIMER triggers', () => {
    const spec = parseServiceSpec(config(), PROJECT);
    const [upload, poll] = spec.functions;
    expect(upload).toMatchObject({ name: 'restore-pilot-prod-on-backup-upload', urn: `urn:fss:cn-north-4:${PROJECT}:function:default:restore-pilot-prod-on-backup-upload`, memorySize: 128, timeout: 60 });
    expect(upload!.triggers).toEqual([{ trigger_type_code: 'OBS', event_type_code: 'ObjectCreated', trigger_status: 'ACTIVE', event_data: { bucket: 'mig-backups', events: ['s3:ObjectCreated:*'] } }]);
    expect(poll).toMatchObject({ timeout: 300, environment: { STATE_URL: 'redis://:pw@dcs:6379', LOG_LEVEL: 'info', WATCH_DCS_TASK_IDS: 'a,b' } });
    expect(poll!.triggers[0]!.event_data).toEqual({ name: 'poll', schedule_type: 'Rate', schedule: '1m' });
  });

  it('gives each deployment its own Redis key space, service and stage, unless serverless.yml sets one', () => {
    expect(parseServiceSpec(config(), PROJECT).functions[0]!.environment.STATE_KEY_PREFIX).toBe('restore-pilot:prod:');
    const staging = parseServiceSpec(config({ provider: { name: 'huawei', stage: 'staging', region: 'cn-north-4' } }), PROJECT);
    expect(staging.functions.map((f) => f.environment.STATE_KEY_PREFIX)).toEqual(['restore-pilot:staging:', 'restore-pilot:staging:']);
    const own = parseServiceSpec(config({ provider: { name: 'huawei', region: 'cn-north-4', environment: { STATE_KEY_PREFIX: 'mine:' } } }), PROJECT);
    expect(own.functions[0]!.environment.STATE_KEY_PREFIX).toBe('mine:');
  });

  it('a VPC (where DCS is reachable) needs both ids; both empty means none', () => {
    const withVpc = (vpc: object) => parseServiceSpec(config({ provider: { name: 'huawei', region: 'cn-north-4', vpc } }), PROJECT).functions[0]!.vpc;
    expect(withVpc({ vpcId: 'vpc-1', subnetId: 'subnet-1' })).toEqual({ vpc_id: 'vpc-1', subnet_id: 'subnet-1' });
    expect(withVpc({ vpcId: '', subnetId: '' })).toBeUndefined();
    expect(() => withVpc({ vpcId: 'vpc-1', subnetId: '' })).toThrow('provider.vpc: give both vpcId and subnetId, or neither');
  });

  it('a bad field is an error naming it', () => {
    expect(() => parseServiceSpec(config({ provider: { name: 'huawei', region: 'cn-north-4', memorySize: 100 } }), PROJECT)).toThrow(/provider\.memorySize/);
    expect(() => parseServiceSpec(config({ functions: { 'poll-jobs': { timeout: 1000 } } }), PROJECT)).toThrow(/functions\.poll-jobs\.timeout/);
    expect(() => parseServiceSpec(config({ service: 'a'.repeat(70) }), PROJECT)).toThrow(/functions\.on-backup-upload: function name/);
    expect(() => parseServiceSpec(config({ functions: { x: { events: [{ obs: { events: ['s3:ObjectCreated:*'] } }] } } }), PROJECT)).toThrow(/functions\.x\.events\.0/);
  });

  it('the Redis URL (it carries the DCS password) goes to the encrypted environment only', () => {
    const split = splitEnvironment({ STATE_URL: 'redis://:pw@dcs:6379', LOG_LEVEL: 'info' });
    expect(JSON.parse(split.user_data)).toEqual({ LOG_LEVEL: 'info' });
    expect(JSON.parse(split.encrypted_user_data!)).toEqual({ STATE_URL: 'redis://:pw@dcs:6379' });
    expect(splitEnvironment({ LOG_LEVEL: 'info' }).encrypted_user_data).toBeUndefined();
  });

  it('a redeploy keeps matching triggers, replaces changed ones and drops undeclared ones', () => {
    const [upload, poll] = parseServiceSpec(config(), PROJECT).functions;
    const existing = (id: string, t: { trigger_type_code: string; event_data: object }) => ({ trigger_id: id, trigger_type_code: t.trigger_type_code, event_data: { ...t.event_data } as Record<string, unknown> });
    const obs = existing('t1', { trigger_type_code: 'OBS', event_data: { bucket: 'mig-backups', events: ['ObjectCreated:*'] } });
    expect(planTriggers([obs], upload!.triggers)).toEqual({ remove: [], create: [] });
    const oldTimer = existing('t2', { trigger_type_code: 'TIMER', event_data: { name: 'poll', schedule_type: 'Rate', schedule: '5m' } });
    const plan = planTriggers([oldTimer, obs], poll!.triggers);
    expect(plan.remove.map((t) => t.trigger_id)).toEqual(['t2', 't1']);
    expect(plan.create).toEqual(poll!.triggers);
    // A trigger disabled in the console is replaced by an active one.
    const disabled = { ...existing('t3', poll!.triggers[0]!), trigger_status: 'DISABLED' };
    expect(planTriggers([disabled], poll!.triggers)).toEqual({ remove: [disabled], create: poll!.triggers });
  });
});

describe('preflight: the functions\' own config checks, before a deploy changes anything', () => {
  const CHAINS = JSON.stringify([{ id: 'erp', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'i-1' }]);
  const withEnv = (environment: Record<string, string>, provider: Record<string, unknown> = {}) =>
    parseServiceSpec(config({ provider: { name: 'huawei', region: 'cn-north-4', environment, ...provider } }), PROJECT);

  it('accepts a complete environment', () => {
    expect(() => preflight(withEnv({ STATE_URL: 'rediss://:pw@dcs:6379', RESTORE_CHAINS: CHAINS, SMN_TOPIC_URN: `urn:smn:cn-north-4:${PROJECT}:oncall` }))).not.toThrow();
  });

  it('names what is missing or wrong', () => {
    expect(() => preflight(withEnv({ RESTORE_CHAINS: CHAINS }))).toThrow('cannot deploy on-backup-upload: STATE_URL is not set');
    expect(() => preflight(withEnv({ STATE_URL: 'file:.state/x.json', RESTORE_CHAINS: CHAINS }))).toThrow(/STATE_URL .*per instance/);
    expect(() => preflight(withEnv({ STATE_URL: 'redis://h:6379', RESTORE_CHAINS: '[{"id":"erp"}]' }))).toThrow(/cannot deploy on-backup-upload: RESTORE_CHAINS/);
    expect(() => preflight(withEnv({ STATE_URL: 'redis://h:6379', RESTORE_CHAINS: CHAINS }))).toThrow('cannot deploy poll-jobs: SMN_TOPIC_URN is required');
    const otherBucket = JSON.stringify([{ id: 'erp', bucket: 'elsewhere', prefix: 'erp/', targetInstanceId: 'i-1' }]);
    expect(() => preflight(withEnv({ STATE_URL: 'redis://h:6379', RESTORE_CHAINS: otherBucket }))).toThrow('has no chain in bucket mig-backups');
    expect(() => preflight(withEnv({ STATE_URL: 'redis://:50%off@h:6379', RESTORE_CHAINS: CHAINS }))).toThrow(/STATE_URL is not a valid redis:\/\/ URL \(percent-encode/);
  });

  it('per-chain SMN topics need no SMN_TOPIC_URN, even when serverless.yml passes it empty', () => {
    const chains = JSON.stringify([{ id: 'erp', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'i-1', smnTopicUrn: `urn:smn:cn-north-4:${PROJECT}:erp` }]);
    const environment = { STATE_URL: 'redis://h:6379', RESTORE_CHAINS: chains, SMN_TOPIC_URN: '', WATCH_DCS_TASK_IDS: '' };
    const functions = { 'poll-jobs': { events: [{ timer: { name: 'poll', schedule: '1m' } }] } };
    expect(() => preflight(parseServiceSpec(config({ provider: { name: 'huawei', region: 'cn-north-4', environment }, functions }), PROJECT))).not.toThrow();
  });

  const chains = (count: number) =>
    JSON.stringify(Array.from({ length: count }, (_, i) => ({ id: `chain-${i}`, bucket: 'mig-backups', prefix: `c${i}/`, targetInstanceId: `instance-${i}-0a3182607bc549bcb46cc9a8755761a6in04` })));
  const topic = `urn:smn:cn-north-4:${PROJECT}:oncall`;

  it('counts every key and value, plain and encrypted together, against the region\'s limit, and names both', () => {
    // 2048 characters in all, the encrypted STATE_URL included: 2049 is one too many.
    const base = { STATE_URL: 'redis://h:6379', RESTORE_CHAINS: chains(1), SMN_TOPIC_URN: topic };
    const spec = withEnv(base);
    const used = environmentSize(spec.functions[0]!.environment);
    const exact = withEnv({ ...base, LOG_LEVEL: 'x'.repeat(2048 - used - 'LOG_LEVEL'.length) });
    const [upload] = exact.functions;
    expect(environmentSize(upload!.environment)).toBe(2048);
    expect(() => preflight({ ...exact, functions: [upload!] })).not.toThrow();
    const over = withEnv({ ...base, LOG_LEVEL: 'x'.repeat(2049 - used - 'LOG_LEVEL'.length), STATE_URL: 'redis://:secret@h:6379' });
    expect(() => preflight(over)).toThrow(
      /cannot deploy on-backup-upload: environment is 20\d\d characters \(keys plus values, plain and encrypted together; RESTORE_CHAINS alone \d+\), and FunctionGraph allows 2048 in cn-north-4/,
    );
  });

  it('a region FunctionGraph lists with 4096 takes twice as much, once the deployer says so', () => {
    const environment = { STATE_URL: 'redis://h:6379', RESTORE_CHAINS: chains(20), SMN_TOPIC_URN: topic };
    expect(() => preflight(withEnv(environment))).toThrow(/allows 2048 in cn-north-4: shorten RESTORE_CHAINS; only if cn-north-4 is among the regions FunctionGraph lists with 4096/);
    expect(() => preflight(withEnv(environment, { environmentLimit: 4096 }))).not.toThrow();
    expect(() => preflight(withEnv({ ...environment, RESTORE_CHAINS: chains(40) }, { environmentLimit: 4096 }))).toThrow(/FunctionGraph allows 4096 in cn-north-4: shorten RESTORE_CHAINS$/);
    expect(() => withEnv(environment, { environmentLimit: 3000 })).toThrow(/provider\.environmentLimit/);
  });
});

describe('preflight with the chains in a configuration document (RESTORE_PILOT_CONFIG)', () => {
  const PATH = 'obs://rp-config/restore-pilot.json';
  const topic = `urn:smn:cn-north-4:${PROJECT}:oncall`;
  const sources = (count: number, bucket = 'mig-backups') =>
    Array.from({ length: count }, (_, i) => ({ id: `src-${i}`, bucket, prefix: `src${i}/`, targetInstanceId: `instance-${i}-0a3182607bc549bcb46cc9a8755761a6in04` }));
  const withEnv = (environment: Record<string, string>) => parseServiceSpec(config({ provider: { name: 'huawei', region: 'cn-north-4', environment } }), PROJECT);
  const pointer = { STATE_URL: 'rediss://:pw@dcs:6379', RESTORE_PILOT_CONFIG: PATH, RESTORE_CHAINS: '', SMN_TOPIC_URN: '' };
  const documents = (document: unknown) => new Map([[PATH, JSON.stringify(document)]]);

  it('200 sources in the document leave the environment far under 2048 characters', () => {
    const spec = withEnv(pointer);
    expect(() => preflight(spec, documents({ chains: sources(200), SMN_TOPIC_URN: topic }))).not.toThrow();
    expect(environmentSize(spec.functions[1]!.environment)).toBeLessThan(300);
  });

  it("checks the document as the functions will: its fields, its settings, its buckets against the OBS trigger's", () => {
    const spec = withEnv(pointer);
    const broken = sources(5);
    broken[3] = { ...broken[3]!, bucket: 'Mig_Backups' };
    expect(() => preflight(spec, documents({ chains: broken, SMN_TOPIC_URN: topic }))).toThrow(`cannot deploy on-backup-upload: RESTORE_PILOT_CONFIG ${PATH}: chains[3].bucket: may contain only`);
    expect(() => preflight(spec, documents({ chains: sources(2) }))).toThrow(`cannot deploy on-backup-upload: RESTORE_PILOT_CONFIG ${PATH}: SMN_TOPIC_URN: is required`);
    expect(() => preflight(spec, documents({ chains: sources(2, 'elsewhere'), SMN_TOPIC_URN: topic }))).toThrow(`cannot deploy on-backup-upload: RESTORE_PILOT_CONFIG ${PATH}: has no chain in bucket mig-backups`);
    expect(() => preflight(withEnv({ ...pointer, SMN_TOPIC_URN: topic }), documents({ chains: sources(2), SMN_TOPIC_URN: topic }))).toThrow(`SMN_TOPIC_URN: is set both in the environment and in ${PATH}`);
    expect(() => preflight(withEnv({ ...pointer, RESTORE_CHAINS: JSON.stringify(sources(1)) }), documents({ chains: sources(1), SMN_TOPIC_URN: topic }))).toThrow(
      'cannot deploy on-backup-upload: RESTORE_PILOT_CONFIG and RESTORE_CHAINS are both set',
    );
    expect(() => preflight(withEnv({ ...pointer, RESTORE_PILOT_CONFIG: 's3://x/y' }))).toThrow('cannot deploy on-backup-upload: RESTORE_PILOT_CONFIG must be obs://BUCKET/KEY');
  });

  it('still counts the environment against the limit, and says what belongs in the document', () => {
    const spec = withEnv({ ...pointer, WATCH_DCS_TASK_IDS: 'x'.repeat(2048) });
    expect(() => preflight(spec, documents({ chains: sources(1), SMN_TOPIC_URN: topic }))).toThrow(
      /environment is \d+ characters \(keys plus values, plain and encrypted together\), and FunctionGraph allows 2048 in cn-north-4: keep only pointers and secrets there: settings for all belong in the configuration document/,
    );
  });
});

describe('writeZip', () => {
  it('writes an archive that unzip extracts byte for byte, identical for identical input', () => {
    const files = [
      { name: 'index.js', data: Buffer.from('exports.handler = async () => "ok";\n'.repeat(200)) },
      { name: 'index.js.map', data: Buffer.from(JSON.stringify({ version: 3, mappings: 'AAAA' })) },
    ];
    const zip = writeZip(files);
    expect(writeZip(files).equals(zip)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'zip-test-'));
    writeFileSync(join(dir, 'code.zip'), zip);
    expect(execFileSync('unzip', ['-Z1', join(dir, 'code.zip')], { encoding: 'utf8' }).trim().split('\n')).toEqual(['index.js', 'index.js.map']);
    for (const file of files) {
      expect(execFileSync('unzip', ['-p', join(dir, 'code.zip'), file.name]).equals(file.data)).toBe(true);
    }
    expect(zip.length).toBeLessThan(files[0]!.data.length / 10);
  });
});
