import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startLocalCloud } from '../local-cloud/server';
import { coldStart, DIST, type ColdStartSample } from './children';
import { BrokenRun, countByOperation, deleteKeys, functionEnv, makeChains, statePrefix } from './fixtures';
import { stat, type Stat } from './stats';

export const BUDGET = { loadOverheadMs: 30, rssOverheadKb: 25 * 1024, bundleBytes: 400 * 1024 };

interface Variant {
  name: string;
  function: 'on-backup-upload' | 'poll-jobs' | undefined;
  transport: 'ours' | 'hc' | undefined;
  bundle: string | undefined;
  /** A diagnostic variant: the same bundle under other node flags; no budget applies. */
  nodeFlags?: string[];
}

export interface ColdStartRow {
  name: string;
  function?: string;
  transport?: string;
  nodeFlags?: string[];
  bundle?: string;
  bytes?: number;
  gzipBytes?: number;
  wallMs: Stat;
  /** Paired per round with bare node: this run's wall time minus the same round's bare one. */
  overheadMs: Stat;
  requireMs: Stat;
  eventMs: Stat;
  /** Node starting until our script ran, plus its teardown after exit(). */
  restMs: Stat;
  maxRssKb: Stat;
  rssOverheadKb: Stat;
  /** API calls the first event made, per operation (every run the same). */
  apiCalls: Record<string, number>;
}

export interface ColdStartResult {
  rounds: number;
  rows: ColdStartRow[];
}

const VARIANTS: Variant[] = [
  { name: "bare node -e ''", function: undefined, transport: undefined, bundle: undefined },
  { name: 'on-backup-upload', function: 'on-backup-upload', transport: 'ours', bundle: join(DIST, 'on-backup-upload/index.js') },
  { name: 'on-backup-upload, HcClient baseline', function: 'on-backup-upload', transport: 'hc', bundle: join(DIST, 'bench/baseline/on-backup-upload.js') },
  { name: 'poll-jobs', function: 'poll-jobs', transport: 'ours', bundle: join(DIST, 'poll-jobs/index.js') },
  { name: 'poll-jobs, HcClient baseline', function: 'poll-jobs', transport: 'hc', bundle: join(DIST, 'bench/baseline/poll-jobs.js') },
  // V8 compiles undici's llhttp WebAssembly parser with TurboFan in the background once it runs; this
  // row shows what that costs (peak RSS, and the exit waiting for the compile) by keeping it on Liftoff.
  { name: 'poll-jobs, diagnostic: node --liftoff-only', function: 'poll-jobs', transport: 'ours', bundle: join(DIST, 'poll-jobs/index.js'), nodeFlags: ['--liftoff-only'] },
];

/** The cheapest first event each function answers: an OBS event without records; a TIMER tick over one empty chain. */
const EVENTS = {
  'on-backup-upload': { Records: [] },
  'poll-jobs': { version: 'v1.0', time: '2026-11-20T00:00:00Z', trigger_type: 'TIMER', trigger_name: 'bench', user_event: '' },
};

function checkAnswer(variant: Variant, sample: ColdStartSample): void {
  const result = sample.result as { records?: unknown[]; errors?: unknown[]; reconciled?: number } | undefined;
  if (variant.function === 'on-backup-upload' && !(Array.isArray(result?.records) && result.records.length === 0)) {
    throw new BrokenRun(`${variant.name}: unexpected answer to an empty OBS event: ${JSON.stringify(result)}`);
  }
  if (variant.function === 'poll-jobs' && !(Array.isArray(result?.errors) && result.errors.length === 0 && result.reconciled === 1)) {
    throw new BrokenRun(`${variant.name}: unexpected first tick: ${JSON.stringify(result)}`);
  }
}

/**
 * Every round starts one fresh process per variant, in an order rotated each round, so a slow moment
 * of the machine hits every variant alike; overheads are paired with the same round's bare node.
 */
export async function runColdStart(rounds: number, log: (line: string) => void): Promise<ColdStartResult> {
  const cloud = await startLocalCloud();
  cloud.obs.createBucket('bench-backups');
  const chains = makeChains(1, cloud);
  const prefixes: string[] = [];
  const samples = new Map<string, ColdStartSample[]>(VARIANTS.map((v) => [v.name, []]));
  const calls = new Map<string, Record<string, number>>();
  try {
    for (let round = 0; round < rounds; round++) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      for (const variant of order) {
        // A fresh state per run: the first tick of a new deployment reconciles, later ones would not.
        const prefix = statePrefix('cold');
        prefixes.push(prefix);
        const mark = cloud.requests.length;
        const event = variant.function ? EVENTS[variant.function] : {};
        const sample = await coldStart(variant.bundle, event, functionEnv(cloud, prefix, chains), variant.nodeFlags);
        checkAnswer(variant, sample);
        const made = countByOperation(cloud.requests.slice(mark));
        const previous = calls.get(variant.name);
        if (previous && JSON.stringify(previous) !== JSON.stringify(made)) {
          throw new BrokenRun(`${variant.name}: the first event made different API calls from one run to the next: ${JSON.stringify(previous)} vs ${JSON.stringify(made)}`);
        }
        calls.set(variant.name, made);
        samples.get(variant.name)!.push(sample);
      }
      log(`  cold start round ${round + 1}/${rounds}`);
    }
  } finally {
    await cloud.close();
    await deleteKeys(prefixes);
  }
  for (const fn of ['on-backup-upload', 'poll-jobs']) {
    const [ours, hc] = ['ours', 'hc'].map((t) => VARIANTS.find((v) => v.function === fn && v.transport === t && !v.nodeFlags)!.name);
    if (JSON.stringify(calls.get(ours!)) !== JSON.stringify(calls.get(hc!))) {
      throw new BrokenRun(`${fn}: the baseline made other API calls than ours: ${JSON.stringify(calls.get(hc!))} vs ${JSON.stringify(calls.get(ours!))}`);
    }
  }
  const bare = samples.get(VARIANTS[0]!.name)!;
  const rows = VARIANTS.map((variant): ColdStartRow => {
    const runs = samples.get(variant.name)!;
    const size = variant.bundle ? statSync(variant.bundle).size : undefined;
    return {
      name: variant.name,
      ...(variant.function ? { function: variant.function, transport: variant.transport } : {}),
      ...(variant.nodeFlags ? { nodeFlags: variant.nodeFlags } : {}),
      ...(variant.bundle ? { bundle: variant.bundle.slice(DIST.length - 'dist'.length), bytes: size, gzipBytes: gzipSync(readFileSync(variant.bundle)).length } : {}),
      wallMs: stat(runs.map((s) => s.wallMs)),
      overheadMs: stat(runs.map((s, i) => s.wallMs - bare[i]!.wallMs)),
      requireMs: stat(runs.map((s) => s.requireMs)),
      eventMs: stat(runs.map((s) => s.eventMs)),
      restMs: stat(runs.map((s) => s.restMs)),
      maxRssKb: stat(runs.map((s) => s.maxRssKb)),
      rssOverheadKb: stat(runs.map((s, i) => s.maxRssKb - bare[i]!.maxRssKb)),
      apiCalls: calls.get(variant.name) ?? {},
    };
  });
  return { rounds, rows };
}
