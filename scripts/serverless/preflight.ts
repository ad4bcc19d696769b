import { parseChains } from '../../shared/chains/config';
import { ConfigError } from '../../shared/huawei/errors';
import { parsePollerConfig } from '../../shared/poller/config';
import { parseStateUrl } from '../../shared/state/open';
import { splitEnvironment, type FunctionSpec } from './spec';

/** FunctionGraph's limit for user_data and for encrypted_user_data, each a JSON object in a string. */
const ENVIRONMENT_MAX_BYTES = 4096;

/**
 * Runs the functions' own configuration checks on what is about to be deployed, so a missing
 * STATE_URL or a broken RESTORE_CHAINS stops the deploy before anything changes in the cloud, with
 * the same message the function would log at its first invocation.
 */
export function preflight(functions: FunctionSpec[]): void {
  for (const fn of functions) {
    const fail = (field: string, reason: string): never => {
      throw new Error(`cannot deploy ${fn.key}: ${field} ${reason}`);
    };
    try {
      const env = fn.environment;
      if (parseStateUrl(env.STATE_URL).kind === 'file') {
        fail('STATE_URL', 'must be a redis:// or rediss:// URL (Huawei DCS): a file store would be per instance and break exactly-once');
      }
      const { user_data: plain, encrypted_user_data: secret = '' } = splitEnvironment(env);
      for (const [what, json] of [['environment', plain], ['encrypted environment (STATE_URL)', secret]] as const) {
        const bytes = Buffer.byteLength(json);
        if (bytes > ENVIRONMENT_MAX_BYTES) {
          fail(what, `is ${bytes} bytes as FunctionGraph stores it; it takes at most ${ENVIRONMENT_MAX_BYTES} (RESTORE_CHAINS alone is ${Buffer.byteLength(env.RESTORE_CHAINS ?? '')}): split the chains over two stages`);
        }
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
