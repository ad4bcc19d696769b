import * as z from 'zod';
import { parseChainList, type Chain } from '../chains/config';
import { BucketName } from '../huawei/drs-schemas';
import { ConfigError } from '../huawei/errors';
import { parsePollerConfig, PollerConfig } from '../poller/config';
import { SETTING_NAMES, type Settings } from '../settings';

/**
 * The configuration document (RESTORE_PILOT_CONFIG=obs://bucket/key.json): `{"chains": [...], ...}`.
 * `chains` holds what RESTORE_CHAINS holds; every other top-level key is a setting for all, spelled as
 * its environment variable. Pure: reading the object and keeping the last good one happen in live.ts.
 */

/** Where the document lives. `path` is how pages, logs and errors name it. */
export interface ConfigLocation {
  bucket: string;
  key: string;
  path: string;
}

export function parseConfigLocation(value: string): ConfigLocation {
  const match = /^obs:\/\/([^/]+)\/(.+)$/.exec(value);
  if (!match) throw new ConfigError('RESTORE_PILOT_CONFIG', 'must be obs://BUCKET/KEY, e.g. obs://mig-config/restore-pilot.json');
  const bucket = BucketName.safeParse(match[1]);
  if (!bucket.success) throw new ConfigError('RESTORE_PILOT_CONFIG', `bucket "${match[1]}" ${bucket.error.issues[0]!.message}`);
  return { bucket: match[1]!, key: match[2]!, path: value };
}

/** The document RESTORE_PILOT_CONFIG names, if set; with RESTORE_CHAINS set too, an error naming both. */
export function documentLocation(settings: Settings): ConfigLocation | undefined {
  if (settings.RESTORE_PILOT_CONFIG && settings.RESTORE_CHAINS) {
    throw new ConfigError('RESTORE_PILOT_CONFIG', 'and RESTORE_CHAINS are both set: keep the chains in one place (the document, or RESTORE_CHAINS for a small set-up) and unset the other');
  }
  return settings.RESTORE_PILOT_CONFIG ? parseConfigLocation(settings.RESTORE_PILOT_CONFIG) : undefined;
}

/**
 * The settings a document may hold: every poller setting (so one added to PollerConfig can be given
 * here without more code) and LOG_LEVEL. Pointers and secrets (STATE_URL, keys, endpoints) stay in
 * the environment.
 */
export const DOCUMENT_SETTINGS: readonly string[] = [...Object.keys(PollerConfig.shape), 'LOG_LEVEL'];

const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
/** A list (watched ids) may be written as a JSON array; numbers as numbers. Both become the variable's text. */
const SettingValue = z.union([z.string(), z.number(), z.array(z.string())]);

export interface ConfigDocument {
  chains: Chain[];
  /** The document's settings, as the environment would spell their values. */
  settings: Record<string, string>;
}

/** Reads a document; a problem is a ConfigError naming the field as written in it (`chains[3].bucket`, `POLL_CONCURRENCY`). */
export function parseConfigDocument(text: string): ConfigDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('document', `is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('document', 'must be a JSON object: {"chains": [...], "SMN_TOPIC_URN": "...", ...}');
  const fields = raw as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (name === 'chains' || DOCUMENT_SETTINGS.includes(name)) continue;
    if ((SETTING_NAMES as readonly string[]).includes(name)) throw new ConfigError(name, 'belongs in the environment, not in the document: the environment keeps pointers and secrets');
    throw new ConfigError(name, `is not a key of the document; it takes "chains" and ${DOCUMENT_SETTINGS.join(', ')}`);
  }
  if (fields.chains === undefined) throw new ConfigError('chains', 'is missing: the document must list its chains');
  const chains = parseChainList(fields.chains, 'chains');
  const settings: Record<string, string> = {};
  for (const name of DOCUMENT_SETTINGS) {
    if (fields[name] === undefined) continue;
    const value = SettingValue.safeParse(fields[name]);
    if (!value.success) throw new ConfigError(name, 'must be a string, a number or a list of strings');
    settings[name] = Array.isArray(value.data) ? value.data.join(',') : String(value.data);
  }
  if (settings.LOG_LEVEL !== undefined && !LogLevel.safeParse(settings.LOG_LEVEL).success) throw new ConfigError('LOG_LEVEL', `must be one of ${LogLevel.options.join(', ')}`);
  return { chains, settings };
}

/** What the functions run with: chains, and every setting (the environment's and the document's). */
export interface Configuration {
  chains: Chain[];
  settings: Settings;
}

/**
 * The document's settings joined to the environment's, checked as the poller checks them. A setting
 * in both is an error naming both places: which one wins would otherwise be a guess.
 */
export function withEnvironment(document: ConfigDocument, env: Settings, path: string): Configuration {
  for (const name of Object.keys(document.settings)) {
    if (env[name]) throw new ConfigError(name, `is set both in the environment and in ${path}: set it in one place (settings for all belong in the document)`);
  }
  const settings = { ...env, ...document.settings };
  parsePollerConfig(settings, document.chains);
  return { chains: document.chains, settings };
}

/** A document as the functions would take it: parsed, then joined to the environment. */
export function validateDocument(text: string, env: Settings, path: string): Configuration {
  return withEnvironment(parseConfigDocument(text), env, path);
}
