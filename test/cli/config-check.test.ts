import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { testStateUrl } from '../support/redis';

const CLI = join(resolve(__dirname, '../..'), 'scripts/cli/restore-pilot.js');
const dir = mkdtempSync(join(tmpdir(), 'rp-config-check-'));
const TOPIC = 'urn:smn:cn-north-4:054ba152d480d55b2f5dc0069e7ddef0:oncall';
const source = (i: number) => ({ id: `src-${i}`, bucket: 'mig-backups', prefix: `src${i}/`, targetInstanceId: `rds-${i}-in04` });

/** `npx restore-pilot …` as an operator runs it, through the ahead-of-time build. */
function restorePilot(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }, (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, out: stdout + stderr }));
  });
}
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

let p: Pipeline | undefined;
afterEach(async () => {
  await p?.close();
  p = undefined;
});

describe('restore-pilot config check FILE', () => {
  it('a valid document: exit 0, its chains and settings listed; no environment needed', async () => {
    const path = file('good.json', { chains: [source(0), source(1)], SMN_TOPIC_URN: TOPIC, POLL_CONCURRENCY: 16, WATCH_DCS_TASK_IDS: ['t1', 't2'] });
    const result = await restorePilot(['config', 'check', path]);
    expect(result.code).toBe(0);
    // (stderr may first say the CLI was rebuilt, after an edit of its sources)
    expect(result.out).toContain(`${path}: valid: 2 chain(s) (src-0, src-1); settings: SMN_TOPIC_URN, WATCH_DCS_TASK_IDS, POLL_CONCURRENCY\n`);
  });

  it('an invalid document: exit 1 with the field named as the functions would name it', async () => {
    const cases: [unknown, RegExp][] = [
      [{ chains: [source(0), source(1), source(2), { ...source(3), bucket: 'Mig_Backups' }], SMN_TOPIC_URN: TOPIC }, /chains\[3\]\.bucket: may contain only lowercase/],
      [{ chains: [source(0), { ...source(1), prefix: 'src0/x/' }], SMN_TOPIC_URN: TOPIC }, /chains\[1\]\.prefix: overlaps chain "src-0"/],
      [{ chains: [source(0)], SMN_TOPIC_URN: TOPIC, POLL_CONCURRENCY: 500 }, /: POLL_CONCURRENCY: /],
      [{ chains: [source(0)] }, /: SMN_TOPIC_URN: is required/],
      [{ chains: [source(0)], SMN_TOPIC_URN: TOPIC, STATE_URL: 'redis://:hunter2-pw@h:6379' }, /: STATE_URL: belongs in the environment/],
      [{ chains: [source(0)], SMN_TOPIC_URN: TOPIC, SMN_TOPIC: TOPIC }, /: SMN_TOPIC: is not a key of the document/],
      ['{"chains": [', /: document: is not valid JSON/],
    ];
    for (const [i, [content, message]] of cases.entries()) {
      const path = file(`bad-${i}.json`, content);
      const result = await restorePilot(['config', 'check', path]);
      expect(result.code, result.out).toBe(1);
      expect(result.out).toMatch(message);
      expect(result.out).toContain(`restore-pilot: ${path}: `);
      expect(result.out).not.toContain('hunter2-pw');
    }
    // A setting the environment also sets is an error naming both places, as in the functions.
    const both = await restorePilot(['config', 'check', file('both.json', { chains: [source(0)], SMN_TOPIC_URN: TOPIC })], { SMN_TOPIC_URN: TOPIC });
    expect(both).toMatchObject({ code: 1 });
    expect(both.out).toContain('SMN_TOPIC_URN: is set both in the environment and in');
  });

  it('usage: --help exits 0; a missing FILE, an unreadable one or another subcommand exits 2', async () => {
    const help = await restorePilot(['config', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: restore-pilot config check FILE');
    expect((await restorePilot(['--help'])).out).toContain('config check FILE');
    expect((await restorePilot(['config', 'check'])).code).toBe(2);
    expect((await restorePilot(['config', 'lint', 'x.json'])).code).toBe(2);
    const missing = await restorePilot(['config', 'check', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('cannot read');
  });

  it('the other commands read the chains from the document RESTORE_PILOT_CONFIG names', async () => {
    p = await startPipeline({ configDocument: (topicUrn) => ({ chains: [source(0)], SMN_TOPIC_URN: topicUrn }) });
    await p.handler(p.upload('src0/ERP_FULL_20261120000000.bak'));
    const status = await restorePilot(['status', '--json'], { ...p.cloud.env(), STATE_URL: testStateUrl(p.keyPrefix), RESTORE_PILOT_CONFIG: p.configPath });
    expect(status.code, status.out).toBe(0);
    expect(JSON.parse(status.out).chains.map((c: { id: string }) => c.id)).toEqual(['src-0']);
  });
});
