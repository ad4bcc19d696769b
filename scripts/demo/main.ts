import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { createPollHandler } from '../../functions/poll-jobs/index';
import { parseChains } from '../../shared/chains/config';
import { loadSource, mergeChains } from '../../shared/state/source';
import { FileStateStore } from '../../shared/state/file-store';
import { startLocalCloud } from '../local-cloud/server';
import { SyntheticDatabase } from '../synthetic/backups';
import { eventLog, liveView } from './output';

/**
 * `npm start`: the local cloud and both functions in one process, with the file state store, playing
 * a migration of one SQL Server (Ola Hallengren's folder layout, two databases) with real-shaped
 * backups uploaded out of order: a differential and a second full the chain does not need, and a log
 * that arrives late, so the chain waits at the hole, pages, and heals by itself when it comes. Then
 * the cutover marker and the tail-log backups. `npm start -- --watch DIR` then keeps running and
 * uploads every file copied into DIR. In a terminal it draws a live view (colour unless `--no-color` or
 * NO_COLOR); piped or redirected, it prints an append-only event log (output.ts).
 */
const BUCKET = 'mig-backups';
const PREFIX = 'SQLPROD01/';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Demo time runs 300 times faster, so a page's grace period passes in seconds. */
const SPEED = 300;

/** One database's backups as Ola Hallengren's jobs name and file them. */
function olaFiles(db: SyntheticDatabase, steps: ('full' | 'log' | 'diff')[]): { key: string; bytes: Uint8Array; note: string }[] {
  return steps.map((step) => {
    const bytes = step === 'full' ? db.full() : step === 'diff' ? db.diff() : db.log();
    return { key: olaKey(db, step), bytes, note: step };
  });
}

/** `SQLPROD01/ERP/LOG/SQLPROD01_ERP_LOG_20261120_041500.trn`, stamped with when it was taken. */
function olaKey(db: SyntheticDatabase, step: 'full' | 'log' | 'diff'): string {
  const folder = step.toUpperCase();
  const stamp = db.lastTakenAt.replace(/[-:]/g, '').replace('T', '_');
  return `${PREFIX}${db.name}/${folder}/SQLPROD01_${db.name}_${folder}_${stamp}.${step === 'log' ? 'trn' : 'bak'}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const watchAt = args.indexOf('--watch');
  const watchDir = watchAt >= 0 ? args[watchAt + 1] : undefined;
  if (watchAt >= 0 && !watchDir) throw new Error('--watch needs a folder: npm start -- --watch ./backups');

  const cloud = await startLocalCloud({ drs: { jobDurationMs: 1_200, precheckMs: 400 } });
  mkdirSync('.state', { recursive: true });
  const chainsJson = JSON.stringify([{ id: 'sqlprod01', bucket: BUCKET, prefix: PREFIX, targetInstanceId: '0a3182607bc549bcb46cc9a8755761a6in04', cutoverMarker: `${PREFIX}CUTOVER`, gapAlertMinutes: 600 }]);
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
  const started = Date.now();
  const demoNow = () => started + (Date.now() - started) * SPEED;
  const upload = createUploadHandler({ env });
  const poll = createPollHandler({ env, now: demoNow });

  const header = `restore-pilot local demo — local cloud at ${cloud.url}`;
  const output = process.stdout.isTTY ? liveView(chain!, header, !args.includes('--no-color') && !process.env.NO_COLOR) : eventLog(chain!, header);
  let pagesShown = 0;
  const put = async (key: string, bytes: Uint8Array, note: string) => {
    const object = cloud.obs.put(BUCKET, key, { content: bytes });
    const record = { eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { bucket: { name: BUCKET }, object: { key: encodeURIComponent(object.key).replace(/%2F/g, '/'), eTag: object.eTag, size: object.size, sequencer: object.sequencer } } };
    const summary = await upload({ Records: [record] }, quiet);
    const outcome = summary.records[0]!;
    output.upload(key, note, outcome.status, outcome.reason);
  };
  const view = new FileStateStore(env.STATE_URL.slice('file:'.length));
  const render = async () => {
    const state = mergeChains(await loadSource(view, chain!));
    for (; pagesShown < cloud.smn.messages.length; pagesShown++) output.page(cloud.smn.messages[pagesShown]!);
    output.state(state, demoNow());
    return state;
  };
  const tick = async () => {
    await poll({ trigger_type: 'TIMER', trigger_name: 'demo' }, quiet);
    return render();
  };
  const settle = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      await sleep(700);
      await tick();
    }
  };

  const erp = new SyntheticDatabase('ERP', { server: 'SQLPROD01', firstVlf: 31 });
  const sales = new SyntheticDatabase('Sales', { server: 'SQLPROD01', firstVlf: 52 });
  const erpFiles = olaFiles(erp, ['full', 'log', 'diff', 'log', 'full', 'log', 'log', 'log']);
  const late = erpFiles[6]!;
  const salesFiles = olaFiles(sales, ['full', 'log', 'log', 'log']);
  // Shuffled, as a sync tool uploads a folder; one ERP log is held back.
  const shuffled = [...erpFiles.filter((f) => f !== late), ...salesFiles].sort((a, b) => (a.key.split('').reverse().join('') < b.key.split('').reverse().join('') ? -1 : 1));
  for (const file of shuffled) await put(file.key, file.bytes, file.note);
  await settle(12);
  await put(late.key, late.bytes, 'the missing log, late');
  await settle(8);
  await put(`${PREFIX}CUTOVER`, new Uint8Array(), 'cutover marker');
  for (const db of [erp, sales]) {
    const tail = db.log();
    await put(olaKey(db, 'log'), tail, 'tail-log backup');
  }
  for (let i = 0; i < 20; i++) {
    const state = await tick();
    if (Object.values(state.files).filter((f) => f.final && f.status === 'succeeded').length === 2) break;
    await sleep(700);
  }
  output.done(await tick(), demoNow(), `Demo done: ${cloud.drs.jobs.size} DRS restore jobs, ${cloud.smn.messages.length} SMN messages.`);

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
      await put(`${PREFIX}${name}`, new Uint8Array(readFileSync(join(watchDir, name))), 'from the watched folder');
    }
    await tick();
    await sleep(1_000);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  process.exit(1);
});
