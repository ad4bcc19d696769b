import { describe, expect, it } from 'vitest';
import { backupForName } from '../../scripts/synthetic/backups';
import { admitBackup } from '../../shared/chains/admit';
import { parseChains, type Chain } from '../../shared/chains/config';
import { headerRead } from '../../shared/chains/header-read';
import { restoreJobName } from '../../shared/chains/job-name';
import { emptyChainState } from '../../shared/chains/state';
import { obsLocation, restoreJobRequest } from '../../shared/restore/job-request';

const [chain, fullOnly] = parseChains(
  JSON.stringify([
    { id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-1' },
    { id: 'crm', bucket: 'mig-backups', prefix: 'crm/', targetInstanceId: 'inst-2', mode: 'full-only', restore: { resetDbNameMap: { '': 'crm_new' } } },
  ]),
) as [Chain, Chain];
const fileOf = (on: Chain, key: string) => admitBackup(emptyChainState(), on, { key, eTag: 'e1', now: 1 }, headerRead(backupForName(key))).state.files[key]!;

describe('restore job request', () => {
  it('maps a file to the documented DRS request', () => {
    const request = restoreJobRequest(chain, fileOf(chain, 'erp/DB_FULL_20261120000000.bak'), false);
    expect(request).toMatchObject({
      base_info: { name: expect.stringMatching(/^rp-erp-prod-[0-9a-f]{16}$/), engine_type: 'sqlserver' },
      target_db_info: { target_instance_id: 'inst-1' },
      backup_info: { file_source: 'OBS', bucket_name: 'mig-backups', files: [{ name: 'DB_FULL_20261120000000.bak', obs_path: 'erp/' }] },
      options: { recovery_mode: 'full', is_last_backup: false, is_precheck: true, is_cover: false, is_default_restore: true, is_delete_backup_file: true },
    });
    expect(restoreJobRequest(chain, fileOf(chain, 'erp/DB_LOG_20261120010000.trn'), true).options).toMatchObject({ recovery_mode: 'incre', is_last_backup: true });
    expect(restoreJobRequest(chain, { ...fileOf(chain, 'erp/DB_FULL_20261120000000.bak'), cover: true }, false).options.is_cover).toBe(true);
    expect(obsLocation('c.bak')).toEqual({ name: 'c.bak', obsPath: '' });
    expect(obsLocation('a/b/c.bak')).toEqual({ name: 'c.bak', obsPath: 'a/b/' });
  });

  it('renames the database only on a full that is the last backup', () => {
    const file = fileOf(fullOnly, 'crm/CRM_FULL_20261120000000.bak');
    expect(restoreJobRequest(fullOnly, file, true).options.reset_db_name_map).toEqual({ '': 'crm_new' });
    expect(restoreJobRequest(fullOnly, file, false).options.reset_db_name_map).toBeUndefined();
  });

  it('job names are 4-50 chars of [A-Za-z0-9_-], stable per version, different per eTag', () => {
    const name = restoreJobName('a-twenty-char-chain-', 'b', 'k'.repeat(1000), 'e');
    expect(name).toMatch(/^[A-Za-z0-9_-]{4,50}$/);
    expect(restoreJobName('c', 'b', 'k', 'e')).toBe(restoreJobName('c', 'b', 'k', 'e'));
    expect(restoreJobName('c', 'b', 'k', 'e')).not.toBe(restoreJobName('c', 'b', 'k', 'f'));
  });
});
