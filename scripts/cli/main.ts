import { createInterface } from 'node:readline/promises';
import type { Chain } from '../../shared/chains/config';
import { closingFileOf } from '../../shared/chains/select';
import { cutoverPreview, requestCutover, restartFrom, retryFile, skipConsequences, skipFile, type OperatorDecision } from '../../shared/chains/operator';
import type { ChainState } from '../../shared/chains/state';
import { createHuaweiClient, type HuaweiClient } from '../../shared/huawei/client';
import { ConfigError } from '../../shared/huawei/errors';
import { createLogger } from '../../shared/log/logger';
import { redactText } from '../../shared/log/redact';
import { operateOnChain } from '../../shared/restore/operate';
import type { ObsClient } from '../../shared/huawei/obs';
import { maxJobsPerInstance } from '../../shared/restore/pacing';
import { createRuntime, keySpace } from '../../shared/runtime';
import type { Settings } from '../../shared/settings';
import { openStateStore } from '../../shared/state/open';
import { loadSource, mergeChains } from '../../shared/state/source';
import type { StateStore } from '../../shared/state/store';
import { SOURCE_RECORDS } from '../../shared/chains/chain-id';
import { configCheck } from './config-check';
import { chainStatuses, detailText, narrowToDatabase, statusJson, statusText } from './status';
import { commandHelp, isCommand, USAGE, type Command } from './usage';

class UsageError extends Error {}

interface Cli {
  chains: Chain[];
  store: StateStore;
  /** The environment: credentials, endpoints, pointers. */
  env: Settings;
  /** The settings in force: the environment's, with the configuration document's (SMN_TOPIC_URN, MAX_JOBS_PER_INSTANCE…). */
  settings: Settings;
  out: (text: string) => void;
}

/** The API client, created only by the commands that call DRS; a missing credential is named. */
function client(cli: Cli): HuaweiClient {
  return createHuaweiClient({ env: cli.env, logger: createLogger({ level: 'error' }) });
}

async function findFile(cli: Cli, key: string, chains = cli.chains): Promise<{ chain: Chain; database: string; state: ChainState }> {
  const found: { chain: Chain; database: string; state: ChainState }[] = [];
  for (const chain of chains.filter((c) => key.startsWith(c.prefix))) {
    // A version another database's backup replaced (superseded) is history, not the file to act on.
    for (const { database, state } of await loadSource(cli.store, chain)) if (state.files[key] && state.files[key].status !== 'superseded') found.push({ chain, database, state });
  }
  if (found.length === 0) {
    throw new UsageError(
      `no chain has a file ${key}: restore-pilot never saw it, or it was finished long ago and left the state (a database keeps its 20 most recent finished files); upload it again to act on it, and see \`restore-pilot status --db NAME\``,
    );
  }
  if (found.length > 1) throw new UsageError(`${key} is in several chains (${found.map((f) => f.chain.id).join(', ')}); rename one chain's prefix`);
  return found[0]!;
}

/**
 * Exit status 1 when what status shows has an open problem, so a script or a monitor can act on it:
 * the whole estate, one source (--source), or one database (--db, 1 too when no source knows it).
 */
async function status(cli: Cli, json: boolean, db: string | undefined): Promise<number> {
  const now = Date.now();
  let drs: HuaweiClient['drs'] | undefined;
  try {
    drs = client(cli).drs;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (!json) cli.out(`(job states as last recorded: live DRS status needs ${error.field})\n`);
  }
  const all = await chainStatuses(cli.chains, cli.store, drs, now, cli.settings.SMN_TOPIC_URN ?? '', maxJobsPerInstance(cli.settings));
  const statuses = db === undefined ? all : narrowToDatabase(all, db);
  if (statuses.length === 0) {
    cli.out(`no database ${db} in ${cli.chains.map((c) => c.id).join(', ')}; \`restore-pilot status\` lists the ones that need attention, --json all of them`);
    return 1;
  }
  cli.out(json ? JSON.stringify(statusJson(statuses, now, drs !== undefined), null, 2) : db === undefined ? statusText(statuses, now) : detailText(statuses, now));
  return statuses.some((s) => s.problems.length > 0) ? 1 : 0;
}

