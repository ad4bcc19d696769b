import type { Chain } from '../chains/config';
import { isOutOfChain, viewChain, type Hole } from '../chains/select';
import type { BackupFileRecord, ChainState, Notice, PreflightCode } from '../chains/state';
import { describeRefusal } from '../chains/verdicts';
import type { MigrationTask } from '../huawei/dcs';
import { parseTaurusTime, type TaurusBackup } from '../huawei/taurusdb';

/**
 * What on-call should hear about right now, derived from state: plain functions, no I/O. The pager
 * compares this list with what was already paged, so each problem pages once and resolves once.
 */

export type PageKind =
  | 'restore-failed'
  | 'precheck-failed'
  | 'restore-stuck'
  | 'chain-waiting'
  | 'log-chain-broken'
  | 'cutover-held'
  | 'preflight-blocked'
  | 'backup-refused'
  | 'late-cutover-marker'
  | 'upload-to-closed-chain'
  | 'file-not-restored'
  | 'dcs-migration-failed'
  | 'taurusdb-backup-failed'
  | 'taurusdb-backup-stale'
  | 'check-failing'
  | 'drs-throttled'
  | 'config-refused';

export interface Problem {
  /** Stable while the problem lasts; a new failure of a new file version is a new problem. */
  id: string;
  kind: PageKind;
  /** Chain id or watched instance/task id. */
  scope: string;
  topicUrn: string;
  since: number;
  /** One line naming kind and scope. */
  title: string;
  /** What happened, the facts (file, job, error log), and the next step. */
  details: string[];
  nextStep: string;
  /** An event rather than a condition: paged once, never 'resolved'. */
  oneShot?: boolean;
  /** Page only once the problem has lasted this long (a passing error should not wake anyone). */
  graceMs?: number;
  /**
   * A problem of one database that one cause can give every database of a source at once (the
   * server's log backup job stops, the target's disk fills). Those of one kind, cause, scope and topic
   * page as one group (page-groups.ts) with this next step, written for all of them.
   */
  group?: ProblemGroup;
}

export interface ProblemGroup {
  database: string;
  /** Tells apart causes of one kind that need different hands ("logs stopped arriving" and "no full backup" both wait). */
  cause?: string;
  nextStep: string;
}

/** How long the poller may fail to check something before on-call hears of it. */
export const CHECK_FAILING_GRACE_MS = 15 * 60_000;

/** The poller could not look at a chain or a watched resource; pages once it has lasted a while. */
export function checkFailingProblem(scope: string, what: string, errors: string[], now: number, topicUrn: string): Problem {
  return {
    id: `check-failing:${scope}`,
    kind: 'check-failing',
    scope,
    topicUrn,
    since: now,
    title: titleOf('check-failing', scope),
    details: [`What happened: the poller could not check ${what} on every tick for ${CHECK_FAILING_GRACE_MS / 60_000} minutes or more.`, ...errors.map((e) => `Error: ${e.slice(0, 2000)}`)],
    nextStep:
      "Read the error: a missing IAM permission (DRS jobs, OBS ListBucket, DCS/TaurusDB read), an unreachable endpoint, or a job or task deleted in the console. Fix it; the poller retries every tick and sends 'resolved' when it can check again. Until then this scope's other pages may be out of date.",
    graceMs: CHECK_FAILING_GRACE_MS,
  };
}

/**
 * A new version of the configuration document that does not validate. One problem per document, not
 * per version: a second broken upload does not page again, and the page resolves when a valid one
 * takes effect. Its scope is the document's path, which no chain id can be.
 */
