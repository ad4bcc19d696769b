import { parseChains, type Chain } from './chains/config';
import { createHuaweiClient, type HuaweiClient } from './huawei/client';
import { remainingTimeMs, type FunctionGraphContext } from './functiongraph/context';
import type { Logger } from './log/logger';
import { maxJobsPerInstance } from './restore/pacing';
import type { Settings } from './settings';
import { openStateStore } from './state/open';
import type { StateStore } from './state/store';

/** What lives across warm invocations: settings, parsed config and the state store connection. */
export interface Runtime {
  settings: Settings;
  chains: Chain[];
  store: StateStore;
  /** MAX_JOBS_PER_INSTANCE: restore jobs in flight at most per target instance, for every function. */
  maxJobsPerInstance: number;
}

/**
 * Cold start: parses RESTORE_CHAINS and opens STATE_URL in this deployment's key space
 * (STATE_KEY_PREFIX, which deploy derives from service and stage); a bad setting throws a ConfigError naming it.
 */
export function createRuntime(settings: Settings, store?: StateStore): Runtime {
  const chains = parseChains(settings.RESTORE_CHAINS);
  const maxJobs = maxJobsPerInstance(settings);
  return { settings, chains, maxJobsPerInstance: maxJobs, store: store ?? openStateStore(settings.STATE_URL, keySpace(settings)) };
}

/** The key prefix of this deployment, unless STATE_URL names one itself (`?prefix=`). */
export function keySpace(settings: Settings): { keyPrefix?: string } {
  return settings.STATE_KEY_PREFIX ? { keyPrefix: settings.STATE_KEY_PREFIX } : {};
}

/** A test's clock and sleep, passed down to the transport and the lock waits; production leaves both out. */
export interface Clock {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Per invocation: the API client, since agency credentials come with each context. */
export function clientFor(runtime: Runtime, context: FunctionGraphContext | undefined, logger: Logger, clock: Clock = {}): HuaweiClient {
  return createHuaweiClient({ env: runtime.settings, context, logger, ...clock });
}

/** Time to wait for a busy chain: 10 s, or less when the invocation is about to run out. */
export function lockWaitMs(context: FunctionGraphContext | undefined): number {
  const remaining = remainingTimeMs(context);
  return remaining === undefined ? 10_000 : Math.max(0, Math.min(10_000, remaining / 3));
}
