import type { Chain } from '../chains/config';
import { restoreKind } from '../chains/select';
import type { BackupFileRecord } from '../chains/state';
import type { CreateBackupMigrationJobRequest } from '../huawei/drs-schemas';

/** Splits `a/b/c.bak` into DRS's file name `c.bak` and obs_path `a/b/` (empty at the bucket root). */
export function obsLocation(key: string): { name: string; obsPath: string } {
  const slash = key.lastIndexOf('/');
  return { name: key.slice(slash + 1), obsPath: key.slice(0, slash + 1) };
}

export function restoreJobRequest(chain: Chain, file: BackupFileRecord, isLastBackup: boolean): CreateBackupMigrationJobRequest {
  // A file whose own name DRS refuses is restored from its DRS-safe copy (staging.ts).
  const { name, obsPath } = obsLocation(file.staging?.eTag ? file.staging.key : file.key);
  const { restore } = chain;
  const kind = restoreKind(file);
  const renames = restore.resetDbNameMap && kind === 'full' && isLastBackup ? { reset_db_name_map: restore.resetDbNameMap } : {};
  return {
    base_info: {
      name: file.jobName,
      engine_type: 'sqlserver',
      description: `restore-pilot chain ${chain.id}: ${file.header?.type ?? kind} backup of ${file.header?.databaseName ?? '?'}, ${file.key}`.slice(0, 255),
      ...(chain.tags ? { tags: chain.tags } : {}),
      ...(chain.enterpriseProjectId ? { enterprise_project_id: chain.enterpriseProjectId } : {}),
    },
    target_db_info: {
      target_instance_id: chain.targetInstanceId,
      ...(restore.msFileStreamStatus ? { ms_file_stream_status: restore.msFileStreamStatus } : {}),
    },
    backup_info: { file_source: 'OBS', bucket_name: chain.bucket, files: [{ name, obs_path: obsPath }] },
    options: {
      is_cover: restore.isCover || file.cover === true,
      is_default_restore: restore.isDefaultRestore,
      is_last_backup: isLastBackup,
      is_precheck: restore.isPrecheck,
      recovery_mode: kind === 'full' ? 'full' : 'incre',
      is_delete_backup_file: restore.isDeleteBackupFile,
      ...(restore.dbNames ? { db_names: restore.dbNames } : {}),
      ...renames,
    },
  };
}
