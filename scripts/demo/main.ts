import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { createPollHandler } from '../../functions/poll-jobs/index';
import { parseChains } from '../../shared/chains/config';
import { FileStateStore } from '../../shared/state/file-store';
import { startLocalCloud } from '../local-cloud/server';
import { renderChain } from '../../shared/chains/view';

/**
 * `npm start`: the local cloud and both functions in one process, with the file state store, playing
 * a migration: a full and three log backups plus the final one, uploaded out of order, one precheck
 * failure fixed by a re-upload. `npm start -- --watch DIR` then keeps running and uploads every file
 * copied into DIR.
 */
const BUCKET = 'mig-backups';
const PREFIX = 'erp/';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const watchAt = args.indexOf('--watch');
  const watchDir = watchAt >= 0 ? args[watchAt + 1] : undefined;
  if (watchAt >= 0 && !watchDir) throw new Error('--watch needs a folder: npm start -- --watch ./backups');

  const cloud = await startLocalCloud({ drs: { jobDurationMs: 1_500, precheckMs: 400 } });
  mkdirSync('.state', { recursive: true });
  const chainsJson = JSON.stringify([{ id: 'erp-demo', bucket: BUCKET, prefix: PREFIX, targetInstanceId: '0a3182607bc549bcb46cc9a8755761a6in04', cutoverMarker: `${PREFIX}CUTOVER`, gapAlertMinutes: 600 }]);
  const env = {
    ...cloud.env(),
    STATE_URL: `file:.state/demo-${Date.now()}.json`,
    RESTORE_CHAINS: chainsJson,
    SMN_TOPIC_URN: `urn:smn:cn-north-4:${cloud.projectId}:restore-pilot-oncall`,
    RECONCILE_EVERY_MINUTES: '1',
    LOG_LEVEL: 'error',
  };
  const [chain] = parseChains(chainsJson);
  const quiet = { getLogger: () => ({ info: () => undefined, warn: () => undefined, error: (m: string) => process.stderr.write(`${m}\n`) }) };
  const upload = createUploadHandler({ env });
  const poll = createPollHandler({ env });

  let pagesShown = 0;
  const log: string[] = [];
  const put = async (name: string, note: string) => {
    const object = cloud.obs.put(BUCKET, `${PREFIX}${name}`);
    const record = { eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { bucket: { name: BUCKET }, object: { key: object.key, eTag: object.eTag, size: object.size, sequencer: object.sequencer } } };
    const summary = await upload({ Records: [record] }, quiet);
    const outcome = summary.records[0]!;
    log.push(`upload ${name}${note ? ` (${note})` : ''}: ${outcome.status} — ${outcome.reason}`);
  };
  const view = new FileStateStore(env.STATE_URL.slice('file:'.length));
  let lastScreen = '';
  const render = async () => {
    const state = await view.load(chain!.id);
    const screen = [
      'restore-pilot local demo — local cloud at ' + cloud.url,
      '',
      renderChain(chain!, state),
      '',
      'recent events:',
      ...log.slice(-8).map((line) => `  ${line}`),
    ];
    const text = screen.join('\n');
    if (text !== lastScreen) {
      if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      process.stdout.write(`${text}\n`);
      lastScreen = text;
    }
    for (; pagesShown < cloud.smn.messages.length; pagesShown++) {
      const page = cloud.smn.messages[pagesShown]!;
      log.push(`SMN page: ${page.subject}`);
      process.stdout.write(`\n┌─ SMN page to ${page.topicUrn}\n│ ${page.subject}\n${page.message.split('\n').map((l) => `│ ${l}`).join('\n')}\n└─\n`);
    }
    return state;
  };
  const tick = async () => {
    await poll({ trigger_type: 'TIMER', trigger_name: 'demo' }, quiet);
    return render();
  };

  cloud.drs.script('ERP_LOG_20261120020000.trn', { status: 'PRECHECK FAILED', errorLog: 'The backup file is incomplete (upload interrupted).' });
  await put('ERP_LOG_20261120020000.trn', 'log 2, before the full');
  await put('ERP_LOG_20261120010000.trn', 'log 1');
  await put('ERP_FULL_20261120000000.bak', 'the full');
  await put('ERP_LOG_20261120040000_FINAL.trn', 'the final log, early');
  await put('ERP_LOG_20261120030000.trn', 'log 3');
  let reuploaded = false;
  for (let i = 0; i < 60; i++) {
    const state = await tick();
    const failed = Object.values(state.files).find((f) => f.status === 'failed');
    if (failed && !reuploaded && cloud.smn.messages.length > 0) {
      reuploaded = true;
      await sleep(800);
      await put(failed.key.slice(PREFIX.length), 'the DBA fixes it and uploads again');
    }
    if (Object.values(state.files).some((f) => f.final && f.status === 'succeeded')) break;
    await sleep(700);
  }
  await tick();
  process.stdout.write(`\nDemo done: ${cloud.drs.jobs.size} DRS restore jobs, ${cloud.smn.messages.length} SMN messages.\n`);

  if (!watchDir) {
    await cloud.close();
    process.exit(0);
  }
  if (!existsSync(watchDir)) mkdirSync(watchDir, { recursive: true });
  process.stdout.write(`\nWatching ${watchDir}: files copied there are uploaded to ${BUCKET}/${PREFIX}. Ctrl-C to stop.\n`);
  const seen = new Map<string, number>();
  for (;;) {
    for (const name of readdirSync(watchDir)) {
      const stat = statSync(join(watchDir, name));
      if (!stat.isFile() || seen.get(name) === stat.mtimeMs) continue;
      seen.set(name, stat.mtimeMs);
      await put(name, 'from the watched folder');
    }
    await tick();
    await sleep(1_000);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  process.exit(1);
});
