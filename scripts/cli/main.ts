import { createInterface } from 'node:readline/promises';
import type { Chain } from '../../shared/chains/config';
import { cutoverPreview, requestCutover, restartFrom, retryFile, skipConsequences, skipFile, type OperatorDecision } from '../../shared/chains/operator';
import type { ChainState } from '../../shared/chains/state';
import { createHuaweiClient, type HuaweiClient } from '../../shared/huawei/client';
import { ConfigError } from '../../shared/huawei/errors';
import { createLogger } from '../../shared/log/logger';
import { redactText } from '../../shared/log/redact';
import { operateOnChain } from '../../shared/restore/operate';
import type { ObsClient } from '../../shared/huawei/obs';
import { createRuntime, keySpace } from '../../shared/runtime';
import type { Settings } from '../../shared/settings';
import { openStateStore } from '../../shared/state/open';
import type { StateStore } from '../../shared/state/store';
import { configCheck } from './config-check';
import { chainStatuses, statusJson, statusText } from './status';
import { commandHelp, isCommand, USAGE, type Command } from './usage';

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

/** Exit status 1 when any chain has an open problem, so a script or a monitor can act on it. */
async function status(cli: Cli, json: boolean): Promise<number> {
  const now = Date.now();
  let drs: HuaweiClient['drs'] | undefined;
  try {
    drs = client(cli).drs;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (!json) cli.out(`(job states as last recorded: live DRS status needs ${error.field})\n`);
  }
  const statuses = await chainStatuses(cli.chains, cli.store, drs, now, cli.env.SMN_TOPIC_URN ?? '');
  cli.out(json ? JSON.stringify(statusJson(statuses, now, drs !== undefined), null, 2) : statusText(statuses));
  return statuses.some((s) => s.problems.length > 0) ? 1 : 0;
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

/** The options each command takes; anything else starting with - is a usage error, not a FILE. */
const OPTIONS: Record<Command, string[]> = { status: ['--json'], retry: [], skip: ['--yes'], cutover: ['--dry-run'], restart: ['--from'], config: [] };

type Invocation = { help: string; code: number } | { command: Command; targets: string[]; flags: Set<string>; from?: string };

/** Reads the command line without touching the environment, so --help and usage errors work anywhere. */
function parse(args: string[]): Invocation {
  const [command, ...rest] = args;
  if (command === undefined) return { help: USAGE, code: 2 };
  if (command === 'help' || command === '--help' || command === '-h') return { help: isCommand(rest[0]) ? commandHelp(rest[0]) : USAGE, code: 0 };
  if (!isCommand(command)) throw new UsageError(`unknown command ${command}\n\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) return { help: commandHelp(command), code: 0 };
  const invocation = { command, targets: [] as string[], flags: new Set<string>(), from: undefined as string | undefined };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('-')) invocation.targets.push(arg);
    else if (!OPTIONS[command].includes(arg)) throw new UsageError(`${command} has no option ${arg}\n\n${commandHelp(command)}`);
    else if (arg !== '--from') invocation.flags.add(arg);
    else if (rest[i + 1] === undefined || rest[i + 1]!.startsWith('-')) throw new UsageError(`--from needs FULL, the full backup to restart from\n\n${commandHelp(command)}`);
    else invocation.from = rest[++i];
  }
  return invocation;
}

/** A command that works on chains (all but config, which needs no environment). */
type ChainInvocation = Omit<Exclude<Invocation, { help: string }>, 'command'> & { command: Exclude<Command, 'config'> };

async function run({ command, targets, flags, from }: ChainInvocation, cli: Cli): Promise<number> {
  const target = targets[0];
  const needTarget = (what: string) => {
    if (targets.length !== 1) throw new UsageError(`${command} takes exactly one ${what}\n\n${commandHelp(command)}`);
    return target!;
  };
  const chainOf = (id: string) => {
    const chain = cli.chains.find((c) => c.id === id);
    if (!chain) throw new UsageError(`no chain ${id}; chains: ${cli.chains.map((c) => c.id).join(', ')}`);
    return chain;
  };
  switch (command) {
    case 'status':
      if (targets.length > 0) throw new UsageError(`status takes no FILE or CHAIN\n\n${commandHelp(command)}`);
      return status(cli, flags.has('--json'));
    case 'retry': {
      const { chain } = await findFile(cli, needTarget('FILE'));
      return operate(cli, chain, (state) => retryFile(state, chain, target!, Date.now()));
    }
    case 'skip': {
      const { chain, state } = await findFile(cli, needTarget('FILE'));
      if (!(await confirmSkip(cli, target!, state, flags.has('--yes')))) return 1;
      return operate(cli, chain, (current) => skipFile(current, chain, target!, Date.now()));
    }
    case 'cutover': {
      const chain = chainOf(needTarget('CHAIN'));
      if (flags.has('--dry-run')) {
        cli.out(cutoverPreview(await cli.store.load(chain.id), chain, Date.now()).join('\n') || `chain ${chain.id} has no database yet`);
        return 0;
      }
      return operate(cli, chain, (state) => requestCutover(state, chain, Date.now()));
    }
    case 'restart': {
      const chain = chainOf(needTarget('CHAIN'));
      if (!from) throw new UsageError(`restart needs --from FULL, the full backup to restart from\n\n${commandHelp(command)}`);
      return operate(cli, chain, (state) => restartFrom(state, chain, from, Date.now()));
    }
  }
}

/**
 * The chains the functions run on: RESTORE_CHAINS, or the document RESTORE_PILOT_CONFIG names, read
 * from OBS (the client is made only then: `status` runs without credentials on RESTORE_CHAINS). A
 * refused newest version is said, and the last good one used, as the functions do.
 */
async function configuredChains(env: Settings, store: StateStore, out: (text: string) => void): Promise<Chain[]> {
  const { config } = createRuntime(env, store);
  const logger = createLogger({ level: 'error' });
  const obs = { readObjectText: ((...args: Parameters<ObsClient['readObjectText']>) => createHuaweiClient({ env, logger }).obs.readObjectText(...args)) as ObsClient['readObjectText'] };
  const { chains } = await config.current({ obs, logger, now: Date.now });
  const refused = config.refusal();
  if (refused) out(`warning: the newest version of ${refused.path} is refused (${refused.problem}); showing the last good one (eTag ${refused.inForce.eTag})\n`);
  return chains;
}

/** Exit status: 0 ok, 1 a problem found (refused, not confirmed, open problems in status, a failure), 2 bad usage. */
export async function main(args: string[], env: Settings = process.env): Promise<number> {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const fail = (error: unknown) => process.stderr.write(`restore-pilot: ${redactText((error as Error).message)}\n`);
  let invocation: Invocation;
  try {
    invocation = parse(args);
  } catch (error) {
    fail(error);
    return 2;
  }
  if ('help' in invocation) {
    out(invocation.help);
    return invocation.code;
  }
  const { command } = invocation;
  if (command === 'config') {
    if (invocation.targets[0] !== 'check' || invocation.targets.length !== 2) {
      fail(new Error(`config takes check FILE\n\n${commandHelp('config')}`));
      return 2;
    }
    return configCheck(invocation.targets[1]!, env, out, (text) => fail(new Error(text)));
  }
  let store: StateStore | undefined;
  try {
    store = openStateStore(env.STATE_URL, keySpace(env));
    const chains = await configuredChains(env, store, out);
    return await run({ ...invocation, command }, { chains, store, env, out });
  } catch (error) {
    fail(error);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await store?.close();
  }
}
