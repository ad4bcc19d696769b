/**
 * `npm run bench [-- --quick] [-- --only=SECTION,…]`: cold start, upload burst, poll tick, client
 * throughput, the operator CLI's start-up, an estate of hundreds of databases, an idle tick against a
 * long history and a reconcile walk after state loss, each figure
 * the median of several runs with min–max, comparisons alternated within the run. Prints a markdown
 * table and writes it with the raw samples: full mode to scripts/bench/results.{md,json}, quick mode
 * (CI) to dist/bench/quick-results.{md,json}. Exits non-zero on a broken run (an error, a duplicate
 * job, a file not restored, a failed check of the estate or the walk), not on a missed budget.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { runBurst, type BurstOptions, type BurstRun, type BurstVariant } from './burst';
import { DIST } from './children';
import { cliStartupSection, runCliStartup } from './cli-startup';
import { runColdStart } from './cold-start';
import { runEstate, type EstateOptions } from './estate';
import { runHistory, type HistoryOptions } from './history';
import { runWalk, type WalkOptions } from './walk';
import { BrokenRun, REDIS_URL } from './fixtures';
import { headerReaderSection, runHeaderReader, type HeaderReaderOptions } from './header-reader';
import { runPollSetup, type PollOptions, type TickSample } from './poll';
import { burstSection, checksSection, coldStartSection, estateSection, historySection, pollSection, throughputSection, walkSection } from './report';
import type { Check } from './stats';
import { runThroughput, type ThroughputOptions } from './throughput';

interface Config {
  mode: 'quick' | 'full';
  coldStartRounds: number;
  burst: BurstOptions & { runs: number };
  poll: PollOptions & { setups: number; concurrencies: number[] };
  throughput: ThroughputOptions;
  headerReader: HeaderReaderOptions;
  cliRuns: number;
  estate: EstateOptions;
  history: HistoryOptions;
  walk: WalkOptions;
}

const FULL: Config = {
  mode: 'full',
  coldStartRounds: 15,
  burst: { chains: 100, filesPerChain: 10, redeliverShare: 0.1, concurrency: 50, latencyMs: 20, runs: 3 },
  poll: { chains: 500, latencyMs: 50, steadyTicks: 3, finishShare: 0.1, setups: 3, concurrencies: [8, 32] },
  throughput: { requests: 1000, concurrency: 8, rounds: 6, warmup: 1000 },
  headerReader: { rounds: 7, roundMs: 500 },
  cliRuns: 10,
  estate: { sources: 5, databasesPerSource: 100, logsPerDatabase: 20, redeliverShare: 0.1, concurrency: 50, latencyMs: 50 },
  history: { sources: 4, databasesPerSource: 50, longHistory: 3000, shortHistory: 10, batch: 100, rounds: 9, latencyMs: 50 },
  // 100,000 objects of ~4.6 KB: ~460 MB in the local OBS of this process. The deadline is the deployed timeout.
  walk: { databases: 100, filesPerDatabase: 1000, latencyMs: 20 },
};

const QUICK: Config = {
  mode: 'quick',
  coldStartRounds: 3,
  burst: { chains: 10, filesPerChain: 10, redeliverShare: 0.1, concurrency: 50, latencyMs: 20, runs: 1 },
  poll: { chains: 50, latencyMs: 50, steadyTicks: 2, finishShare: 0.1, setups: 1, concurrencies: [8, 32] },
  throughput: { requests: 100, concurrency: 8, rounds: 2, warmup: 100 },
  headerReader: { rounds: 3, roundMs: 200 },
  // The issue's figure is a median of 10 calls; they take a few seconds, so quick mode keeps them.
  cliRuns: 10,
  estate: { sources: 5, databasesPerSource: 10, logsPerDatabase: 20, redeliverShare: 0.1, concurrency: 50, latencyMs: 50 },
  history: { sources: 4, databasesPerSource: 5, longHistory: 3000, shortHistory: 10, batch: 100, rounds: 5, latencyMs: 50 },
  // A deadline short enough that the walk resumes from its cursor across ticks here too (20 s of it is the poller's margin).
  walk: { databases: 10, filesPerDatabase: 1000, latencyMs: 20, deadlineMs: 30_000 },
};

const log = (line: string) => process.stderr.write(`${line}\n`);

function environment() {
  const git = (command: string) => {
    try {
      return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    // BENCH_COMMIT names the commit when the bench runs from an exported tree (git archive) without .git.
    commit: git('git rev-parse --short HEAD') ?? process.env.BENCH_COMMIT,
    // The results files are what this run rewrites; any other change means the tree is not the commit.
    dirty: (git("git status --porcelain --untracked-files=no -- . ':!scripts/bench/results.md' ':!scripts/bench/results.json'") ?? '') !== '',
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const config = args.includes('--quick') ? QUICK : FULL;
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const wants = (section: string) => !only || only.includes(section);
  const started = Date.now();
  const env = environment();
  const checks: Check[] = [];
  const failures: string[] = [];
  const markdown: string[] = [];
  const json: Record<string, unknown> = { mode: config.mode, environment: env, config, redis: REDIS_URL };

  const section = async (name: string, run: () => Promise<string[]>) => {
    if (!wants(name)) return;
    log(`${name}…`);
    const t = Date.now();
    try {
      markdown.push(...(await run()), '');
    } catch (error) {
      const message = `${name}: ${(error as Error).stack ?? String(error)}`;
      failures.push(message);
      markdown.push(...(error instanceof BrokenRun && error.report ? [...error.report, ''] : []), `### ${name}: BROKEN RUN`, '', '```', (error as Error).message, '```', '');
      log(`BROKEN: ${message}`);
    }
    log(`${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };

  await section('cold-start', async () => {
    const result = await runColdStart(config.coldStartRounds, log);
    json.coldStart = result;
    return coldStartSection(result, checks);
  });

  await section('burst', async () => {
    const runs: BurstRun[] = [];
    json.burst = runs;
    for (let run = 0; run < config.burst.runs; run++) {
      // Alternate which transport goes first; both get the same shuffle in a round.
      const variants: BurstVariant[] = ['ours', 'hc', 'ours, node --liftoff-only'];
      for (const transport of run % 2 === 0 ? variants : [...variants].reverse()) {
        runs.push(await runBurst(transport, config.burst, 1000 + run));
        const last = runs.at(-1)!;
        log(`  burst ${transport} run ${run + 1}/${config.burst.runs}: ${Math.round(last.worker.wallMs)} ms, peak RSS ${Math.round(last.worker.maxRssKb / 1024)} MB`);
      }
    }
    return burstSection(runs, config.burst, checks);
  });

  await section('poll', async () => {
    const samples: TickSample[] = [];
    json.poll = samples;
    for (let setup = 0; setup < config.poll.setups; setup++) {
      const order = setup % 2 === 0 ? config.poll.concurrencies : [...config.poll.concurrencies].reverse();
      for (const concurrency of order) {
        const ticks = await runPollSetup(concurrency, config.poll, setup * config.poll.chains * config.poll.finishShare * config.poll.steadyTicks);
        samples.push(...ticks);
        log(`  poll POLL_CONCURRENCY=${concurrency} setup ${setup + 1}/${config.poll.setups}: ${ticks.map((t) => `${Math.round(t.wallMs)} ms/${t.calls} calls`).join(', ')}`);
      }
    }
    return pollSection(samples, config.poll, checks);
  });

  await section('throughput', async () => {
    const result = await runThroughput(config.throughput);
    json.throughput = result;
    return throughputSection(result, config.throughput);
  });

  await section('header-reader', async () => {
    const result = runHeaderReader(join(DIST, '../test/fixtures/mssql'), config.headerReader);
    json.headerReader = result;
    return headerReaderSection(result, config.headerReader, checks);
  });

  await section('cli', async () => {
    const result = await runCliStartup(config.cliRuns);
    json.cliStartup = result;
    return cliStartupSection(result, checks);
  });

  await section('estate', async () => {
    const run = await runEstate(config.estate, 7);
    json.estate = run;
    const { lines, broken } = estateSection(run, config.estate, checks);
    if (broken.length > 0) throw new BrokenRun(`estate: ${broken.join('; ')}`, lines);
    return lines;
  });

  await section('history', async () => {
    const run = await runHistory(config.history);
    json.history = run;
    return historySection(run, config.history, checks);
  });

  await section('walk', async () => {
    const run = await runWalk(config.walk);
    json.walk = run;
    const { lines, broken } = walkSection(run, config.walk, checks);
    if (broken.length > 0) throw new BrokenRun(`walk: ${broken.join('; ')}`, lines);
    return lines;
  });

  const header = [
    `## Benchmarks (\`npm run bench${config.mode === 'quick' ? ' -- --quick' : ''}\`)`,
    '',
    `${env.date.slice(0, 10)}, commit ${env.commit ?? '?'}${env.dirty ? ' with local changes' : ''}, Node ${env.node}, ${env.cpu}, ${env.memoryGb} GB; ${config.mode} mode, ${((Date.now() - started) / 1000).toFixed(0)} s. Each figure: median (min–max) over the runs; ✅/❌ against the budget or target.`,
    '',
  ];
  const all = [...header, ...checksSection(checks), '', ...markdown];
  if (failures.length > 0) all.push('**Broken runs:**', '', ...failures.map((f) => `- ${f.split('\n')[0]}`), '');
  const text = `${all.join('\n').trimEnd()}\n`;
  json.checks = checks;
  json.failures = failures;

  const outDir = config.mode === 'full' && !only ? join(DIST, '../scripts/bench') : join(DIST, 'bench');
  const base = config.mode === 'full' && !only ? 'results' : `${config.mode}-results`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${base}.md`), text);
  writeFileSync(join(outDir, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(text);
  log(`wrote ${join(outDir, base)}.{md,json}`);
  if (config.mode === 'full' && !only) updateReadme(text);
  if (failures.length > 0) {
    log(`${failures.length} broken section(s): exit 1`);
    return 1;
  }
  const missed = checks.filter((c) => !c.ok).length;
  if (missed > 0) log(`${missed} budget(s)/target(s) missed (reported, not a failure)`);
  return 0;
}

/** The README's Performance section carries the latest full table, between two markers. */
function updateReadme(results: string): void {
  const readme = join(DIST, '../README.md');
  const [start, end] = ['<!-- bench:start -->', '<!-- bench:end -->'];
  const text = readFileSync(readme, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    log(`README.md has no ${start} … ${end} block; the table was not copied there`);
    return;
  }
  // One heading level down: the README's section is the ## heading.
  const table = results.replace(/^(#{2,3}) /gm, '#$1 ');
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${table}${text.slice(to)}`);
  log('copied the table into README.md');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
