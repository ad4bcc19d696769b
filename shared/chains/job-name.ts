import { createHash } from 'node:crypto';

/**
 * The DRS job name for one uploaded file version: `rp-<chain>-<16 hex of sha256(bucket/key#eTag)>`,
 * at most 40 characters of [a-z0-9-]. The same version always gets the same name, so a create whose
 * answer was lost can be found and adopted. A re-upload with new content has a new eTag, hence a new
 * name; an identical re-upload that retries a failed file adds its attempt number to the hash.
 */
export function restoreJobName(chainId: string, bucket: string, key: string, eTag: string, attempt = 1): string {
  const version = `${bucket}/${key}#${eTag}${attempt > 1 ? `#${attempt}` : ''}`;
  return `rp-${chainId}-${createHash('sha256').update(version).digest('hex').slice(0, 16)}`;
}
