import { parseChains } from '../../shared/chains/config';
import { ConfigError } from '../../shared/huawei/errors';
import { parsePollerConfig } from '../../shared/poller/config';
import { parseStateUrl } from '../../shared/state/open';
import type { ServiceSpec } from './spec';

/** FunctionGraph counts every key and value, plain and encrypted together. */
export function environmentSize(environment: Record<string, string>): number {
  return Object.entries(environment).reduce((total, [name, value]) => total + name.length + value.length, 0);
}

/**
 * Runs the functions' own configuration checks on what is about to be deployed, so a missing
 * STATE_URL, a broken RESTORE_CHAINS or an environment FunctionGraph would refuse stops the deploy
 * before anything changes in the cloud, with the same message the function would log at its first invocation.
 */
export function preflight(spec: ServiceSpec): void {
  for (const fn of spec.functions) {
    const fail = (field: string, reason: string): never => {
      throw new Error(`cannot deploy ${fn.key}: ${field} ${reason}`);
    };
    try {
      const env = fn.environment;
      if (parseStateUrl(env.STATE_URL).kind === 'file') {
        fail('STATE_URL', 'must be a redis:// or rediss:// URL (Huawei DCS): a file store would be per instance and break exactly-once');
      }
      const size = environmentSize(env);
      if (size > spec.environmentLimit) {
        const raise = spec.environmentLimit < 4096 ? `; only if ${spec.region} is among the regions FunctionGraph lists with 4096, set provider.environmentLimit: 4096` : '';
        fail(
          'environment',
          `is ${size} characters (keys plus values, plain and encrypted together; RESTORE_CHAINS alone ${(env.RESTORE_CHAINS ?? '').length}), and FunctionGraph allows ${spec.environmentLimit} in ${spec.region}: shorten RESTORE_CHAINS${raise}`,
        );
      }
      const chains = parseChains(env.RESTORE_CHAINS);
      for (const trigger of fn.triggers) {
        if (trigger.trigger_type_code === 'TIMER') parsePollerConfig(env, chains);
        if (trigger.trigger_type_code === 'OBS' && !chains.some((c) => c.bucket === trigger.event_data.bucket)) {
          fail('RESTORE_CHAINS', `has no chain in bucket ${trigger.event_data.bucket}, which the OBS trigger watches`);
        }
      }
    } catch (error) {
      if (error instanceof ConfigError) fail(error.field, error.reason);
      throw error;
    }
  }
}
