import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { BackupHeader } from '../../shared/backup/header';
import type { ObsStore } from './obs';
import { judgeRestore } from './sqlserver-restore';

/** SQL Server's header is in a backup's first ~11 KB; DRS reads the whole file, this reads what it needs. */
const HEADER_BYTES = 64 * 1024;
import { error, intParam, ok, type Route } from './route';

/**
 * The job statuses of drs-v5-list-backup-migration-jobs.txt, written down here rather than taken from
 * the client: the local cloud is a second reading of the spec, so the two can disagree and a test see it.
 */
const JOB_STATUSES = ['TRANSFERRING', 'SUCCESS', 'FAILED', 'PRECHECK FAILED'] as const;
type JobStatus = (typeof JOB_STATUSES)[number];

/** Get answers `recovery_mode` as "1" (full) or "2" (incremental), not as the "full"/"incre" sent. */
const RECOVERY_MODE_ANSWERED = { full: '1', incre: '2' } as const;

/** The fields of a create request the simulation reads, once createRequestProblem has passed it. */
interface CreateRequest {
  base_info: { name: string; engine_type: string; description?: string; tags?: { key?: string; value?: string }[]; enterprise_project_id?: string };
  target_db_info: { target_instance_id: string; file_id?: string };
  backup_info: { file_source: 'OBS' | 'RDS'; bucket_name?: string; files: { name: string; obs_path?: string }[] };
  options: { is_last_backup: boolean; is_precheck: boolean; recovery_mode: 'full' | 'incre'; reset_db_name_map?: Record<string, string> } & Record<string, unknown>;
}

/** What a restore of a given backup file will end in. */
export interface ScriptedOutcome {
  status: 'SUCCESS' | 'FAILED' | 'PRECHECK FAILED' | 'STUCK';
  errorLog?: string;
  /** How many jobs for this file it applies to; 1 by default, so a re-upload then succeeds. */
  times?: number;
}

export interface DrsOptions {
  /** Time a job spends TRANSFERRING before it ends. */
  jobDurationMs: number;
  /** Time before a failing precheck reports PRECHECK FAILED. */
  precheckMs: number;
}

interface SimJob {
  id: string;
  request: CreateRequest;
  createdAt: number;
  /** When the job reaches its outcome; Infinity while stuck. */
  endsAt: number;
  outcome: Exclude<ScriptedOutcome['status'], 'STUCK'> | 'STUCK';
  errorLog?: string;
  /** The restored file's header, once SQL Server accepted it. */
  header?: BackupHeader;
}

/**
 * Checks a create request against drs-v5-create-backup-migration-job.txt, written from its tables
 * rather than reusing the client's schema, so a mistake in one is caught by the other.
 */
export function createRequestProblem(body: unknown): string | undefined {
  const b = (body ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const base = b.base_info;
  const target = b.target_db_info;
  const backup = b.backup_info;
  const options = b.options;
  if (!base || !target || !backup || !options) return 'base_info, target_db_info, backup_info and options are mandatory';
  if (typeof base.name !== 'string' || !/^[A-Za-z0-9_-]{4,50}$/.test(base.name)) return 'base_info.name: 4 to 50 letters, digits, hyphens or underscores';
  if (base.engine_type !== 'sqlserver') return 'base_info.engine_type: must be sqlserver';
  for (const tag of (base.tags as { key?: unknown; value?: unknown }[] | undefined) ?? []) {
    if (tag.key !== undefined && (typeof tag.key !== 'string' || !/^[A-Za-z0-9_-]{1,36}$/.test(tag.key))) return 'base_info.tags.key';
    if (tag.value !== undefined && (typeof tag.value !== 'string' || !/^[A-Za-z0-9 _.:/=+\-@]*$/.test(tag.value))) return 'base_info.tags.value';
  }
  if (typeof target.target_instance_id !== 'string' || !target.target_instance_id) return 'target_db_info.target_instance_id is mandatory';
  if (backup.file_source !== 'OBS' && backup.file_source !== 'RDS') return 'backup_info.file_source: OBS or RDS, in upper case';
  const files = backup.files as Record<string, unknown>[] | undefined;
  if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f?.name !== 'string')) return 'backup_info.files: mandatory, each with a name';
  if (backup.file_source === 'OBS') {
    const bucket = backup.bucket_name;
    if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || isIP(bucket) !== 0) return 'backup_info.bucket_name';
    if (files.some((f) => typeof f.obs_path !== 'string')) return 'backup_info.files.obs_path is mandatory for OBS';
  } else if (typeof target.file_id !== 'string' || !target.file_id) return 'target_db_info.file_id is mandatory for RDS';
  if (typeof options.is_last_backup !== 'boolean') return 'options.is_last_backup: mandatory boolean';
  if (typeof options.is_precheck !== 'boolean') return 'options.is_precheck: mandatory boolean';
  if (options.recovery_mode !== 'full' && options.recovery_mode !== 'incre') return 'options.recovery_mode: full or incre';
  // "Currently, the format key is \"\", and value indicates the name of the new database." The page's
  // RDS example keys it by database name; for OBS files only "" is accepted.
  const renames = options.reset_db_name_map;
  if (backup.file_source === 'OBS' && renames !== undefined && (typeof renames !== 'object' || renames === null || Object.entries(renames).some(([k, v]) => k !== '' || typeof v !== 'string'))) {
    return 'options.reset_db_name_map: the key must be "" and the value the new database name';
  }
  return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * DRS backup migration as the reference pages describe it, with the life a real restore has:
 * TRANSFERRING, then SUCCESS, FAILED or PRECHECK FAILED. Restores into one instance follow SQL
 * Server's rules by LSN, per database (sqlserver-restore.ts), reading each file from the local OBS.
 */
