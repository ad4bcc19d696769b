import { createInterface } from 'node:readline/promises';
import { chainProblems } from '../../shared/alerts/problems';
import { parseChains, type Chain } from '../../shared/chains/config';
import { cutoverPreview, requestCutover, restartFrom, retryFile, skipConsequences, skipFile, type OperatorDecision } from '../../shared/chains/operator';
import type { ChainState } from '../../shared/chains/state';
import { renderChain } from '../../shared/chains/view';
import { createHuaweiClient, type HuaweiClient } from '../../shared/huawei/client';
import { ConfigError } from '../../shared/huawei/errors';
import { createLogger } from '../../shared/log/logger';
import { redactText } from '../../shared/log/redact';
import { operateOnChain } from '../../shared/restore/operate';
import { keySpace } from '../../shared/runtime';
import type { Settings } from '../../shared/settings';
import { openStateStore } from '../../shared/state/open';
import type { StateStore } from '../../shared/state/store';

const USAGE = `usage: restore-pilot <command>

  status          every chain: its files, restore jobs and open problems
  retry FILE      restore a failed backup file again (no re-upload needed)
  skip FILE       take a waiting or failed file out of its chain (asks for confirmation; --yes to script it)
  cutover CHAIN   for every database of CHAIN, the next log backup uploaded is restored as the last one;
                  --dry-run shows per database which file would be final and what still blocks it
  restart CHAIN --from FULL
                  restore FULL's database again from that full backup (over the restoring database),
                  then the log backups after it: the way out when a missing log is gone for good

FILE is the object key, e.g. erp/ERP_LOG_20261120094500.trn. Settings come from the same environment
the functions use: STATE_URL, STATE_KEY_PREFIX (the deployment's key space, restore-pilot:STAGE: when
deployed with serverless), RESTORE_CHAINS, HUAWEICLOUD_REGION,
HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID (and *_ENDPOINT for the local cloud).`;

class UsageError extends Error {}

interface Cli {
  chains: Chain[];
  store: StateStore;
  env: Settings;
  out: (text: string) => void;
}

/** The API client, created only by the commands that call DRS; a missing credential is named. */
function client(cli: Cli): HuaweiClient {
  return createHuaweiClient({ env: cli.env, logger: createLogger({ level: 'error' }) });
}

async function findFile(cli: Cli, key: string): Promise<{ chain: Chain; state: ChainState }> {
  const found: { chain: Chain; state: ChainState }[] = [];
  for (const chain of cli.chains.filter((c) => key.startsWith(c.prefix))) {
    const state = await cli.store.load(chain.id);
    if (state.files[key]) found.push({ chain, state });
  }
  if (found.length === 0) throw new UsageError(`no chain has a file ${key}; \`restore-pilot status\` lists them`);
  if (found.length > 1) throw new UsageError(`${key} is in several chains (${found.map((f) => f.chain.id).join(', ')}); rename one chain's prefix`);
  return found[0]!;
}

async function status(cli: Cli): Promise<number> {
  const now = Date.now();
  const paged = new Set((await cli.store.loadPages()).map((page) => page.id));
  let drs: HuaweiClient['drs'] | undefined;
  try {
    drs = client(cli).drs;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    cli.out(`(job states as last recorded: live DRS status needs ${error.field})\n`);
  }
  for (const chain of cli.chains) {
    const state = await cli.store.load(chain.id);
    for (const file of Object.values(state.files).filter((f) => f.status === 'running' && f.jobId && drs)) {
      try {
        file.drsStatus = `${(await drs!.getBackupMigrationJob(file.jobId!)).status} (live)`;
      } catch (error) {
        file.drsStatus = `${file.drsStatus ?? ''} (live status failed: ${(error as Error).message})`;
      }
    }
    cli.out(renderChain(chain, state));
    const problems = chainProblems(chain, state, now, cli.env.SMN_TOPIC_URN ?? '');
    for (const problem of problems) {
      cli.out(`  ! ${problem.title}${paged.has(problem.id) ? ' (paged)' : ''}\n    ${problem.details[0]}\n    Next step: ${problem.nextStep}`);
    }
    if (problems.length === 0) cli.out('  no open problems');
    cli.out('');
  }
  return 0;
}