export function configRefusedProblem(refusal: { path: string; eTag: string; problem: string; since: number; inForce: { eTag: string; chains: number } }, topicUrn: string): Problem {
  return {
    id: `config-refused:${refusal.path}`,
    kind: 'config-refused',
    scope: refusal.path,
    topicUrn,
    since: refusal.since,
    title: titleOf('config-refused', refusal.path),
    details: [
      `What happened: the new version of ${refusal.path} (eTag ${refusal.eTag}) does not validate, so it was not taken: ${refusal.problem}`,
      `In force: the last good version (eTag ${refusal.inForce.eTag}, ${refusal.inForce.chains} chain(s)); uploads and restores go on under it.`,
    ],
    nextStep: `Fix the field named above, check the file with: npx restore-pilot config check FILE, then upload it again to ${refusal.path}. The functions read it within a minute and this page resolves.`,
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const minutes = (ms: number) => Math.round(ms / 60_000);

const TITLES: Record<PageKind, string> = {
  'restore-failed': 'Restore failed',
  'precheck-failed': 'Restore precheck failed',
  'restore-stuck': 'Restore stuck',
  'chain-waiting': 'Migration chain waiting',
  'log-chain-broken': 'Log chain broken',
  'cutover-held': 'Cutover held',
  'preflight-blocked': 'Restore blocked before DRS',
  'backup-refused': 'Backup file DRS cannot restore',
  'late-cutover-marker': 'Cutover waiting for the tail-log backup',
  'upload-to-closed-chain': 'Upload to a finished migration chain',
  'file-not-restored': 'Backup file not restored',
  'dcs-migration-failed': 'DCS Redis migration failed',
  'taurusdb-backup-failed': 'TaurusDB backup failed',
  'taurusdb-backup-stale': 'TaurusDB backup too old',
  'check-failing': 'restore-pilot cannot check',
  'drs-throttled': 'DRS throttling restores',
  'config-refused': 'Configuration refused',
};

export function titleOf(kind: PageKind, scope: string): string {
  return `${kindTitle(kind)}: ${scope}`;
}

export function kindTitle(kind: PageKind): string {
  return TITLES[kind];
}

function noticeProblem(chain: Chain, database: string, notice: Notice, topicUrn: string): Problem {
  const kind: PageKind = notice.kind === 'upload-to-closed-chain' ? 'upload-to-closed-chain' : notice.kind === 'cutover-awaiting-tail-log' ? 'late-cutover-marker' : 'file-not-restored';
  const where = `bucket ${chain.bucket}, prefix "${chain.prefix}"`;
  const nextSteps: Record<string, string> = {
    'upload-to-closed-chain': `The database already received its final backup, so the file was not restored. If it belongs to a new migration, configure a new chain for it; otherwise delete it.`,
    'late-cutover-marker': `Take the tail-log backup on the source (BACKUP LOG … WITH NORECOVERY) and upload it to ${where}: it will be restored as the last backup and bring the database online.`,
    'file-not-restored': 'Check whether the migration needs this file. If a database is missing data because of it, restart it from a new full backup (npx restore-pilot restart).',
  };
  return {
    // The cutover marker's notice is one key in every database's chain: the database tells them apart.
    id: `${kind}:${chain.id}:${notice.key}${database ? `:${database}` : ''}`,
    kind,
    scope: chain.id,
    topicUrn,
    since: notice.at,
    title: titleOf(kind, chain.id),
    details: [`What happened: ${notice.key}: ${notice.detail}.`, `Chain: ${chain.id} (${where}) → RDS instance ${chain.targetInstanceId}`, `File: ${notice.key}`],
    nextStep: nextSteps[kind]!,
    // The source's marker reaches every database at once: one page asks for all their tail-log backups.
    ...(kind !== 'late-cutover-marker' ? { oneShot: true } : {}),
    ...(kind === 'late-cutover-marker' && database
      ? { group: { database, cause: `after ${notice.key}`, nextStep: `Take the tail-log backup of each database named (BACKUP LOG … WITH NORECOVERY) and upload it to ${where}: each is restored as its database's last backup and brings it online.` } }
      : {}),
  };
}

/** How long a hole may stay open before it pages: uploads arrive out of order, and big logs take minutes. */
export const HOLE_GRACE_MS = 10 * 60_000;

const shortTime = (startedAt: string) => startedAt.replace('T', ' ').slice(0, 16);

function holeProblem(chain: Chain, database: string, hole: Hole, topicUrn: string, where: string): Problem {
  const { restoredTo, nextAvailable } = hole;
  const name = (f: BackupFileRecord) => f.key.slice(chain.prefix.length);
  return {
    // Per restored point: once the missing log arrives the point moves and this resolves.
    id: `log-chain-broken:${chain.id}:${database}:${restoredTo.lsn}`,
    kind: 'log-chain-broken',
    scope: chain.id,
    topicUrn,
    since: Math.max(restoredTo.file.finishedAt ?? 0, nextAvailable.uploadedAt),
    title: titleOf('log-chain-broken', `${chain.id} ${database}`),
    details: [
      `What happened: log chain broken for ${database}: restored to LSN ${restoredTo.lsn} (${name(restoredTo.file)}, taken ${shortTime(restoredTo.file.header.startedAt)}); the next backup available starts at LSN ${nextAvailable.header.firstLsn} (${name(nextAvailable)}, taken ${shortTime(nextAvailable.header.startedAt)}). Nothing after the gap is sent to DRS.`,
      where,
    ],
    nextStep: `Upload the log backups of ${database} taken between them to the chain's folder; the chain resumes by itself. If they are gone for good, restart ${database} from a newer full backup: npx restore-pilot restart ${chain.id} --from <full backup key>.`,
    graceMs: HOLE_GRACE_MS,
    group: {
      database,
      nextStep: `Upload each database's log backups taken between the two LSNs to the source's folder; each resumes by itself. Many at once points at the copy to OBS (skipped files, a lifecycle rule, a second log backup job). One whose logs are gone for good restarts from a newer full: npx restore-pilot restart ${chain.id} --from <full backup key>.`,
    },
  };
}

/** Refused files: one page each, except a striped set, paged once naming every member found. */
function refusedProblems(chain: Chain, files: BackupFileRecord[], topicUrn: string, where: string): Problem[] {
  const groups = new Map<string, BackupFileRecord[]>();
  for (const file of files.filter((f) => f.status === 'refused')) {
    const id = file.refusal?.code === 'striped' && file.header ? `stripes:${file.header.mediaSetGuid}` : `${file.key}:${file.eTag}`;
    groups.set(id, [...(groups.get(id) ?? []), file]);
  }
  return [...groups].map(([id, members]) => {
    const first = members[0]!;
    const { what, nextStep } = describeRefusal(first.refusal!);
    const names = members.map((m) => m.key).sort();
    const happened =
      first.refusal!.code === 'striped'
        ? `the backup of ${first.header!.databaseName} was written to ${first.header!.familyCount} files (striped); DRS cannot restore a database split over several files. Members found: ${names.join(', ')}`
        : `${names.join(', ')} ${what}`;
    return {
      id: `backup-refused:${chain.id}:${id}`,
      kind: 'backup-refused' as const,
      scope: chain.id,
      topicUrn,
      since: first.uploadedAt,
      title: titleOf('backup-refused', chain.id),
      details: [`What happened: ${happened}. Nothing was sent to DRS.`, where, ...(first.header ? [`Database: ${first.header.databaseName} on ${first.header.serverName}`] : [])],
      nextStep,
      oneShot: true,
    };
  });
}

/** Preflight findings by cause: databases blocked for one reason take one fix. */
const PREFLIGHT_CAUSES: Record<PreflightCode, { cause: string; nextStep: string }> = {
  archived: {
    cause: 'full backup in Archive',
    nextStep: 'Restore the objects named from Archive (OBS console: Restore); restore-pilot checks again every tick and each chain goes on by itself once its object is readable.',
  },
  'newer-server': {
    cause: 'backup from a newer SQL Server',
    nextStep: 'The target runs an older SQL Server than the backups: restore into a target of that version or newer (the source\'s targetInstanceId), or upgrade the target. If you know DRS will accept a file anyway: npx restore-pilot retry FILE.',
  },
  'target-not-found': {
    cause: 'target instance not found',
    nextStep: "Check the source's targetInstanceId (the RDS instance does not exist in this region and project) and fix the configuration; restore-pilot checks again every tick.",
  },
};

/** Problems of one restore chain. */
export function chainProblems(chain: Chain, state: ChainState, now: number, defaultTopicUrn: string, database = ''): Problem[] {
  const topicUrn = chain.smnTopicUrn ?? defaultTopicUrn;
  const where = `Chain: ${chain.id} (bucket ${chain.bucket}, prefix "${chain.prefix}") → RDS instance ${chain.targetInstanceId}`;
  const problems: Problem[] = state.meta.notices.map((notice) => noticeProblem(chain, database, notice, topicUrn));
  problems.push(...refusedProblems(chain, Object.values(state.files), topicUrn, where));
  const files = Object.values(state.files).filter((f) => !isOutOfChain(f));

  for (const file of files.filter((f) => f.status === 'waiting' && f.preflight?.passed === false && !f.preflightOverride)) {
    const { code, detail } = file.preflight!;
    problems.push({
      // Per finding: it resolves when the check passes (the object was restored from Archive, the target changed).
      id: `preflight-blocked:${chain.id}:${file.key}:${code}`,
      kind: 'preflight-blocked',
      scope: chain.id,
      topicUrn,
      since: file.preflight!.at,
      title: titleOf('preflight-blocked', chain.id),
      details: [`What happened: ${file.key} (${file.header?.databaseName ?? '?'}) was not sent to DRS: ${detail}.`, where, `File: ${file.key}`],
      nextStep: `Fix what is named above; restore-pilot checks again every tick and goes on by itself. If you know DRS will accept the file anyway, send it with: npx restore-pilot retry ${file.key}`,
      group: { database: database || (file.header?.databaseName ?? '?'), cause: PREFLIGHT_CAUSES[code ?? 'target-not-found'].cause, nextStep: PREFLIGHT_CAUSES[code ?? 'target-not-found'].nextStep },
    });
  }

  for (const file of files.filter((f) => f.status === 'failed')) {
    const kind: PageKind = file.drsStatus === 'PRECHECK FAILED' ? 'precheck-failed' : 'restore-failed';
    problems.push({
      // Per attempt: a retry that fails again is a new failure, paged again.
      id: `${kind}:${chain.id}:${file.key}:${file.eTag}:${file.attempt}`,
      kind,
      scope: chain.id,
      topicUrn,
      since: file.finishedAt ?? now,
      title: titleOf(kind, chain.id),
      details: [
        `What happened: the DRS restore of ${file.key} ended ${file.drsStatus ?? 'in an error'}. The chain is halted: nothing after this file will be restored.`,
        where,
        `File: ${file.key} (${file.header ? `${file.header.type} backup of ${file.header.databaseName}, LSN ${file.header.firstLsn}–${file.header.lastLsn}` : 'backup'}, eTag ${file.eTag})`,
        `Job: ${file.jobId ?? '(not created)'} (${file.jobName})`,
        `DRS error log: ${(file.error ?? '(none)').slice(0, 4000)}`,
      ],
      nextStep:
        kind === 'precheck-failed'
          ? `DRS refused the file before restoring it. Check the error log: a missing or damaged file, a database that already exists (isCover), or target instance space. Fix the cause, then upload the same file again under the same name (restore-pilot retries it automatically), or, if the file itself was fine, run "npx restore-pilot retry ${file.key}".`
          : `Read the DRS error log. Fix the cause (often a broken log chain: re-take the backup), then upload the same file again under the same name; restore-pilot retries it and continues the chain. If the file was fine and the cause was on the instance, run "npx restore-pilot retry ${file.key}" instead.`,
      group: {
        database: database || (file.header?.databaseName ?? '?'),
        nextStep: `Read the error logs listed and fix the cause; one error on many databases points at the target instance (disk space, databases that already exist, permissions), not the files. Then upload each file again under the same name, or run npx restore-pilot retry FILE if the file was fine.`,
      },
    });
  }

  for (const file of files.filter((f) => f.status === 'running' && f.submittedAt !== undefined)) {
    const running = now - file.submittedAt!;
    if (running < chain.stuckAfterMinutes * 60_000) continue;
    problems.push({
      id: `restore-stuck:${chain.id}:${file.jobId}`,
      kind: 'restore-stuck',
      scope: chain.id,
      topicUrn,
      since: file.submittedAt! + chain.stuckAfterMinutes * 60_000,
      title: titleOf('restore-stuck', chain.id),
      details: [
        `What happened: the DRS restore of ${file.key} has been TRANSFERRING for ${minutes(running)} minutes (limit ${chain.stuckAfterMinutes}).`,
        where,
        `File: ${file.key}`,
        `Job: ${file.jobId} (${file.jobName})`,
      ],
      nextStep: `Open the job in the DRS console (backup migration) and check the RDS instance's disk, CPU and error log. If it is still progressing, wait; if it is hung, contact Huawei Cloud support with job id ${file.jobId}. The chain continues by itself once the job ends.`,
      group: {
        database: database || (file.header?.databaseName ?? '?'),
        nextStep: `Check RDS instance ${chain.targetInstanceId} (disk, CPU, error log) and the jobs in the DRS console: many stuck at once points at the instance. Still progressing: wait. Hung: contact Huawei Cloud support with the job ids listed. Each chain goes on once its job ends.`,
      },
    });
  }

  for (const view of viewChain(state, chain, now)) {
    const gap = chain.gapAlertMinutes * 60_000;
    const waiting = view.files.filter((f) => f.status === 'waiting').sort((a, b) => a.uploadedAt - b.uploadedAt);
    const finished = view.files.filter((f) => f.status === 'succeeded' && f.finishedAt !== undefined).map((f) => f.finishedAt!);
    const lastDone = finished.length > 0 ? Math.max(...finished) : undefined;
    const scope = `${chain.id} ${view.database}`;
    if (view.next.kind !== 'wait') continue;
    if (view.next.code === 'hole') problems.push(holeProblem(chain, view.database, view.next.hole!, topicUrn, where));
    else if (view.next.code === 'cutover-held') {
      problems.push({
        id: `cutover-held:${chain.id}:${view.database}:${view.next.final!.key}`,
        kind: 'cutover-held',
        scope: chain.id,
        topicUrn,
        since: now,
        title: titleOf('cutover-held', scope),
        details: [`What happened: ${view.next.detail}. A last restore (is_last_backup) cannot be undone, so nothing is sent until the final backup is the newest log known.`, where],
        nextStep: `If ${view.next.final!.key} is not the last log of ${view.database}, take and upload the tail-log backup (BACKUP LOG … WITH NORECOVERY) after the newer one; if the newer file does not belong to this migration, take it out with npx restore-pilot skip. Check with npx restore-pilot cutover ${chain.id} --dry-run.`,
        group: {
          database: view.database,
          nextStep: `See what holds each database: npx restore-pilot cutover ${chain.id} --dry-run. Where the final backup is not the last log, upload the tail-log backup (BACKUP LOG … WITH NORECOVERY) after the newer one; a newer file not of this migration comes out with npx restore-pilot skip.`,
        },
      });
    }
    else if (view.next.code === 'needs-full' && waiting[0] && now - waiting[0].uploadedAt >= gap) {
      problems.push({
        id: `chain-waiting:${chain.id}:${view.database}`,
        kind: 'chain-waiting',
        scope: chain.id,
        topicUrn,
        since: waiting[0].uploadedAt + gap,
        title: titleOf('chain-waiting', scope),
        details: [`What happened: ${waiting.length} log backup(s) of ${view.database} have waited more than ${chain.gapAlertMinutes} minutes: no full backup of ${view.database} has been uploaded.`, where, `Waiting: ${waiting.map((f) => f.key).slice(0, 20).join(', ')}`],
        nextStep: `Upload a full backup of ${view.database} to the chain's folder; the waiting log backups that follow it are restored automatically. If ${view.database} is not to be migrated, add it to the chain's excludeDatabases.`,
        group: {
          database: view.database,
          cause: 'no full backup',
          nextStep: `Upload a full backup of each database named to bucket ${chain.bucket}, prefix "${chain.prefix}"; the log backups waiting after it are restored automatically. Many at once: check that the full backup job covers them and copies to OBS. Databases not to be migrated: add them to the chain's excludeDatabases.`,
        },
      });
    } else if (view.next.code === 'nothing-waiting' && lastDone !== undefined && now - lastDone >= gap) {
      problems.push({
        id: `chain-waiting:${chain.id}:${view.database}`,
        kind: 'chain-waiting',
        scope: chain.id,
        topicUrn,
        since: lastDone + gap,
        title: titleOf('chain-waiting', scope),
        details: [`What happened: no new log backup of ${view.database} for ${minutes(now - lastDone)} minutes since the last restore finished (restored to LSN ${view.restoredTo?.lsn ?? '?'}), and it has no final backup yet.`, where],
        nextStep: 'Check the log backup job on the source SQL Server and the upload to OBS. At cutover, upload the final log backup (or the cutover marker, then the tail-log backup).',
        group: {
          database: view.database,
          cause: 'logs stopped arriving',
          nextStep: `Check the log backup job on the source SQL Server (stopped, failing, disk full, path changed) and its upload to bucket ${chain.bucket}, prefix "${chain.prefix}": one job usually serves all these databases. At cutover, upload the cutover marker, then each database's tail-log backup.`,
        },
      });
    }
  }
  return problems;
}

/** DCS statuses that mean the migration broke. Any other (running, done, deleted, or one we do not know) does not page. */
const DCS_FAILED: ReadonlySet<string> = new Set(['FAILED', 'MIGRATION_FAILED', 'TERMINATED', 'ERROR']);

/** A watched DCS migration task in a failed state. Names source and target; never their passwords. */
export function dcsProblems(task: MigrationTask, now: number, topicUrn: string): Problem[] {
  if (!DCS_FAILED.has(task.status)) return [];
  const endpoint = (e: MigrationTask['source_instance']) => (e ? `${e.name ?? e.id ?? '?'} (${e.addrs ?? e.ip ?? 'no address'})` : '(none)');
  return [
    {
      id: `dcs-migration-failed:${task.task_id}:${task.status}`,
      kind: 'dcs-migration-failed',
      scope: task.task_id,
      topicUrn,
      since: now,
      title: titleOf('dcs-migration-failed', task.task_name ?? task.task_id),
      details: [
        `What happened: DCS migration task ${task.task_name ?? ''} (${task.task_id}) is ${task.status}.`,
        `Source: ${endpoint(task.source_instance)}`,
        `Target: ${endpoint(task.target_instance)}`,
        `Type: ${task.migration_type ?? '?'}, updated ${task.updated_at ?? '?'}`,
      ],
      nextStep: 'Open the task in the DCS console (Data Migration), read its log, check that the migration ECS reaches both Redis addresses and that the passwords are still valid, then restart or recreate the task.',
    },
  ];
}

/** A finished TaurusDB backup: COMPLETED as documented, AVAILABLE as the service also answers. */
export const isTaurusBackupDone = (status: string) => status === 'COMPLETED' || status === 'AVAILABLE';

/** A watched TaurusDB instance: its newest backup failed, or its newest completed backup is too old. */
export function taurusProblems(instanceId: string, backups: TaurusBackup[], now: number, maxAgeHours: number, topicUrn: string): Problem[] {
  const byTime = [...backups].filter((b) => b.begin_time).sort((a, b) => parseTaurusTime(b.begin_time!) - parseTaurusTime(a.begin_time!));
  const problems: Problem[] = [];
  // The newest backup that ended one way or the other; one still building or being deleted says nothing yet.
  const newest = byTime.find((b) => b.status === 'FAILED' || isTaurusBackupDone(b.status));
  if (newest?.status === 'FAILED') {
    problems.push({
      id: `taurusdb-backup-failed:${instanceId}:${newest.id}`,
      kind: 'taurusdb-backup-failed',
      scope: instanceId,
      topicUrn,
      since: parseTaurusTime(newest.begin_time!),
      title: titleOf('taurusdb-backup-failed', instanceId),
      details: [`What happened: backup ${newest.name ?? newest.id} (${newest.type ?? '?'}) of TaurusDB instance ${instanceId} FAILED.`, `Started: ${newest.begin_time}`],
      nextStep: 'Check the instance events and free storage in the TaurusDB console, then run a manual backup and confirm it completes.',
    });
  }
  const completed = byTime.find((b) => isTaurusBackupDone(b.status));
  const completedAt = completed ? parseTaurusTime(completed.end_time ?? completed.begin_time!) : undefined;
  if (completedAt === undefined || now - completedAt > maxAgeHours * 3_600_000) {
    problems.push({
      id: `taurusdb-backup-stale:${instanceId}`,
      kind: 'taurusdb-backup-stale',
      scope: instanceId,
      topicUrn,
      since: completedAt === undefined ? now : completedAt + maxAgeHours * 3_600_000,
      title: titleOf('taurusdb-backup-stale', instanceId),
      details: [
        completedAt === undefined
          ? `What happened: TaurusDB instance ${instanceId} has no completed backup in the last ${maxAgeHours} hours.`
          : `What happened: the newest completed backup of TaurusDB instance ${instanceId} (${completed!.name ?? completed!.id}${typeof completed!.size === 'number' ? `, ${completed!.size} MB` : ''}) ended ${iso(completedAt)}, more than ${maxAgeHours} hours ago.`,
      ],
      nextStep: 'Check that the automated backup policy is enabled and whether a backup is stuck BUILDING; run a manual backup.',
    });
  }
  return problems;
}
