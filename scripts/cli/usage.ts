/** The CLI's words: the overview (`restore-pilot --help`) and each command's own (`restore-pilot retry --help`). */

export const COMMANDS = {
  status: {
    usage: 'status [--db NAME] [--json]',
    summary: 'the estate on one screen: per source a summary, then what needs attention',
    help: `A summary line per source (its databases restored up to their newest log, in flight, queued for a
restore slot, waiting, broken, done), then only the databases that need attention, one line each
with the reason, since when and what to do (a failed file, a full held by its preflight, a hole in
the log chain, a held cutover, a job running too long, a refused file, any other open problem),
then the open problems, grouped by kind when there are many, and whether they were paged.

  --db NAME    one database in full, in every source that has it: restored to which LSN and by which
               backup, what comes next or why it waits, its files in LSN order with their job and
               state (running jobs read live from DRS when the credentials are set), its problems
               with their next step
  --source ID  only that source (a configured chain)
  --json       one JSON document for scripts, every database (its shape is in the README,
               "Operating"; version 1)

Exit status: 0 no open problem in what is shown, 1 at least one (or no such database), 2 bad usage.`,
  },
  retry: {
    usage: 'retry FILE',
    summary: 'restore a failed backup file again (no re-upload needed)',
    help: `Restores a failed FILE again under a new job (attempt n+1), without a re-upload: for a cause fixed
on the instance (disk space, an existing database). A full held by its preflight is sent despite it.

Exit status: 0 done, 1 refused (the reason is printed), 2 bad usage.`,
  },
  skip: {
    usage: 'skip FILE [--yes]',
    summary: 'take a waiting or failed file out of its chain (asks for confirmation)',
    help: `Takes a waiting or failed FILE out of its chain so the next one goes. Prints what breaks (every
later log, for a log backup; the whole chain, for the full) and asks for the file name to be typed.

  --yes    confirm without asking (scripts)

Exit status: 0 done, 1 refused or not confirmed, 2 bad usage.`,
  },
  cutover: {
    usage: 'cutover CHAIN [--db NAME] [--dry-run]',
    summary: 'for every database of CHAIN, the next log backup uploaded is restored as the last one',
    help: `Like uploading the cutover marker: for each database of CHAIN, the newest log backup uploaded after
it is restored as the last, once nothing is in its way.

  --db NAME  only this database of CHAIN
  --dry-run  change nothing; show per database which file would be final and what still blocks it

Exit status: 0 done, 1 refused, 2 bad usage.`,
  },
  restart: {
    usage: 'restart CHAIN --from FULL',
    summary: "restore FULL's database again from that full backup, then the logs after it",
    help: `When a missing log is gone for good: restores FULL over its database (is_cover), then only the log
backups after it; everything else of that database leaves the chain.

  --from FULL  the full backup to restart from (its object key)

Exit status: 0 done, 1 refused, 2 bad usage.`,
  },
  config: {
    usage: 'config check FILE',
    summary: 'validate a configuration document offline, with the checks the functions make',
    help: `Checks FILE, a configuration document ({"chains": [...], "SMN_TOPIC_URN": ..., ...}), with the same
schema and messages as the functions use when they read RESTORE_PILOT_CONFIG from OBS, before you
upload it. A setting also set in this environment is an error, as it would be in the functions.
Needs neither Redis nor the cloud.

Exit status: 0 valid, 1 invalid (the message names the field, e.g. chains[3].bucket), 2 bad usage
or FILE unreadable.`,
  },
} as const;

export type Command = keyof typeof COMMANDS;

const SETTINGS = `FILE is the object key, e.g. erp/ERP_LOG_20261120094500.trn. Settings come from the same environment
the functions use: STATE_URL, STATE_KEY_PREFIX (the deployment's key space, restore-pilot:STAGE: when
deployed with serverless), RESTORE_PILOT_CONFIG (obs://bucket/key.json) or RESTORE_CHAINS, HUAWEICLOUD_REGION,
HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID (and *_ENDPOINT for the local cloud).`;

export const USAGE = `usage: restore-pilot <command> [options]     restore-pilot <command> --help

${Object.values(COMMANDS)
  .map((c) => `  ${c.usage.padEnd(28)}${c.summary}`)
  .join('\n')}

${SETTINGS}

Exit status: 0 ok, 1 a problem found (refused, not confirmed, or status with open problems), 2 bad usage.`;

export function commandHelp(command: Command): string {
  return `usage: restore-pilot ${COMMANDS[command].usage}\n\n${COMMANDS[command].help}\n\n${SETTINGS}`;
}

export const isCommand = (name: string | undefined): name is Command => name !== undefined && Object.hasOwn(COMMANDS, name);
