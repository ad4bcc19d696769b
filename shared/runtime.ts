import { parseChains, type Chain } from './chains/config';
import { createHuaweiClient, type HuaweiClient } from './huawei/client';
import { remainingTimeMs, type FunctionGraphContext } from './functiongraph/context';
import type { Logger } from './log/logger';
import { openStateStore } from './state/open';
import type { StateStore } from './state/store';

/** What lives across warm invocations: parsed config and the state store connection. */
export interface Runtime {
  env: NodeJS.ProcessEnv;
  chains: Chain[];
  store: StateStore;
}

/** Cold start: parses RESTORE_CHAINS and opens STATE_URL; a bad setting throws a ConfigError naming it. */
export function createRuntime(env: NodeJS.ProcessEnv, store?: StateStore): Runtime {
  const chains = parseChains(env.RESTORE_CHAINS);
  return { env, chains, store: store ?? openStateStore(env.STATE_URL) };
}

/** Per invocation: the API client, since agency credentials come with each context. */
export function clientFor(runtime: Runtime, context: FunctionGraphContext | undefined, logger: Logger): HuaweiClient {
  return createHuaweiClient({ env: runtime.env, context, logger });
}

/** Time to wait for a busy chain: 10 s, or less when the invocation is about to run out. */
export function lockWaitMs(context: FunctionGraphContext | undefined): number {
  const remaining = remainingTimeMs(context);
  return remaining === undefined ? 10_000 : Math.max(0, Math.min(10_000, remaining / 3));
}
