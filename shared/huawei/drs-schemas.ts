import { isIP } from 'node:net';
import * as z from 'zod';

/** DRS backup-migration job shapes, as documented in drs-v5-*-backup-migration-job*.txt. */

export const DRS_JOB_STATUSES = ['TRANSFERRING', 'SUCCESS', 'FAILED', 'PRECHECK FAILED'] as const;
export const DrsJobStatus = z.enum(DRS_JOB_STATUSES);
export type DrsJobStatus = z.infer<typeof DrsJobStatus>;

export const JobName = z
  .string()
  .min(4, 'must be 4 to 50 characters')
  .max(50, 'must be 4 to 50 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, hyphens and underscores');

export const BucketName = z
  .string()
  .min(3, 'must be 3 to 63 characters')
  .max(63, 'must be 3 to 63 characters')
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'may contain only lowercase letters, digits, hyphens and periods, and must start and end with a letter or digit')
  .refine((name) => isIP(name) === 0, 'must not be an IP address');

export const ResourceTag = z.object({
  key: z
    .string()
    .min(1, 'must not be empty')
    .max(36, 'must be at most 36 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, underscores and hyphens')
    .optional(),
  value: z
    .string()
    .regex(/^[A-Za-z0-9 _.:/=+\-@]*$/, 'may contain only letters, digits, spaces and _ . : / = + - @')
    .optional(),
});
export type ResourceTag = z.infer<typeof ResourceTag>;

const BackupFile = z.object({
  name: z.string(),
  obs_path: z.string().optional(),
  rds_version: z.string().optional(),
  rds_source_instance_id: z.string().optional(),
});

export const CreateBackupMigrationJobRequest = z
  .object({
    base_info: z.object({
      name: JobName,
      engine_type: z.literal('sqlserver'),
      description: z.string().optional(),
      tags: z.array(ResourceTag).optional(),
      enterprise_project_id: z.string().optional(),
    }),
    target_db_info: z.object({
      target_instance_id: z.string().min(1, 'is required'),
      ms_file_stream_status: z.string().optional(),
      file_id: z.string().optional(),
    }),
    backup_info: z.object({
      file_source: z.enum(['OBS', 'RDS']),
      bucket_name: BucketName.optional(),
      files: z.array(BackupFile).min(1, 'must list at least one backup file'),
    }),
    options: z.object({
      is_cover: z.boolean().optional(),
      is_default_restore: z.boolean().optional(),
      is_last_backup: z.boolean(),
      is_precheck: z.boolean(),
      recovery_mode: z.enum(['full', 'incre']),
      db_names: z.array(z.string()).optional(),
      reset_db_name_map: z.record(z.string(), z.string()).optional(),
      is_delete_backup_file: z.boolean().optional(),
    }),
  })
  .superRefine((job, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const { backup_info: backup, options } = job;
    if (backup.file_source === 'OBS') {
      if (!backup.bucket_name) issue(['backup_info', 'bucket_name'], 'is required when file_source is OBS');
      backup.files.forEach((file, i) => {
        if (!file.name) issue(['backup_info', 'files', i, 'name'], 'is required when file_source is OBS');
        if (file.obs_path === undefined) issue(['backup_info', 'files', i, 'obs_path'], 'is required when file_source is OBS ("" for the bucket root)');
      });
    } else {
      if (!job.target_db_info.file_id) issue(['target_db_info', 'file_id'], 'is required when file_source is RDS');
      if (options.recovery_mode !== 'full') issue(['options', 'recovery_mode'], 'must be full when file_source is RDS');
      backup.files.forEach((file, i) => {
        if (!file.rds_version) issue(['backup_info', 'files', i, 'rds_version'], 'is required when file_source is RDS');
        if (!file.rds_source_instance_id) issue(['backup_info', 'files', i, 'rds_source_instance_id'], 'is required when file_source is RDS');
      });
    }
    if (options.is_default_restore !== true && !(options.db_names ?? []).some((name) => name !== '')) {
      issue(['options', 'db_names'], 'must name at least one database unless is_default_restore is true');
    }
    const resetMap = options.reset_db_name_map ?? {};
    // DRS reads only the key "" ({"": "new_name"}); a map keyed by the old name is not a rename.
    if (backup.file_source === 'OBS' && Object.keys(resetMap).some((key) => key !== '')) {
      issue(['options', 'reset_db_name_map'], 'must use the key "" with the new database name as its value ({"": "new_name"})');
    }
    if (Object.keys(resetMap).length > 0 && backup.file_source === 'OBS') {
      if (options.recovery_mode !== 'full' || !options.is_last_backup) {
        issue(['options', 'reset_db_name_map'], 'is allowed only for a full backup that is also the last backup');
      }
      if (Object.keys(resetMap).length > 1) issue(['options', 'reset_db_name_map'], 'is allowed only for a backup file with a single database');
    }
  });
