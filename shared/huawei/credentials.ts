import { ConfigError } from './errors';
import { fromContext, type FunctionGraphContext } from '../functiongraph/context';
import { registerSecret } from '../log/redact';
import type { Settings } from '../settings';

export interface Credentials {
  ak: string;
  sk: string;
  /** Present for temporary (agency) credentials; sent as X-Security-Token. */
  securityToken?: string;
  source: 'environment' | 'agency';
}

/**
 * First found wins: the HUAWEICLOUD_SDK_* environment variables, else the FunctionGraph agency's
 * temporary credentials. Every value found is registered for redaction before it goes anywhere.
 */
export function resolveCredentials(env: Settings, context?: FunctionGraphContext): Credentials {
  const envAk = env.HUAWEICLOUD_SDK_AK;
  const envSk = env.HUAWEICLOUD_SDK_SK;
  if (envAk || envSk) {
    if (!envAk) throw new ConfigError('HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is empty');
    if (!envSk) throw new ConfigError('HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is empty');
    const token = env.HUAWEICLOUD_SDK_SECURITY_TOKEN || undefined;
    [envAk, envSk, token].forEach((value) => registerSecret(value)); // again each invocation: stays among the newest
    return { ak: envAk, sk: envSk, ...(token ? { securityToken: token } : {}), source: 'environment' };
  }
  const ak = fromContext(context, 'getSecurityAccessKey');
  const sk = fromContext(context, 'getSecuritySecretKey');
  const token = fromContext(context, 'getSecurityToken');
  [ak, sk, token].forEach((value) => registerSecret(value));
  if (ak && sk) return { ak, sk, ...(token ? { securityToken: token } : {}), source: 'agency' };
  throw new ConfigError(
    'HUAWEICLOUD_SDK_AK',
    'no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or give the function an agency so FunctionGraph supplies temporary credentials',
  );
}

/** An explicit HUAWEICLOUD_SDK_PROJECT_ID, else FunctionGraph's: the context's, or RUNTIME_PROJECT_ID. */
export function resolveProjectId(env: Settings, context?: FunctionGraphContext): string {
  const projectId = env.HUAWEICLOUD_SDK_PROJECT_ID || fromContext(context, 'getProjectID') || env.RUNTIME_PROJECT_ID;
  if (!projectId) {
    throw new ConfigError('HUAWEICLOUD_SDK_PROJECT_ID', 'no project id: set HUAWEICLOUD_SDK_PROJECT_ID (FunctionGraph also supplies it through the context)');
  }
  if (!/^[A-Za-z0-9-]{1,64}$/.test(projectId)) {
    throw new ConfigError('HUAWEICLOUD_SDK_PROJECT_ID', 'must be letters, digits and hyphens, at most 64 characters');
  }
  return projectId;
}
