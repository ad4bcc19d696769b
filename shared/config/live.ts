import { parseChains } from '../chains/config';
import { ConfigError } from '../huawei/errors';
import type { ObsClient } from '../huawei/obs';
import type { Logger } from '../log/logger';
import type { Settings } from '../settings';
import type { StateStore } from '../state/store';
import { validateDocument, type ConfigLocation, type Configuration } from './document';

/** A document is a few kilobytes per source; a megabyte is a mistake, not a configuration. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** How often a warm instance asks OBS whether the document changed (one conditional GET, 304 if not). */
export const REVALIDATE_EVERY_MS = 60_000;

export interface ConfigReadDeps {
  obs: Pick<ObsClient, 'readObjectText'>;
  logger: Logger;
  now: () => number;
}

/** A newer version of the document that did not validate: the poller pages it; the last good one stays in force. */
export interface ConfigRefusal {
  path: string;
  eTag: string;
  /** The field and what is wrong with it: `chains[3].bucket: …` */
  problem: string;
  since: number;
  /** The version still in force. */
  inForce: { eTag: string; chains: number };
}

/** `chains[3].bucket: must …`: the field as written in the document, and what is wrong with it. */
const fieldProblem = (error: ConfigError) => `${error.field}: ${error.reason}`;

/** Where the functions' configuration comes from: the OBS document, or RESTORE_CHAINS. */
export interface ConfigSource {
  /** The document's location, if there is one: the scope of its page. */
  readonly path: string | undefined;
  /** The configuration in force for this invocation; an OBS document is asked after at most once a minute. */
  current(deps: ConfigReadDeps): Promise<Configuration>;
  refusal(): ConfigRefusal | undefined;
}

/** RESTORE_CHAINS: parsed once at cold start; a bad value fails it, naming the field. */
export function environmentConfig(env: Settings): ConfigSource {
  const configuration = { chains: parseChains(env.RESTORE_CHAINS), settings: env };
  return { path: undefined, current: async () => configuration, refusal: () => undefined };
}

/**
 * RESTORE_PILOT_CONFIG: the document in OBS. Read at cold start; then, at most once a minute, asked
 * for again with If-None-Match (OBS answers 304 while it is unchanged, and the parsed version is kept).
 * A new version that validates takes effect at once and becomes the last good one in the state store;
 * one that does not is refused: the last good one stays in force and `refusal()` says why, until a
 * valid version appears. A cold start that finds a broken or unreadable document runs on the last
 * good one from the state store, and fails naming the document and its problem only without one.
 */
export class ObsConfigSource implements ConfigSource {
  private good: { configuration: Configuration; eTag: string } | undefined;
  /** The eTag of the version OBS gave last, good or refused: what If-None-Match asks about. */
  private seenETag: string | undefined;
  private checkedAt = 0;
  private refused: ConfigRefusal | undefined;

  constructor(
    private readonly location: ConfigLocation,
    private readonly store: StateStore,
    private readonly env: Settings,
  ) {}

  get path(): string {
    return this.location.path;
  }

  refusal(): ConfigRefusal | undefined {
    return this.refused;
  }

  async current(deps: ConfigReadDeps): Promise<Configuration> {
    if (!this.good) return this.coldStart(deps);
    if (deps.now() - this.checkedAt < REVALIDATE_EVERY_MS) return this.good.configuration;
    // Counted from the attempt: an unreadable document is asked after again in a minute, not every invocation.
    this.checkedAt = deps.now();
    try {
      const answer = await deps.obs.readObjectText(this.location.bucket, this.location.key, { maxBytes: MAX_DOCUMENT_BYTES, ifNoneMatch: this.seenETag });
      if (!('notModified' in answer)) await this.consider(answer.text, answer.eTag, deps);
    } catch (error) {
      deps.logger.warn('config.read.failed', { path: this.path, error, effect: 'the version in force stays; asked again in a minute' });
    }
    return this.good.configuration;
  }

  private async coldStart(deps: ConfigReadDeps): Promise<Configuration> {
    this.checkedAt = deps.now();
    let problem: string;
    try {
      const answer = await deps.obs.readObjectText(this.location.bucket, this.location.key, { maxBytes: MAX_DOCUMENT_BYTES });
      if (await this.consider(answer.text, answer.eTag, deps)) return this.good!.configuration;
      problem = this.refused!.problem;
    } catch (error) {
      problem = `cannot be read: ${(error as Error).message}`;
      deps.logger.warn('config.read.failed', { path: this.path, error });
    }
    const stored = await this.store.loadConfig(this.path);
    if (!stored) throw new ConfigError('RESTORE_PILOT_CONFIG', `${this.path}: ${problem}; no earlier valid version is recorded in the state store to run on: fix the document and upload it again`);
    let configuration: Configuration;
    try {
      configuration = this.validate(stored.text);
    } catch (error) {
      // The environment changed since (a setting now in both places): the stored version cannot run either.
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError('RESTORE_PILOT_CONFIG', `${this.path}: ${problem}; the last good version in the state store (eTag ${stored.eTag}) no longer validates either: ${fieldProblem(error)}`);
    }
    this.good = { configuration, eTag: stored.eTag };
    if (this.refused) this.refused.inForce = { eTag: stored.eTag, chains: this.good.configuration.chains.length };
    deps.logger.warn('config.last-good', { path: this.path, eTag: stored.eTag, savedAt: new Date(stored.savedAt).toISOString(), because: problem });
    return this.good.configuration;
  }

  /** Takes a version OBS gave: in force if it validates (and recorded as the last good), else refused. True when taken. */
  private async consider(text: string, eTag: string, deps: ConfigReadDeps): Promise<boolean> {
    this.seenETag = eTag;
    let configuration: Configuration;
    try {
      configuration = this.validate(text);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const problem = fieldProblem(error);
      this.refused = { path: this.path, eTag, problem, since: this.refused?.since ?? deps.now(), inForce: { eTag: this.good?.eTag ?? '', chains: this.good?.configuration.chains.length ?? 0 } };
      deps.logger.error('config.refused', { path: this.path, eTag, problem, inForce: this.good?.eTag });
      return false;
    }
    const changed = this.good !== undefined;
    this.good = { configuration, eTag };
    this.refused = undefined;
    if (changed) deps.logger.info('config.changed', { path: this.path, eTag, chains: configuration.chains.length });
    try {
      if ((await this.store.loadConfig(this.path))?.eTag !== eTag) await this.store.saveConfig({ location: this.path, eTag, text, savedAt: deps.now() });
    } catch (error) {
      deps.logger.warn('config.save.failed', { path: this.path, error, effect: 'a cold start finding a broken version would have no last good one to run on' });
    }
    return true;
  }

  /** The same checks as `restore-pilot config check`, with this function's environment. */
  private validate(text: string): Configuration {
    return validateDocument(text, this.env, this.path);
  }
}