export type CreateBackupMigrationJobRequest = z.input<typeof CreateBackupMigrationJobRequest>;

export const ListBackupMigrationJobsQuery = z.object({
  name: z.string().min(1).optional(),
  status: DrsJobStatus.optional(),
  dbs_instance_ids: z.array(z.string().min(1)).max(10, 'at most 10 DB instance IDs').optional(),
  description: z.string().optional(),
  create_at: z.string().optional(),
  completed_at: z.string().optional(),
  enterprise_project_id: z.string().optional(),
  tags: z.string().optional(),
  limit: z.number().int().min(1, 'must be at least 1').optional(),
  offset: z.number().int().min(0, 'must not be negative').optional(),
  sort_key: z.string().optional(),
  sort_dir: z.string().optional(),
});
export type ListBackupMigrationJobsQuery = z.input<typeof ListBackupMigrationJobsQuery>;

export const BackupMigrationJobSummary = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: DrsJobStatus,
  engine_type: z.string().nullish(),
  error_log: z.string().nullish(),
  description: z.string().nullish(),
  create_time: z.string().nullish(),
  finish_time: z.string().nullish(),
  enterprise_project_id: z.string().nullish(),
});
export type BackupMigrationJobSummary = z.infer<typeof BackupMigrationJobSummary>;

export const ListBackupMigrationJobsResponse = z.looseObject({
  count: z.number().int(),
  jobs: z.array(BackupMigrationJobSummary),
});
export type ListBackupMigrationJobsResponse = z.infer<typeof ListBackupMigrationJobsResponse>;

export const CreateBackupMigrationJobResponse = z.looseObject({ job_id: z.string().min(1) });

export const BackupMigrationJob = z.looseObject({
  id: z.string(),
  status: DrsJobStatus,
  create_time: z.string().nullish(),
  finish_time: z.string().nullish(),
  backup_info: z
    .looseObject({
      file_source: z.string().nullish(),
      bucket_name: z.string().nullish(),
      file_info: z
        .array(z.looseObject({ file_name: z.string().nullish(), file_size: z.string().nullish(), file_last_modify: z.string().nullish() }))
        .nullish(),
    })
    .nullish(),
  base_info: z
    .looseObject({
      name: z.string().nullish(),
      engine_type: z.string().nullish(),
      description: z.string().nullish(),
      tags: z.array(z.looseObject({ key: z.string().nullish(), value: z.string().nullish() })).nullish(),
      enterprise_project_id: z.string().nullish(),
    })
    .nullish(),
  target_db_info: z
    .looseObject({ target_instance_id: z.string().nullish(), ms_file_stream_status: z.string().nullish(), file_id: z.string().nullish() })
    .nullish(),
  options: z
    .looseObject({
      is_cover: z.boolean().nullish(),
      is_default_restore: z.boolean().nullish(),
      is_last_backup: z.boolean().nullish(),
      is_precheck: z.boolean().nullish(),
      /** Get answers "1" (full) or "2" (incremental), not the "full"/"incre" that was sent: never compare the two. */
      recovery_mode: z.string().nullish(),
      db_names: z.array(z.string()).nullish(),
      reset_db_name_map: z.record(z.string(), z.string()).nullish(),
      is_delete_backup_file: z.boolean().nullish(),
    })
    .nullish(),
  new_db_names: z.string().nullish(),
  instance_name: z.string().nullish(),
  error_log: z.string().nullish(),
});
export type BackupMigrationJob = z.infer<typeof BackupMigrationJob>;
