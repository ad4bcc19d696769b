import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { startLocalCloud } from '../local-cloud/server';
import { DIST } from './children';
import { BrokenRun, BUCKET, chainFiles, deleteKeys, functionEnv, makeChains, statePrefix, uploadEvent } from './fixtures';
import { fmt, mark, ms, stat, type Check, type Stat } from './stats';

/** The promise to an operator running `status` in a loop at 3 a.m. */
export const BUDGET_MS = 300;
const CHAINS = 10;
const HOUR = 3_600_000;
const BIN = join(DIST, '../scripts/cli/restore-pilot.js');

export interface CliStartupResult {
  runs: number;
  statusMs: Stat;
  bareMs: Stat;
  drsCallsPerRun: number;
}

/** Wall time of one child process, from spawn to exit; a non-zero exit is a broken run. */
function timed(args: string[], env: Record<string, string>): Promise<{ ms: number; out: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const elapsed = performance.now() - start;
      if (error) reject(new BrokenRun(`${args.join(' ')} exited ${error.code}: ${(stderr || stdout).slice(0, 500)}`));
      else resolve({ ms: elapsed, out: stdout });
    });
  });
}

/**
 * `restore-pilot status` as an operator runs it (the bin, which runs the ahead-of-time build in
 * dist/cli/), a fresh process per run, against the local cloud and the real Redis: ${CHAINS} chains,
 * each with a full restoring and two logs queued, so every call connects to Redis, loads every chain
 * and reads each running job's status live from DRS. One warm-up call first (it writes V8's code
 * cache, as an operator's first call does); each run is paired with a bare `node -e ''`.
 */
export async function runCliStartup(runs: number): Promise<CliStartupResult> {
  const cloud = await startLocalCloud({ drs: { jobDurationMs: 24 * HOUR, precheckMs: 0 } });
  cloud.obs.createBucket(BUCKET);
  const prefix = statePrefix('cli');
  const chains = makeChains(CHAINS, cloud);
  const env = { PATH: process.env.PATH ?? '', ...functionEnv(cloud, prefix, chains, { LOG_LEVEL: 'error' }) };
  const upload = createUploadHandler({ env });
  try {
    const quiet = { getRemainingTimeInMilliSeconds: () => 60_000, getLogger: () => ({ info: () => undefined, warn: () => undefined, error: () => undefined }) };
    for (const key of chains.flatMap((chain) => chainFiles(chain, 3, false))) await upload(uploadEvent(cloud, key), quiet);
    if (cloud.drs.jobs.size !== CHAINS) throw new BrokenRun(`cli setup: ${cloud.drs.jobs.size} jobs created for ${CHAINS} chains`);

    const reads = cloud.requests.length;
    const warm = await timed([BIN, 'status'], env);
    const live = cloud.requests.slice(reads).filter((r) => r.operation === 'drs.getBackupMigrationJob' && r.status === 200).length;
    if (live !== CHAINS || !warm.out.includes(`0 restored, 1 in flight`)) throw new BrokenRun(`restore-pilot status did not read ${CHAINS} jobs live (${live}):\n${warm.out.slice(0, 1000)}`);
    const status: number[] = [];
    const bare: number[] = [];
    const before = cloud.requests.length;
    for (let run = 0; run < runs; run++) {
      // Alternate which goes first, so neither always meets a warmer or busier machine.
      const pair = [async () => status.push((await timed([BIN, 'status'], env)).ms), async () => bare.push((await timed(['-e', ''], env)).ms)];
      for (const step of run % 2 === 0 ? pair : pair.reverse()) await step();
    }
    const drsCalls = cloud.requests.slice(before).filter((r) => r.operation.startsWith('drs.')).length;
    return { runs, statusMs: stat(status), bareMs: stat(bare), drsCallsPerRun: drsCalls / runs };
  } finally {
    await upload.close();
    await cloud.close();
    await deleteKeys([prefix]);
  }
}

export function cliStartupSection(result: CliStartupResult, checks: Check[]): string[] {
  const ok = result.statusMs.median <= BUDGET_MS;
  checks.push({ name: 'restore-pilot status: process wall time', limit: `≤ ${BUDGET_MS} ms`, measured: ms(result.statusMs.median), ok });
  return [
    `### 5. Operator CLI start-up (${result.runs} runs)`,
    '',
    `\`restore-pilot status\` as \`npx restore-pilot status\` runs it (scripts/cli/restore-pilot.js, which runs the ahead-of-time build dist/cli/restore-pilot.js with V8's code cache), a fresh process per run, after one warm-up call: ${CHAINS} chains in the real Redis, each with a full restoring and two logs queued, every running job's status read live from the local cloud's DRS (${result.drsCallsPerRun} calls per run). Paired with a bare \`node -e ''\` in the same round. Budget: ≤ ${BUDGET_MS} ms.`,
    '',
    '| command | process wall time | bare node |',
    '| --- | --- | --- |',
    `| restore-pilot status | ${fmt(result.statusMs, ms)} ${mark(ok)} | ${fmt(result.bareMs, ms)} |`,
  ];
}