async function operate(cli: Cli, chain: Chain, decide: (state: ChainState) => OperatorDecision): Promise<number> {
  const api = client(cli);
  const outcome = await operateOnChain(
    { store: cli.store, drs: api.drs, obs: api.obs, rds: api.rds, logger: createLogger({ level: 'error' }), now: Date.now, inProgressMs: 60_000, lockTtlMs: 30_000, lockWaitMs: 10_000 },
    chain,
    decide,
  );
  if ('refused' in outcome) {
    cli.out(`not done: ${outcome.refused}`);
    return 1;
  }
  cli.out(outcome.done);
  const { advanced } = outcome;
  for (const sent of advanced.submitted) cli.out(`sent ${sent.file.key} to DRS: job ${sent.jobId}`);
  for (const view of advanced.views) if (view.next.kind === 'wait') cli.out(`${chain.id} ${view.database}: ${view.next.detail}`);
  return 0;
}

async function confirmSkip(cli: Cli, key: string, state: ChainState, yes: boolean): Promise<boolean> {
  const rule = '!'.repeat(78);
  cli.out(`${rule}\n  SKIP ${key}\n  ${skipConsequences(state, key)}\n${rule}`);
  if (yes) return true;
  if (!process.stdin.isTTY) {
    cli.out('not done: confirm with --yes (no terminal to ask on)');
    return false;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await prompt.question(`Type the file name (${key}) to skip it: `);
  prompt.close();
  if (answer.trim() === key) return true;
  cli.out('not done: the name did not match');
  return false;
}

async function run(args: string[], cli: Cli): Promise<number> {
  const fromAt = args.indexOf('--from');
  const from = fromAt >= 0 ? args[fromAt + 1] : undefined;
  const [command, target, ...rest] = args.filter((a, i) => a !== '--yes' && a !== '--dry-run' && (fromAt < 0 || (i !== fromAt && i !== fromAt + 1)));
  const yes = args.includes('--yes');
  const dryRun = args.includes('--dry-run');
  const needTarget = (what: string) => {
    if (!target || rest.length > 0) throw new UsageError(`${command} takes exactly one ${what}\n\n${USAGE}`);
    return target;
  };
  switch (command) {
    case 'status':
      return status(cli);
    case 'retry': {
      const { chain } = await findFile(cli, needTarget('FILE'));
      return operate(cli, chain, (state) => retryFile(state, chain, target!, Date.now()));
    }
    case 'skip': {
      const { chain, state } = await findFile(cli, needTarget('FILE'));
      if (!(await confirmSkip(cli, target!, state, yes))) return 1;
      return operate(cli, chain, (current) => skipFile(current, chain, target!, Date.now()));
    }
    case 'cutover': {
      const chain = cli.chains.find((c) => c.id === needTarget('CHAIN'));
      if (!chain) throw new UsageError(`no chain ${target}; chains: ${cli.chains.map((c) => c.id).join(', ')}`);
      if (dryRun) {
        cli.out(cutoverPreview(await cli.store.load(chain.id), chain, Date.now()).join('\n') || `chain ${chain.id} has no database yet`);
        return 0;
      }
      return operate(cli, chain, (state) => requestCutover(state, chain, Date.now()));
    }
    case 'restart': {
      const chain = cli.chains.find((c) => c.id === needTarget('CHAIN'));
      if (!chain) throw new UsageError(`no chain ${target}; chains: ${cli.chains.map((c) => c.id).join(', ')}`);
      if (!from) throw new UsageError(`restart needs --from FULL, the full backup to restart from\n\n${USAGE}`);
      return operate(cli, chain, (state) => restartFrom(state, chain, from, Date.now()));
    }
    default:
      throw new UsageError(command ? `unknown command ${command}\n\n${USAGE}` : USAGE);
  }
}

export async function main(args: string[], env: Settings = process.env): Promise<number> {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  if (args.length === 0 || args[0] === 'help' || args.includes('--help')) {
    out(USAGE);
    return args.length === 0 ? 2 : 0;
  }
  let store: StateStore | undefined;
  try {
    const chains = parseChains(env.RESTORE_CHAINS);
    store = openStateStore(env.STATE_URL, keySpace(env));
    return await run(args, { chains, store, env, out });
  } catch (error) {
    process.stderr.write(`restore-pilot: ${redactText((error as Error).message)}\n`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await store?.close();
  }
}
