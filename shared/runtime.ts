import { configRefusedProblem, type Problem } from './alerts/problems';
import { documentLocation, type Configuration } from './config/document';
import { environmentConfig, ObsConfigSource, type ConfigSource } from './config/live';
import { createHuaweiClient, type HuaweiClient } from './huawei/client';
import { remainingTimeMs, type FunctionGraphContext } from './functiongraph/context';
import { loggerForInvocation, type Logger } from './log/logger';
import type { Settings } from './settings';
import { openStateStore } from './state/open';
import type { StateStore } from './state/store';

/** What lives across warm invocations: the environment's settings, the configuration's source and the state store connection. */
export interface Runtime {
  settings: Settings;
  config: ConfigSource;
  store: StateStore;
}

/**
 * Cold start: opens STATE_URL in this deployment's key space (STATE_KEY_PREFIX, which deploy derives
 * from service and stage) and finds the configuration: the document RESTORE_PILOT_CONFIG points at
 * (read at the first invocation), or RESTORE_CHAINS (parsed now). A bad setting throws a ConfigError naming it.
 */
export function createRuntime(settings: Settings, store?: StateStore): Runtime {
  const location = documentLocation(settings);
  const open = () => store ?? openStateStore(settings.STATE_URL, keySpace(settings));
  if (!location) {
    // Parsed before connecting, so a bad RESTORE_CHAINS leaves no connection open.
    const config = environmentConfig(settings);
    return { settings, config, store: open() };
  }
  const opened = open();
  return { settings, config: new ObsConfigSource(location, opened, settings), store: opened };
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

/**
 * Per invocation: the configuration in force (the document is asked after at most once a minute), and
 * the logger and API client made with its settings (the document may set LOG_LEVEL). The document is
 * read with a client on the environment's log level, since the level is not known before.
 */
export async function configured(runtime: Runtime, context: FunctionGraphContext | undefined, clock: Clock & { now: () => number }, fields: Record<string, string> = {}): Promise<{ configuration: Configuration; logger: Logger; client: HuaweiClient }> {
  const bootLogger = loggerForInvocation(context, runtime.settings).child(fields);
  const configuration = await runtime.config.current({ obs: clientFor(runtime, context, bootLogger, clock).obs, logger: bootLogger, now: clock.now });
  const logger = configuration.settings.LOG_LEVEL === runtime.settings.LOG_LEVEL ? bootLogger : loggerForInvocation(context, configuration.settings).child(fields);
  return { configuration, logger, client: clientFor(runtime, context, logger, clock) };
}

/** For the poller: the document's page, if a version was refused; none where the chains come from RESTORE_CHAINS. */
export function configJudgement(config: ConfigSource, topicUrn: string): { scope: string; problems: Problem[] }[] {
  if (config.path === undefined) return [];
  const refusal = config.refusal();
  return [{ scope: config.path, problems: refusal ? [configRefusedProblem(refusal, topicUrn)] : [] }];
}

/** Time to wait for a busy chain: 10 s, or less when the invocation is about to run out. */
export function lockWaitMs(context: FunctionGraphContext | undefined): number {
  const remaining = remainingTimeMs(context);
  return remaining === undefined ? 10_000 : Math.max(0, Math.min(10_000, remaining / 3));
}
