import type { Chain } from '../chains/config';
import type { ReadableFile } from '../chains/select';
import type { PreflightFacts } from '../chains/verdicts';
import type { ObsClient } from '../huawei/obs';
import { sqlServerMajorOf, type RdsClient } from '../huawei/rds';

export interface PreflightDeps {
  obs: Pick<ObsClient, 'headObject'>;
  rds: Pick<RdsClient, 'getInstance'>;
}

/** Before the first job of a database: the object's storage class (HEAD) and the target's SQL Server version (RDS). */
export async function preflightFacts(deps: PreflightDeps, chain: Chain, file: ReadableFile): Promise<PreflightFacts> {
  const [head, instance] = await Promise.all([deps.obs.headObject(chain.bucket, file.key), deps.rds.getInstance(chain.targetInstanceId)]);
  if (!instance) return { storageClass: head?.storageClass, targetMajor: null };
  return { storageClass: head?.storageClass, targetMajor: sqlServerMajorOf(instance.datastore.version), targetVersion: instance.datastore.version };
}