export class DrsService {
  readonly jobs = new Map<string, SimJob>();
  private readonly scripted = new Map<string, ScriptedOutcome>();
  /** The most jobs seen TRANSFERRING at once per target instance (the count only rises at a create). */
  private readonly peaks = new Map<string, number>();

  constructor(
    private readonly obs: ObsStore,
    public options: DrsOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes the next restore(s) of `fileName` end as scripted. */
  script(fileName: string, outcome: ScriptedOutcome): void {
    this.scripted.set(fileName, { times: 1, ...outcome });
  }

  /** Ends every job still transferring (stuck ones stay stuck). */
  settle(): void {
    const now = this.now();
    for (const job of this.jobs.values()) if (job.endsAt > now && job.endsAt !== Infinity) job.endsAt = now;
  }

  /** Jobs TRANSFERRING on the instance now. */
  inFlight(instanceId: string): number {
    return [...this.jobs.values()].filter((job) => job.request.target_db_info.target_instance_id === instanceId && this.statusOf(job) === 'TRANSFERRING').length;
  }

  /**
   * The most restore jobs ever in flight at once on the instance, as this DRS saw them: what tests and
   * the bench hold restore-pilot's per-instance limit to. The reference documents no such limit, so
   * this DRS enforces none (429s for creates come from fault injection).
   */
  peakInFlight(instanceId: string): number {
    return this.peaks.get(instanceId) ?? 0;
  }

  statusOf(job: SimJob): JobStatus {
    if (job.outcome === 'STUCK' || this.now() < job.endsAt) return 'TRANSFERRING';
    return job.outcome;
  }

  private decideOutcome(request: SimJob['request']): Pick<SimJob, 'outcome' | 'errorLog' | 'header'> {
    const file = request.backup_info.files[0]!;
    const scripted = this.scripted.get(file.name);
    if (scripted) {
      scripted.times = (scripted.times ?? 1) - 1;
      if (scripted.times <= 0) this.scripted.delete(file.name);
      return { outcome: scripted.status, errorLog: scripted.errorLog ?? `${scripted.status} (scripted for ${file.name})` };
    }
    if (request.backup_info.file_source !== 'OBS') return { outcome: 'SUCCESS' };
    const key = `${file.obs_path ?? ''}${file.name}`;
    const object = this.obs.get(request.backup_info.bucket_name ?? '', key);
    if (!object) return { outcome: 'PRECHECK FAILED', errorLog: `Backup file ${key} was not found in bucket ${request.backup_info.bucket_name}.` };
    const instance = request.target_db_info.target_instance_id;
    const history = [...this.jobs.values()]
      .filter((j) => j.request.target_db_info.target_instance_id === instance && j.header && this.statusOf(j) === 'SUCCESS')
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((j) => ({ header: j.header!, recovered: j.request.options.is_last_backup }));
    const verdict = judgeRestore(object.content.subarray(0, HEADER_BYTES), { incremental: request.options.recovery_mode === 'incre', cover: request.options.is_cover === true }, history);
    // With is_precheck on, DRS checks validity, continuity and compatibility first and ends PRECHECK FAILED.
    if (!verdict.ok) return { outcome: request.options.is_precheck ? 'PRECHECK FAILED' : 'FAILED', errorLog: verdict.errorLog };
    return { outcome: 'SUCCESS', header: verdict.header };
  }

  private summary(job: SimJob) {
    const status = this.statusOf(job);
    const done = status !== 'TRANSFERRING';
    return {
      id: job.id,
      name: job.request.base_info.name,
      status,
      engine_type: job.request.base_info.engine_type,
      description: job.request.base_info.description ?? '',
      create_time: iso(job.createdAt),
      ...(done ? { finish_time: iso(job.endsAt) } : {}),
      ...(done && status !== 'SUCCESS' ? { error_log: job.errorLog } : {}),
      enterprise_project_id: job.request.base_info.enterprise_project_id ?? '0',
    };
  }

  private detail(job: SimJob) {
    const { error_log, name, engine_type, description, enterprise_project_id, ...times } = this.summary(job);
    const { request } = job;
    return {
      ...times,
      backup_info: {
        file_source: request.backup_info.file_source,
        bucket_name: request.backup_info.bucket_name,
        file_info: request.backup_info.files.map((file) => {
          const stored = this.obs.get(request.backup_info.bucket_name ?? '', `${file.obs_path ?? ''}${file.name}`);
          return {
            file_name: file.name,
            file_size: `${Math.ceil((stored?.size ?? 0) / 1024)}KB`,
            file_last_modify: String(stored?.lastModified.getTime() ?? job.createdAt),
          };
        }),
      },
      base_info: { name, engine_type, description, enterprise_project_id, tags: request.base_info.tags ?? [] },
      target_db_info: { target_instance_id: request.target_db_info.target_instance_id },
      options: { db_names: [], ...request.options, recovery_mode: RECOVERY_MODE_ANSWERED[request.options.recovery_mode] },
      new_db_names: JSON.stringify(Object.values(request.options.reset_db_name_map ?? {})),
      instance_name: '',
      ...(error_log ? { error_log } : {}),
    };
  }

  routes(): Route[] {
    return [
      {
        method: 'GET',
        pattern: /^\/v5\/(?<project>[^/]+)\/backup-migration-jobs$/,
        operation: 'drs.listBackupMigrationJobs',
        handle: ({ query }) => {
          const limit = intParam(query, 'limit') ?? 10;
          const offset = intParam(query, 'offset') ?? 0;
          if (Number.isNaN(limit) || limit < 1) return error(400, 'DRS.10000001', 'Invalid parameter: limit.');
          if (Number.isNaN(offset)) return error(400, 'DRS.10000001', 'Invalid parameter: offset.');
          const status = query.get('status');
          if (status !== null && !(JOB_STATUSES as readonly string[]).includes(status)) return error(400, 'DRS.10000001', 'Invalid parameter: status.');
          const instances = query.getAll('dbs_instance_ids');
          if (instances.length > 10) return error(400, 'DRS.10000001', 'Invalid parameter: dbs_instance_ids supports at most 10 IDs.');
          const name = query.get('name')?.toLowerCase();
          const description = query.get('description');
          const project = query.get('enterprise_project_id');
          const createdFrom = query.get('create_at');
          const completedFrom = query.get('completed_at');
          const tag = query.get('tags');
          const sortKey = query.get('sort_key') ?? 'create_time';
          const direction = query.get('sort_dir')?.toLowerCase() === 'asc' ? 1 : -1;
          const matching = [...this.jobs.values()]
            .map((job) => ({ job, summary: this.summary(job) }))
            .filter(({ job, summary }) =>
              (!name || summary.name.toLowerCase().includes(name)) &&
              (status === null || summary.status === status) &&
              (instances.length === 0 || instances.includes(job.request.target_db_info.target_instance_id)) &&
              (description === null || summary.description.includes(description)) &&
              (project === null || summary.enterprise_project_id === project) &&
              (createdFrom === null || summary.create_time >= createdFrom) &&
              (completedFrom === null || (summary.finish_time ?? '') >= completedFrom) &&
              (tag === null || (job.request.base_info.tags ?? []).some((t) => tag === t.key || tag === `${t.key}=${t.value}`)),
            )
            .sort((a, b) => {
              const x = String((a.summary as Record<string, unknown>)[sortKey] ?? '');
              const y = String((b.summary as Record<string, unknown>)[sortKey] ?? '');
              return (x < y ? -1 : x > y ? 1 : a.job.createdAt - b.job.createdAt) * direction;
            });
          return ok({ jobs: matching.slice(offset, offset + limit).map((m) => m.summary), count: matching.length });
        },
      },
      {
        method: 'POST',
        pattern: /^\/v5\/(?<project>[^/]+)\/backup-migration-jobs$/,
        operation: 'drs.createBackupMigrationJob',
        handle: ({ body }) => {
          const problem = createRequestProblem(body);
          if (problem) return error(400, 'DRS.10000001', `Invalid parameter: ${problem}`);
          const request = body as SimJob['request'];
          const now = this.now();
          const decided = this.decideOutcome(request);
          const endsAt = decided.outcome === 'STUCK' ? Infinity : now + (decided.outcome === 'PRECHECK FAILED' ? this.options.precheckMs : this.options.jobDurationMs);
          const job: SimJob = { id: randomUUID(), request, createdAt: now, endsAt, ...decided };
          this.jobs.set(job.id, job);
          const instance = request.target_db_info.target_instance_id;
          this.peaks.set(instance, Math.max(this.peakInFlight(instance), this.inFlight(instance)));
          return ok({ job_id: job.id });
        },
      },
      {
        method: 'GET',
        pattern: /^\/v5\/(?<project>[^/]+)\/backup-migration-jobs\/(?<jobId>[^/]+)$/,
        operation: 'drs.getBackupMigrationJob',
        handle: ({ params }) => {
          const job = this.jobs.get(params.jobId ?? '');
          return job ? ok(this.detail(job)) : error(400, 'DRS.10000010', 'Job does not exist, please check job ID.');
        },
      },
    ];
  }
}
