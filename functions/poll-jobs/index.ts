import type { FunctionGraphContext } from '../../shared/functiongraph/context';
import { remainingTimeMs } from '../../shared/functiongraph/context';
import type { Configuration } from '../../shared/config/document';
import { parsePollerConfig, type PollerConfig } from '../../shared/poller/config';
import { runTick, type TickSummary } from '../../shared/poller/tick';
import { configJudgement, configured, createRuntime, type Clock, type Runtime } from '../../shared/runtime';
import { readSettings, type Settings } from '../../shared/settings';
import type { StateStore } from '../../shared/state/store';

/** FunctionGraph TIMER event: `{version, time, trigger_type: "TIMER", trigger_name, user_event}`. */
export interface TimerEvent {
  version?: string;
  time?: string;
  trigger_type?: string;
  trigger_name?: string;
  user_event?: string;
}

export interface PollHandlerOptions extends Clock {
  /** Stands in for process.env; the context's user data still comes first. */
  env?: Settings;
  store?: StateStore;
  inProgressMs?: number;
}

/** TIMER trigger: tracks every restore job, advances chains, reconciles, watches, and pages on-call. */
export function createPollHandler(options: PollHandlerOptions = {}) {
  let runtime: Runtime | undefined;
  /** The poller's settings, worked out again only when the configuration in force changes. */
  let poller: { for: Configuration; config: PollerConfig } | undefined;
  const handler = async (event: TimerEvent | undefined, context?: FunctionGraphContext): Promise<TickSummary> => {
    const settings = readSettings(context, options.env ?? process.env);
    runtime ??= createRuntime(settings, options.store);
    const clock = { now: options.now ?? Date.now, ...(options.sleep ? { sleep: options.sleep } : {}) };
    const { configuration, logger, client } = await configured(runtime, context, clock, { trigger: event?.trigger_name ?? 'manual' });
    if (poller?.for !== configuration) poller = { for: configuration, config: parsePollerConfig(configuration.settings, configuration.chains) };
    return runTick({
      chains: configuration.chains,
      store: runtime.store,
      client,
      config: poller.config,
      logger,
      ...clock,
      remainingMs: () => remainingTimeMs(context),
      inProgressMs: options.inProgressMs ?? 60_000,
      lockTtlMs: 30_000,
      judged: configJudgement(runtime.config, poller.config.SMN_TOPIC_URN ?? ''),
    });
  };
  return Object.assign(handler, { close: async () => runtime?.store.close() });
}

export const handler = createPollHandler();
