import { describe, expect, it } from 'vitest';
import { restoreJobName } from '../../shared/chains/job-name';

/**
 * Jobs are found again (adopted after a lost answer, a crash or a lost state) only by this name, so
 * the formula is frozen: any change to its hash input names every in-flight job differently after a
 * deploy, and restore-pilot would create them a second time. These values must never change.
 */
describe('the DRS job name formula is frozen', () => {
  it('names a first attempt rp-<chain>-<16 hex of sha256(bucket/key#eTag)>', () => {
    expect(restoreJobName('erp-prod', 'mig-backups', 'erp/ERP_FULL_20261120000000.bak', '0123456789abcdef0123456789abcdef')).toBe('rp-erp-prod-6d73065abfd112c4');
    expect(restoreJobName('erp-prod', 'mig-backups', 'erp/ERP_FULL_20261120000000.bak', '0123456789abcdef0123456789abcdef', 1)).toBe('rp-erp-prod-6d73065abfd112c4');
    expect(restoreJobName('crm', 'mig-backups', 'erp/ERP LOG 20261120010000.trn', '9f86d081884c7d659a2feaa0c55ad015-3')).toBe('rp-crm-4fd3378b8125c5f5');
  });

  it('hashes a retry attempt in as #<attempt>: a new name, the number not readable in it', () => {
    expect(restoreJobName('erp-prod', 'mig-backups', 'erp/ERP_FULL_20261120000000.bak', '0123456789abcdef0123456789abcdef', 2)).toBe('rp-erp-prod-cd691fadff324c29');
  });
});
