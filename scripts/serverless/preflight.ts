import { parseChains, type Chain } from '../../shared/chains/config';
import { documentLocation, validateDocument } from '../../shared/config/document';
import { ConfigError } from '../../shared/huawei/errors';
import { parsePollerConfig } from '../../shared/poller/config';
import type { Settings } from '../../shared/settings';
import { parseStateUrl } from '../../shared/state/open';
import type { ServiceSpec } from './spec';

/** FunctionGraph counts every key and value, plain and encrypted together. */
export function environmentSize(environment: Record<string, string>): number {
  return Object.entries(environment).reduce((total, [name, value]) => total + name.length + value.length, 0);
}

/**
 * Runs the functions' own configuration checks on what is about to be deployed, so a missing
 * STATE_URL, a broken RESTORE_CHAINS or configuration document, or an environment FunctionGraph would
 * refuse stops the deploy before anything changes in the cloud, with the same message the function
 * would log at its first invocation. `documents` holds the text of each document RESTORE_PILOT_CONFIG
 * names (read from OBS by the deploy: see documents.ts), by its obs:// path.
 */
export function preflight(spec: ServiceSpec, documents: ReadonlyMap<string, string> = new Map()): void {
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
        const [counted, shorten] = env.RESTORE_CHAINS
          ? [`; RESTORE_CHAINS alone ${env.RESTORE_CHAINS.length}`, 'shorten RESTORE_CHAINS']
          : ['', 'keep only pointers and secrets there: settings for all belong in the configuration document'];
        fail('environment', `is ${size} characters (keys plus values, plain and encrypted together${counted}), and FunctionGraph allows ${spec.environmentLimit} in ${spec.region}: ${shorten}${raise}`);
      }
      const { chains, settings, source } = configuredChains(env, documents);
      for (const trigger of fn.triggers) {
        if (trigger.trigger_type_code === 'TIMER') parsePollerConfig(settings, chains);
        if (trigger.trigger_type_code === 'OBS' && !chains.some((c) => c.bucket === trigger.event_data.bucket)) {
          fail(source, `has no chain in bucket ${trigger.event_data.bucket}, which the OBS trigger watches`);
        }
      }
    } catch (error) {
      if (error instanceof ConfigError) fail(error.field, error.reason);
      throw error;
    }
  }
}

/** The chains and settings a function will run on, and what to call their source in a message. */
function configuredChains(env: Record<string, string>, documents: ReadonlyMap<string, string>): { chains: Chain[]; settings: Settings; source: string } {
  const location = documentLocation(env);
  if (!location) return { chains: parseChains(env.RESTORE_CHAINS), settings: env, source: 'RESTORE_CHAINS' };
  const text = documents.get(location.path);
  if (text === undefined) throw new Error(`the deploy did not read ${location.path} (RESTORE_PILOT_CONFIG) before its checks`);
  const source = `RESTORE_PILOT_CONFIG ${location.path}:`;
  try {
    return { ...validateDocument(text, env, location.path), source };
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(source, `${error.field}: ${error.reason}`);
    throw error;
  }
}
