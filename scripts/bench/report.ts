import { HEADER_READ_MAX_BYTES, type BurstRun } from './burst';
import { BUDGET, type ColdStartResult } from './cold-start';
import { estateChecks, type EstateOptions, type EstateRun } from './estate';
import type { HistoryOptions, HistoryRun, HistoryVariant } from './history';
import type { WalkOptions, WalkRun, WalkTick } from './walk';
import type { TickSample } from './poll';
import { fmt, int, mark, mib, ms, num, stat, type Check, type Stat } from './stats';
import type { ThroughputResult } from './throughput';
import { DEFAULT_POLL_CONCURRENCY } from '../../shared/poller/config';

export const TARGET = { burstRssKb: 96 * 1024, readsPerFile: 2, tickMs: 2_000 };

const table = (header: string[], rows: string[][]) => [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
const kb = (bytes: number) => `${int(bytes / 1024)} KB`;
const calls = (byOperation: Record<string, number>) =>
  Object.entries(byOperation)
    .map(([op, n]) => `${n} ${op}`)
    .join(', ') || 'none';

export function coldStartSection(result: ColdStartResult, checks: Check[]): string[] {
  const rows = result.rows.map((row) => {
    const ours = row.transport === 'ours' && !row.nodeFlags;
    const bytesOk = row.bytes === undefined || row.bytes <= BUDGET.bundleBytes;
    const loadOk = row.overheadMs.median <= BUDGET.loadOverheadMs;
    const rssOk = row.rssOverheadKb.median <= BUDGET.rssOverheadKb;
    if (ours) {
      checks.push(
        { name: `${row.name}: bundle size`, limit: `≤ ${kb(BUDGET.bundleBytes)}`, measured: kb(row.bytes!), ok: bytesOk },
        { name: `${row.name}: load + first event over bare node`, limit: `≤ ${BUDGET.loadOverheadMs} ms`, measured: ms(row.overheadMs.median), ok: loadOk },
        { name: `${row.name}: peak RSS over bare node`, limit: `≤ ${mib(BUDGET.rssOverheadKb)}`, measured: mib(row.rssOverheadKb.median), ok: rssOk },
      );
    }
    const flag = (ok: boolean) => (ours ? ` ${mark(ok)}` : '');
    const first = row.transport ? `${ms(row.requireMs.median)} + ${ms(row.eventMs.median)} + ${ms(row.restMs.median)}` : `${ms(row.restMs.median)}`;
    return [
      row.name,
      row.bytes === undefined ? '–' : `${kb(row.bytes)} (${kb(row.gzipBytes!)} gz)${flag(bytesOk)}`,
      fmt(row.wallMs, ms),
      row.transport ? `${fmt(row.overheadMs, ms)}${flag(loadOk)}` : '–',
      first,
      fmt(row.maxRssKb, mib),
      row.transport ? `${fmt(row.rssOverheadKb, mib)}${flag(rssOk)}` : '–',
      row.transport ? calls(row.apiCalls) : '–',
    ];
  });
  return [
    `### 1. Cold start (${result.rounds} rounds)`,
    '',
    `A fresh \`node\` process per run loads the bundle and answers a first event (on-backup-upload: an OBS event with no records; poll-jobs: the first TIMER tick of a deployment, one chain, which reconciles its OBS prefix), then exits. "Over bare node" is paired with the same round's \`node -e ''\`; the breakdown (medians) is measured inside the child, node's own start and teardown being the rest of the wall time. Budgets (our bundles): ≤ ${kb(BUDGET.bundleBytes)}, ≤ ${BUDGET.loadOverheadMs} ms, ≤ ${mib(BUDGET.rssOverheadKb)}.`,
    '',
    ...table(['bundle', 'size', 'process wall time', 'over bare node', 'require + first event + node start/exit', 'peak RSS', 'over bare node', 'API calls of the first event'], rows),
  ];
}

export function burstSection(runs: BurstRun[], options: { chains: number; filesPerChain: number; concurrency: number; latencyMs: number; redeliverShare: number }, checks: Check[]): string[] {
  const rows: string[][] = [];
  for (const transport of ['ours', 'hc', 'ours, node --liftoff-only'] as const) {
    const mine = runs.filter((r) => r.transport === transport);
    if (mine.length === 0) continue;
    const wall = stat(mine.map((r) => r.worker.wallMs));
    const rss = stat(mine.map((r) => r.worker.maxRssKb));
    const rssLoad = stat(mine.map((r) => r.worker.rssAfterLoadKb));
    const cpu = stat(mine.map((r) => r.worker.cpuMs / r.worker.deliveries));
    const readsMax = Math.max(...mine.map((r) => r.readsPerFile.max));
    const readsMean = stat(mine.map((r) => r.readsPerFile.mean));
    const duplicates = mine.reduce((sum, r) => sum + r.duplicates, 0);
    const steps = { min: Math.min(...mine.map((r) => r.createsPerStep.min)), max: Math.max(...mine.map((r) => r.createsPerStep.max)) };
    const stepsOk = steps.min === 1 && steps.max === 1;
    const headers = mine.map((r) => r.headerReads);
    const alone = { min: Math.min(...headers.map((h) => h.alone.min)), max: Math.max(...headers.map((h) => h.alone.max)) };
    const ranges = [...new Set(headers.flatMap((h) => h.ranges))].join(', ');
    const rangedOk = headers.every((h) => h.unranged === 0 && h.min >= 1) && alone.min === 1 && alone.max === 1;
    const redeliveryReads = headers.reduce((sum, h) => sum + h.redeliveryReads, 0);
    const redeliveries = headers.reduce((sum, h) => sum + h.redeliveries, 0);
    const overlapping = headers.reduce((sum, h) => sum + h.overlapping, 0);
    const retryReads = headers.reduce((sum, h) => sum + h.retryReads, 0);
    const ours = transport === 'ours';
    const flag = (ok: boolean) => (ours ? ` ${mark(ok)}` : '');
    if (ours) {
      checks.push(
        { name: 'upload burst: creates per restore step', limit: 'exactly 1', measured: `${steps.min}–${steps.max}`, ok: stepsOk },
        {
          name: 'upload burst: ranged header reads per file version',
          limit: `exactly 1, ≤ ${kb(HEADER_READ_MAX_BYTES)} from byte 0`,
          measured: `${alone.min}–${alone.max} (${ranges})${retryReads > 0 ? `; +${retryReads} by retries after a failed delivery or deliveries in flight together (${overlapping})` : ''}`,
          ok: rangedOk,
        },
        { name: 'upload burst: header reads for redelivered events', limit: '0', measured: `${redeliveryReads} on ${redeliveries} redeliveries`, ok: redeliveryReads === 0 },
        { name: 'upload burst: reads per file', limit: `≤ ${TARGET.readsPerFile}`, measured: `max ${readsMax}`, ok: readsMax <= TARGET.readsPerFile },
        { name: 'upload burst: duplicate jobs', limit: '0', measured: String(duplicates), ok: duplicates === 0 },
        { name: 'upload burst: peak RSS', limit: `≤ ${mib(TARGET.burstRssKb)}`, measured: mib(rss.median), ok: rss.median <= TARGET.burstRssKb },
      );
    }
    const burstOps = mine[0]!.burstCalls;
    rows.push([
      transport === 'hc' ? 'HcClient baseline' : transport === 'ours' ? 'ours' : `diagnostic: ${transport}`,
      fmt(wall, ms),
      fmt(stat(mine.map((r) => r.worker.deliveries / (r.worker.wallMs / 1000))), int),
      fmt(cpu, num(2)) + ' ms',
      `${fmt(rss, mib)}${flag(rss.median <= TARGET.burstRssKb)}`,
      fmt(rssLoad, mib),
      `${mib(stat(mine.map((r) => r.worker.memoryPeaksKb.heapUsed ?? NaN)).median)} / ${mib(stat(mine.map((r) => r.worker.memoryPeaksKb.heapTotal ?? NaN)).median)}`,
      `${stepsOk ? 'exactly 1' : `${steps.min}–${steps.max}`}${flag(stepsOk)}`,
      `${alone.min === alone.max ? alone.min : `${alone.min}–${alone.max}`}${flag(rangedOk)}; mean ${num(2)(headers.reduce((sum, h) => sum + h.mean, 0) / headers.length)} with ${overlapping} duplicate(s) in flight`,
      `${redeliveryReads} on ${redeliveries}${flag(redeliveryReads === 0)}`,
      `${fmt(readsMean, num(2))}, max ${readsMax}${flag(readsMax <= TARGET.readsPerFile)}`,
      `${duplicates}${flag(duplicates === 0)}`,
      String(mine.reduce((sum, r) => sum + r.worker.redelivered, 0)),
      calls(burstOps),
    ]);
  }
  const sample = runs[0]!;
  return [
    `### 2. Upload burst (${runs.filter((r) => r.transport === 'ours').length} run(s) per variant, alternating)`,
    '',
    `${int(sample.files)} backup files over ${options.chains} chains (${options.filesPerChain} per chain: a full, logs, the _FINAL log; shuffled) plus ${Math.round(options.redeliverShare * 100)}% of the events delivered twice, ${options.concurrency} invocations in flight in one child process running the bundle, ${options.latencyMs} ms injected latency on every API call, the real Redis. Per file over its whole life: the burst, then poller ticks (${sample.drainTicks}) until every chain restored its final log. Each file is a synthetic SQL Server backup (scripts/synthetic/backups.ts) whose header the upload handler reads with one ranged GetObject (${[...new Set(runs.flatMap((r) => r.headerReads.ranges))].join(', ') || 'none'}); every version must be read exactly once, whether its duplicate event arrives while the first delivery is in flight (the read happens under the chain lock) or after it was recorded; only a retry after a failed delivery may read again. The run fails on any duplicate or failed job, file not restored, read not ranged to ≤ ${kb(HEADER_READ_MAX_BYTES)}, read of a recorded version, or restore step with other than one create request.`,
    '',
    ...table(['transport', 'burst wall time', 'events/s', 'CPU per event', 'peak RSS', 'RSS after load', 'JS heap used / total (peak)', 'creates per restore step', 'ranged header reads per file version', 'header reads on redeliveries', 'DRS reads per file (mean, max)', 'duplicate jobs', 'redeliveries (handler threw)', 'API calls in the burst (1 run)'], rows),
    '',
    `Whole life, one run (ours): ${calls(runs.find((r) => r.transport === 'ours')?.lifeCalls ?? {})}.`,
  ];
}

export function pollSection(samples: TickSample[], options: { chains: number; latencyMs: number; finishShare: number }, checks: Check[]): string[] {
  const rows: string[][] = [];
  const concurrencies = [...new Set(samples.map((s) => s.concurrency))];
  for (const c of concurrencies) {
    const steady = samples.filter((s) => s.concurrency === c && !s.first);
    const first = samples.filter((s) => s.concurrency === c && s.first);
    const wall = stat(steady.map((s) => s.wallMs));
    const overBound = steady.filter((s) => s.calls > s.bound).length;
    const wallOk = wall.median <= TARGET.tickMs;
    // The target is the shipped setting's; other settings are shown for comparison.
    const shipped = c === DEFAULT_POLL_CONCURRENCY;
    if (shipped) checks.push({ name: `poll tick at POLL_CONCURRENCY ${c} (default): wall time`, limit: `≤ ${ms(TARGET.tickMs)}`, measured: ms(wall.median), ok: wallOk });
    checks.push({ name: `poll tick at POLL_CONCURRENCY ${c}: calls per tick`, limit: '≤ in-flight + advanced + pages', measured: `${steady.length - overBound}/${steady.length} ticks within`, ok: overBound === 0 });
    rows.push([
      shipped ? `${c} (default)` : String(c),
      shipped ? `${fmt(wall, ms)} ${mark(wallOk)}` : fmt(wall, ms),
      `${fmt(stat(steady.map((s) => s.calls)), int)} ≤ ${fmt(stat(steady.map((s) => s.bound)), int)} ${mark(overBound === 0)}`,
      calls(steady[0]?.byOperation ?? {}),
      fmt(stat(steady.map((s) => s.cpuMs)), ms),
      fmt(stat(first.map((s) => s.wallMs)), ms),
      `${fmt(stat(first.map((s) => s.calls)), int)}: ${calls(first[0]?.byOperation ?? {})}`,
      fmt(stat(samples.filter((s) => s.concurrency === c).map((s) => s.maxRssKb)), mib),
    ]);
  }
  const inFlight = samples.find((s) => !s.first)?.inFlight ?? options.chains;
  return [
    `### 3. Poll tick (${samples.filter((s) => s.first).length / Math.max(1, concurrencies.length)} setup(s) per setting, alternating)`,
    '',
    `${int(inFlight)} DRS jobs in flight (${options.chains} chains, one running restore each, logs queued), ${options.latencyMs} ms injected latency on every API call, the poll-jobs bundle in a child process. Before each steady tick ${Math.round(options.finishShare * 100)}% of the jobs finish, so those chains advance (one read and one create each). The first tick of a fresh instance also reconciles every chain (one OBS list each). Target: a steady tick ≤ ${ms(TARGET.tickMs)}; calls ≤ in-flight jobs + chains advanced + pages.`,
    '',
    ...table(['POLL_CONCURRENCY', 'steady tick wall time', 'calls per steady tick ≤ bound', 'steady tick calls', 'CPU per steady tick', 'first tick wall time', 'first tick calls', 'peak RSS'], rows),
  ];
}

export function throughputSection(result: ThroughputResult, options: { requests: number; concurrency: number; rounds: number }): string[] {
  const rows: string[][] = [];
  for (const op of ['get', 'list', 'create'] as const) {
    const of = (client: string) => result.samples.filter((s) => s.op === op && s.client === client);
    const rps = (s: { requests: number; wallMs: number }) => s.requests / (s.wallMs / 1000);
    const cpu = (s: { requests: number; cpuUs: number }) => s.cpuUs / s.requests;
    const [ours, hc] = [of('ours'), of('hc')];
    // Paired per round: the two clients ran back to back.
    const rpsRatio = stat(ours.map((s, i) => rps(s) / rps(hc[i]!)));
    const cpuRatio = stat(ours.map((s, i) => cpu(s) / cpu(hc[i]!)));
    rows.push([
      op,
      fmt(stat(ours.map(rps)), int),
      fmt(stat(hc.map(rps)), int),
      `${fmt(rpsRatio, num(2))}×`,
      fmt(stat(ours.map(cpu)), int),
      fmt(stat(hc.map(cpu)), int),
      `${fmt(cpuRatio, num(2))}×`,
    ]);
  }
  return [
    `### 4. Client throughput (${options.rounds} rounds)`,
    '',
    `DRS get / list (limit 10) / create through \`createHuaweiClient\` and through the same client with the HcClient transport, ${options.requests} requests per sample, ${options.concurrency} in flight, one child process for both (alternating which goes first), the local cloud without injected latency in the parent process. CPU is the client process's user + system time per request. Ratios are ours ÷ HcClient, paired per round: requests/s above 1× and CPU below 1× favour ours.`,
    '',
    ...table(['operation', 'ours req/s', 'HcClient req/s', 'req/s ratio', 'ours CPU µs/req', 'HcClient CPU µs/req', 'CPU ratio'], rows),
  ];
}

export function checksSection(checks: Check[]): string[] {
  return [
    '### Budgets and targets',
    '',
    ...table(
      ['', 'budget / target', 'measured (median)', ''],
      checks.map((c) => [c.name, c.limit, c.measured, mark(c.ok)]),
    ),
  ];
}

export type { Stat };

export function estateSection(run: EstateRun, options: EstateOptions, checks: Check[]): { lines: string[]; broken: string[] } {
  const estate = estateChecks(run);
  checks.push(...estate.map((c) => ({ ...c, name: `estate: ${c.name}` })));
  const steady = run.ticks.slice(1);
  const first = run.ticks[0]!;
  const by = (name: string) => estate.find((c) => c.name === name)!;
  const cell = (name: string) => `${by(name).measured} ${mark(by(name).ok)}`;
  const perDb = (bytes: number) => `${(bytes / run.databases / 1024).toFixed(2)} KB`;
  const lines = [
    `### 6. Estate (1 run, ${int(run.ticks.length)} ticks)`,
    '',
    `${int(run.databases)} databases over ${options.sources} sources (Ola Hallengren's folders, each its own target instance), each 1 full + ${options.logsPerDatabase} logs: ${int(run.files)} synthetic backups uploaded as one shuffled burst with ${Math.round(options.redeliverShare * 100)}% of the events delivered twice (${int(run.deliveries)} deliveries, ${options.concurrency} in flight, the upload bundle in a child process), ${options.latencyMs} ms injected latency on every cloud call. Then the poll-jobs bundle in a child process (its deployed timeout, ${run.poller.timeoutMs / 1000} s, as the deadline) ticks until every file is restored; DRS finishes every running job between ticks, so an instance restores at most MAX_JOBS_PER_INSTANCE (${run.limit}) files a tick. Steady ticks are all but the first (which also walks each source's prefix once). Redis memory: the sum of \`MEMORY USAGE key SAMPLES 0\` over every key of the run after it, per database. The run fails if any of these checks fails.`,
    '',
    ...table(
      ['burst wall time', 'first tick', 'steady tick wall time', 'steady tick max', 'CPU per steady tick', 'creates per restore step', 'peak jobs in flight per instance', 'Redis per database', 'poller peak RSS'],
      [
        [
          `${ms(run.burst.wallMs)} (${int(run.burst.redelivered)} thrown and redelivered)`,
          `${ms(first.wallMs)}, ${int(first.calls)} calls`,
          `${fmt(stat(steady.map((t) => t.wallMs)), ms)} ${mark(by('steady tick wall time, median').ok)}`,
          `${ms(Math.max(...steady.map((t) => t.wallMs)))} ${mark(by('steady tick wall time, max').ok)}`,
          fmt(stat(steady.map((t) => t.cpuMs)), ms),
          cell('creates per restore step'),
          `${Object.values(run.peakInFlight).join(', ')} (limit ${run.limit}) ${mark(by('jobs in flight per instance').ok)}`,
          cell('Redis memory per database'),
          cell('poller peak RSS'),
        ],
      ],
    ),
    '',
    `Redis after the run: ${int(run.redis.keys)} keys, ${mib(run.redis.bytes / 1024)}; per database ${Object.entries(run.redis.byKind)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, bytes]) => `${kind} ${perDb(bytes)}`)
      .join(', ')}. Per steady tick: ${fmt(stat(steady.map((t) => t.jobsChecked)), int)} jobs checked, ${fmt(stat(steady.map((t) => t.creates)), int)} creates, ${fmt(stat(steady.map((t) => t.calls)), int)} cloud calls. Burst calls: ${calls(run.burst.calls)}. Whole life: ${calls(run.lifeCalls)}.`,
  ];
  return { lines, broken: estate.filter((c) => !c.ok).map((c) => `${c.name}: ${c.measured} (limit ${c.limit})`) };
}

export const HISTORY_RATIO_BUDGET = 2;

export function historySection(run: HistoryRun, options: HistoryOptions, checks: Check[]): string[] {
  const { long, short } = run;
  const wall = (v: HistoryVariant) => stat(v.ticks.map((t) => t.wallMs));
  const ratio = wall(long).median / wall(short).median;
  // Paired per round: the two ticks ran back to back.
  const paired = stat(long.ticks.map((t, i) => t.wallMs / short.ticks[i]!.wallMs));
  const ok = ratio <= HISTORY_RATIO_BUDGET;
  checks.push({ name: `idle tick, ${int(long.files)} vs ${int(short.files)} finished files per database`, limit: `≤ ${HISTORY_RATIO_BUDGET}×`, measured: `${num(2)(ratio)}× (${ms(wall(long).median)} vs ${ms(wall(short).median)})`, ok });
  const row = (v: HistoryVariant) => [
    int(v.files),
    ms(v.buildMs),
    String(v.redis.maxFilesPerChain),
    `${(v.redis.bytes / run.databases / 1024).toFixed(1)} KB`,
    fmt(wall(v), ms),
    fmt(stat(v.ticks.map((t) => t.cpuMs)), ms),
    fmt(stat(v.ticks.map((t) => t.calls)), int),
  ];
  return [
    `### 7. Idle tick against history (${long.ticks.length} ticks per variant, alternating)`,
    '',
    `${int(run.databases)} databases over ${options.sources} sources, nothing waiting and no job in flight, each with a history of finished files built through the production path: the files' synthetic headers read by the header reader, admitted and marked succeeded ${options.batch} at a time by runChainStep (lock, load, decide, prune, save), a log every 15 minutes up to now. The poll-jobs bundle of each variant in its own child process; its first tick (which also walks the sources' empty prefixes) is not counted. Redis per database: \`MEMORY USAGE\` over every key of the variant. Budget: the long history's median within ${HISTORY_RATIO_BUDGET}× the short one's.`,
    '',
    ...table(['finished files per database', 'history built in', 'file records per database (max)', 'Redis per database', 'idle tick wall time', 'CPU per idle tick', 'cloud calls per idle tick'], [row(long), row(short)]),
    '',
    `Ratio of the medians: ${num(2)(ratio)}× ${mark(ok)} (paired per round: ${fmt(paired, num(2))}×).`,
  ];
}

export function walkSection(run: WalkRun, options: WalkOptions, checks: Check[]): { lines: string[]; broken: string[] } {
  const total = run.ticks.reduce((sum, t) => sum + t.wallMs, 0);
  const over = run.ticks.filter((t) => t.wallMs > run.deadlineMs);
  const sum = (f: (t: WalkTick) => number) => run.ticks.reduce((s, t) => s + f(t), 0);
  const found = { name: 'reconcile after state loss: objects found', limit: `all ${int(run.objects)}`, measured: `${int(run.objects - run.missing.length)} (${int(run.recorded)} recorded)`, ok: run.missing.length === 0 };
  const inTime = { name: 'reconcile after state loss: ticks within their deadline', limit: `≤ ${ms(run.deadlineMs)} each`, measured: `${run.ticks.length - over.length}/${run.ticks.length}, longest ${ms(Math.max(...run.ticks.map((t) => t.wallMs)))}`, ok: over.length === 0 };
  const peakKb = Math.max(...run.ticks.map((t) => t.maxRssKb));
  const memory = { name: 'reconcile after state loss: poller peak RSS', limit: `≤ ${run.memoryMb} MB (serverless.yml)`, measured: mib(peakKb), ok: peakKb <= run.memoryMb * 1024 };
  checks.push(found, inTime, memory);
  const rows = run.ticks.map((t, i) => [String(i + 1), ms(t.wallMs), ms(t.cpuMs), int(t.pages), int(t.listed), int(t.headerReads), int(t.found), t.complete ? 'yes' : 'no, cursor stored', mib(t.maxRssKb)]);
  rows.push(['total', ms(total), ms(sum((t) => t.cpuMs)), int(sum((t) => t.pages)), int(sum((t) => t.listed)), int(sum((t) => t.headerReads)), int(sum((t) => t.found)), '', '']);
  return {
    lines: [
      `### 8. Reconcile after state loss (${int(run.objects)} objects, 1 run)`,
      '',
      `One source's prefix holds ${int(run.objects)} synthetic backups (${options.databases} databases × ${options.filesPerDatabase} files: a full, then logs) and the state store holds nothing. The poll-jobs bundle in a child process ticks with a deadline of ${ms(run.deadlineMs)}${options.deadlineMs === undefined ? ' (its timeout in serverless.yml)' : ' (shorter than the deployed 300 s, so quick mode walks across ticks too)'}, ${options.latencyMs} ms injected latency on every cloud call, until the walk of the prefix is complete; each tick resumes from the cursor the last one stored. Fails if an object is not recorded in its database's chain afterwards, a tick overran its deadline, or the poller's peak RSS (VmHWM, its heap capped at the memory size less 64 MB) passed its memory size.`,
      '',
      ...table(['tick', 'wall time', 'CPU', 'listing pages', 'objects listed', 'headers read', 'files found', 'walk complete', 'poller peak RSS'], rows),
      '',
      `Every object found: ${mark(found.ok)}${run.missing.length > 0 ? ` (${int(run.missing.length)} missing, e.g. ${run.missing[0]})` : ''}; every tick within its deadline: ${mark(inTime.ok)}.`,
    ],
    broken: [found, inTime, memory].filter((c) => !c.ok).map((c) => `${c.name}: ${c.measured} (limit ${c.limit})`),
  };
}