async function operate(cli: Cli, chain: Chain, database: string, decide: (state: ChainState) => OperatorDecision): Promise<number> {
  const api = client(cli);
  const outcome = await operateOnChain(
    { store: cli.store, drs: api.drs, obs: api.obs, rds: api.rds, logger: createLogger({ level: 'error' }), now: Date.now, inProgressMs: 60_000, maxJobsPerInstance: maxJobsPerInstance(cli.settings), lockTtlMs: 30_000, lockWaitMs: 10_000 },
    chain,
    database,
    decide,
  );
  if ('refused' in outcome) {
    cli.out(`not done: ${outcome.refused}`);
    return 1;
  }
  cli.out(outcome.done);
  const { advanced } = outcome;
  for (const sent of advanced.submitted) cli.out(`sent ${sent.file.key} to DRS: job ${sent.jobId}`);
  for (const { file, reason } of advanced.queued) cli.out(`${file.key}: ${reason}`);
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
const OPTIONS: Record<Command, string[]> = { status: ['--json', '--db', '--source'], retry: [], skip: ['--yes'], cutover: ['--dry-run', '--db'], restart: ['--from'], config: [] };
/** The options that take a value, and what the value is. */
const VALUES: Record<string, string> = { '--from': 'FULL, the full backup to restart from', '--db': 'NAME, one database of the chain', '--source': 'ID, one configured chain (source)' };
/** Where each valued option lands in the invocation. */
const FIELDS = { '--from': 'from', '--db': 'db', '--source': 'source' } as const;

type Invocation = { help: string; code: number } | { command: Command; targets: string[]; flags: Set<string>; from?: string; db?: string; source?: string };

/** Reads the command line without touching the environment, so --help and usage errors work anywhere. */
function parse(args: string[]): Invocation {
  const [command, ...rest] = args;
  if (command === undefined) return { help: USAGE, code: 2 };
  if (command === 'help' || command === '--help' || command === '-h') return { help: isCommand(rest[0]) ? commandHelp(rest[0]) : USAGE, code: 0 };
  if (!isCommand(command)) throw new UsageError(`unknown command ${command}\n\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) return { help: commandHelp(command), code: 0 };
  const invocation: Exclude<Invocation, { help: string }> = { command, targets: [], flags: new Set<string>() };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('-')) invocation.targets.push(arg);
    else if (!OPTIONS[command].includes(arg)) throw new UsageError(`${command} has no option ${arg}\n\n${commandHelp(command)}`);
    else if (!VALUES[arg]) invocation.flags.add(arg);
    else if (rest[i + 1] === undefined || rest[i + 1]!.startsWith('-')) throw new UsageError(`${arg} needs ${VALUES[arg]}\n\n${commandHelp(command)}`);
    else invocation[FIELDS[arg as keyof typeof FIELDS]] = rest[++i];
  }
  return invocation;
}

/** A command that works on chains (all but config, which needs no environment). */
type ChainInvocation = Omit<Exclude<Invocation, { help: string }>, 'command'> & { command: Exclude<Command, 'config'> };

async function run({ command, targets, flags, from, db, source }: ChainInvocation, cli: Cli): Promise<number> {
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
      return status(source === undefined ? cli : { ...cli, chains: [chainOf(source)] }, flags.has('--json'), db);
    case 'retry': {
      const { chain, database } = await findFile(cli, needTarget('FILE'));
      return operate(cli, chain, database, (state) => retryFile(state, chain, target!, Date.now()));
    }
    case 'skip': {
      const { chain, database, state } = await findFile(cli, needTarget('FILE'));
      if (!(await confirmSkip(cli, target!, state, flags.has('--yes')))) return 1;
      return operate(cli, chain, database, (current) => skipFile(current, chain, target!, Date.now()));
    }
    case 'cutover': {
      const chain = chainOf(needTarget('CHAIN'));
      const databases = (await loadSource(cli.store, chain)).filter(({ database, state }) => database !== SOURCE_RECORDS && Object.keys(state.files).length > 0 && (db === undefined || database === db));
      if (databases.length === 0) throw new UsageError(db === undefined ? `chain ${chain.id} has no database yet` : `chain ${chain.id} has no database ${db}`);
      if (flags.has('--dry-run')) {
        cli.out(cutoverPreview(mergeChains(databases), chain, Date.now()).join('\n'));
        return 0;
      }
      // A database whose last backup is already restored or in DRS has nothing to cut over: said, not failed.
      const open = databases.filter(({ database, state }) => {
        const closed = closingFileOf(Object.values(state.files)) !== undefined;
        if (closed) cli.out(`${chain.id} ${database}: already has its last backup restored or in DRS`);
        return !closed;
      });
      if (open.length === 0) return 1;
      let code = 0;
      for (const { database } of open) code = Math.max(code, await operate(cli, chain, database, (state) => requestCutover(state, chain, Date.now())));
      return code;
    }
    case 'restart': {
      const chain = chainOf(needTarget('CHAIN'));
      if (!from) throw new UsageError(`restart needs --from FULL, the full backup to restart from\n\n${commandHelp(command)}`);
      const { database } = await findFile(cli, from, [chain]);
      return operate(cli, chain, database, (state) => restartFrom(state, chain, from, Date.now()));
    }
  }
}

/**
 * The chains the functions run on: RESTORE_CHAINS, or the document RESTORE_PILOT_CONFIG names, read
 * from OBS (the client is made only then: `status` runs without credentials on RESTORE_CHAINS). A
 * refused newest version is said, and the last good one used, as the functions do.
 */
async function configuredChains(env: Settings, store: StateStore, out: (text: string) => void): Promise<{ chains: Chain[]; settings: Settings }> {
  const { config } = createRuntime(env, store);
  const logger = createLogger({ level: 'error' });
  const obs = { readObjectText: ((...args: Parameters<ObsClient['readObjectText']>) => createHuaweiClient({ env, logger }).obs.readObjectText(...args)) as ObsClient['readObjectText'] };
  const { chains, settings } = await config.current({ obs, logger, now: Date.now });
  const refused = config.refusal();
  if (refused) out(`warning: the newest version of ${refused.path} is refused (${refused.problem}); showing the last good one (eTag ${refused.inForce.eTag})\n`);
  return { chains, settings };
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
    const { chains, settings } = await configuredChains(env, store, out);
    return await run({ ...invocation, command }, { chains, store, env, settings, out });
  } catch (error) {
    fail(error);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await store?.close();
  }
}
