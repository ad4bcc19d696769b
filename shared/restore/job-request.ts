import { createHash } from 'node:crypto';
import type { Chain } from '../chains/config';
import type { BackupFileRecord } from '../chains/state';
import type { CreateBackupMigrationJobRequest } from '../huawei/drs-schemas';

/**
 * The DRS job name for one uploaded file version: `rp-<chain>-<16 hex of sha256(bucket/key#eTag)>`,
 * at most 40 characters of [a-z0-9-]. The same version always gets the same name, so a create whose
 * answer was lost can be found and adopted; a re-upload (new eTag) gets a new name.
 */
export function restoreJobName(chainId: string, bucket: string, key: string, eTag: string): string {
  const digest = createHash('sha256').update(`${bucket}/${key}#${eTag}`).digest('hex').slice(0, 16);
  return `rp-${chainId}-${digest}`;
}

/** Splits `a/b/c.bak` into DRS's file name `c.bak` and obs_path `a/b/` (empty at the bucket root). */
export function obsLocation(key: string): { name: string; obsPath: string } {
  const slash = key.lastIndexOf('/');
  return { name: key.slice(slash + 1), obsPath: key.slice(0, slash + 1) };
}

export function restoreJobRequest(chain: Chain, file: BackupFileRecord, isLastBackup: boolean): CreateBackupMigrationJobRequest {
  const { name, obsPath } = obsLocation(file.key);
  const { restore } = chain;
  const renames = restore.resetDbNameMap && file.kind === 'full' && isLastBackup ? { reset_db_name_map: restore.resetDbNameMap } : {};
  return {
    base_info: {
      name: file.jobName,
      engine_type: 'sqlserver',
      description: `restore-pilot chain ${chain.id}: ${file.kind} backup ${file.key}`.slice(0, 255),
      ...(chain.tags ? { tags: chain.tags } : {}),
      ...(chain.enterpriseProjectId ? { enterprise_project_id: chain.enterpriseProjectId } : {}),
    },
    target_db_info: {
      target_instance_id: chain.targetInstanceId,
      ...(restore.msFileStreamStatus ? { ms_file_stream_status: restore.msFileStreamStatus } : {}),
    },
    backup_info: { file_source: 'OBS', bucket_name: chain.bucket, files: [{ name, obs_path: obsPath }] },
    options: {
      is_cover: restore.isCover,
      is_default_restore: restore.isDefaultRestore,
      is_last_backup: isLastBackup,
      is_precheck: restore.isPrecheck,
      recovery_mode: file.kind === 'full' ? 'full' : 'incre',
      is_delete_backup_file: restore.isDeleteBackupFile,
      ...(restore.dbNames ? { db_names: restore.dbNames } : {}),
      ...renames,
    },
  };
}
