import * as z from 'zod';
import type { Chain } from '../chains/config';
import { ConfigError } from '../huawei/errors';
import { TopicUrn } from '../huawei/smn';
import { MaxJobsPerInstance } from '../restore/pacing';
import type { Settings } from '../settings';

const idList = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((id) => id.trim()).filter(Boolean));
const count = z.coerce.number().int().positive();

/** The transport's connections per endpoint: 500 running jobs at 50 ms take ~1 s (at 8: ~3.7 s; npm run bench). */
export const DEFAULT_POLL_CONCURRENCY = 32;

/** The poller's settings, from the environment; a bad one is a ConfigError naming the variable. */
export const PollerConfig = z.object({
  SMN_TOPIC_URN: TopicUrn.optional(),
  PAGE_REMINDER_MINUTES: count.optional(),
  RECONCILE_EVERY_MINUTES: count.default(15),
  WATCH_DCS_TASK_IDS: idList,
  WATCH_TAURUSDB_INSTANCE_IDS: idList,
  TAURUSDB_BACKUP_MAX_AGE_HOURS: count.default(26),
  POLL_CONCURRENCY: count.max(64).default(DEFAULT_POLL_CONCURRENCY),
  /** The upload handler reads it too (shared/runtime.ts): both functions start restore jobs. */
  MAX_JOBS_PER_INSTANCE: MaxJobsPerInstance,
});
export type PollerConfig = z.output<typeof PollerConfig>;

export function parsePollerConfig(env: Settings, chains: Chain[]): PollerConfig {
  // An empty variable is an unset one (serverless.yml passes '' for settings left out).
  const parsed = PollerConfig.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const config = parsed.data;
  const needsDefault = chains.some((c) => !c.smnTopicUrn) || config.WATCH_DCS_TASK_IDS.length > 0 || config.WATCH_TAURUSDB_INSTANCE_IDS.length > 0;
  if (needsDefault && !config.SMN_TOPIC_URN) throw new ConfigError('SMN_TOPIC_URN', 'is required: pages have nowhere to go (set it, or smnTopicUrn on every chain and no watches)');
  return config;
}
