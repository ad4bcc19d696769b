import { fromContext, type FunctionGraphContext } from './functiongraph/context';

/**
 * Every setting the functions read, by name. FunctionGraph hands encrypted settings (STATE_URL) only
 * to `context.getUserData(key)`, never to process.env, so a setting has to be asked for by name:
 * this list is the catalogue (see ../shared/reference/README.md, "Facts found since").
 */
export const SETTING_NAMES = [
  'STATE_URL',
  'STATE_KEY_PREFIX',
  'RESTORE_CHAINS',
  // obs://bucket/key.json: the configuration document (shared/config/), instead of RESTORE_CHAINS.
  'RESTORE_PILOT_CONFIG',
  'LOG_LEVEL',
  'HUAWEICLOUD_REGION',
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'HUAWEICLOUD_SDK_PROJECT_ID',
  'RUNTIME_PROJECT_ID',
  // Endpoint overrides (shared/huawei/endpoints.ts), for the local cloud.
  'DRS_ENDPOINT',
  'DCS_ENDPOINT',
  'TAURUSDB_ENDPOINT',
  'RDS_ENDPOINT',
  'SMN_ENDPOINT',
  'OBS_ENDPOINT',
  'FUNCTIONGRAPH_ENDPOINT',
  // The poller's (shared/poller/config.ts).
  'SMN_TOPIC_URN',
  'PAGE_REMINDER_MINUTES',
  'RECONCILE_EVERY_MINUTES',
  'WATCH_DCS_TASK_IDS',
  'WATCH_TAURUSDB_INSTANCE_IDS',
  'TAURUSDB_BACKUP_MAX_AGE_HOURS',
  'POLL_CONCURRENCY',
  // Both functions' (shared/restore/pacing.ts).
  'MAX_JOBS_PER_INSTANCE',
] as const;

/** Settings by name; a plain object, so process.env serves where there is no FunctionGraph context. */
export type Settings = Readonly<Record<string, string | undefined>>;

/** One accessor for every setting: the context's user data first (plain and encrypted), then the environment. */
export function readSettings(context: FunctionGraphContext | undefined, env: Settings): Settings {
  const settings: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    const value = fromContext(context, 'getUserData', name) ?? env[name];
    if (value !== undefined) settings[name] = value;
  }
  return settings;
}
